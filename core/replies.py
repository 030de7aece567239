"""What the conversation layer answers: one tagged union, rendered by each front end.

Every verb of ``core.actions`` returns exactly one of these.  A front end renders
them with one ``match`` ending in ``assert_never``, so mypy reports a renderer that
forgets a kind of reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from core.models import Health, LimitSettings, LimitsStatus, Playlist, Profile


@dataclass(frozen=True, slots=True)
class TextReply:
    """A sentence for the user; ``error`` marks a refusal or a failure.

    ``code`` says which (an ``EchoTunerError.code``, ``"internal"`` for our own
    failure, empty for plain information) so a front end may add a native touch,
    e.g. a "Link Spotify" button under ``not_linked``.  ``link`` is a URL the text
    is about (a sign-in link, a saved playlist), rendered as the platform's link or
    button with ``link_label``.
    """

    text: str
    error: bool = False
    code: str = ""
    link: str | None = None
    link_label: str = ""


@dataclass(frozen=True, slots=True)
class PlaylistReply:
    """A playlist to show with its buttons (refine, regenerate, URIs, save)."""

    playlist: Playlist
    share_url: str | None = None  # the playlist's page, when PUBLIC_BASE_URL is set
    # A blend's: per track (in order), whose taste it serves ("Alice & Bob"; empty for a
    # track a refinement brought in), and one summary line ("3 people · 40% shared").
    credits: tuple[str, ...] = ()
    summary: str = ""


@dataclass(frozen=True, slots=True)
class UrisReply:
    """A playlist's ``spotify:track:`` lines, to paste into Spotify's desktop app."""

    playlist: Playlist
    note: str = ""  # said first, e.g. why the lines come instead of a saved playlist


@dataclass(frozen=True, slots=True)
class ProfileReply:
    """A taste profile, with a heading saying what just happened to it."""

    profile: Profile
    heading: str


@dataclass(frozen=True, slots=True)
class LimitsReply:
    """A user's playlists and refinements left, and when they reset."""

    status: LimitsStatus


@dataclass(frozen=True, slots=True)
class SettingsReply:
    """A server's or group's limit settings, for its admins."""

    settings: LimitSettings
    where: str
    changed: bool = False


@dataclass(frozen=True, slots=True)
class HealthReply:
    """The health of each dependency."""

    health: Health


Reply: TypeAlias = (
    TextReply | PlaylistReply | UrisReply | ProfileReply | LimitsReply | SettingsReply | HealthReply
)


def is_error(reply: Reply) -> bool:
    """True for a refusal or a failure."""
    return isinstance(reply, TextReply) and reply.error


__all__ = [
    "HealthReply",
    "LimitsReply",
    "PlaylistReply",
    "ProfileReply",
    "Reply",
    "SettingsReply",
    "TextReply",
    "UrisReply",
    "is_error",
]

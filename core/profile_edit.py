"""Parsing profile changes typed by users ("genres=jazz,soul energy=0.3").

Every chat adapter shows the same profile fields, so the rules live here once.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from datetime import datetime

from core import i18n, wording
from core.errors import InvalidInput
from core.models import DISCOVERY_CHOICES, LimitSettings, LimitsStatus, Profile
from core.text import visible

MAX_ITEMS = 20
MAX_ITEM_LENGTH = 60

FIELD_ALIASES: dict[str, str] = {
    "genres": "favourite_genres",
    "genre": "favourite_genres",
    "favourite_genres": "favourite_genres",
    "artists": "favourite_artists",
    "artist": "favourite_artists",
    "favourite_artists": "favourite_artists",
    "disliked": "disliked_artists",
    "dislike": "disliked_artists",
    "disliked_artists": "disliked_artists",
    "energy": "energy",
    "discovery": "discovery",
    "explicit": "explicit_ok",
    "explicit_ok": "explicit_ok",
    "language": "language",
    "lang": "language",
}

# A key starts where a word starts (the lookbehind): without it, a long run of letters with
# no "=" costs quadratic time (every suffix is tried as a key), seconds for a few KB.
_PAIR = re.compile(r'(?<!\w)(\w+)\s*=\s*("([^"]*)"|[^\s]*)')
# Far more than every field at its fullest needs.
MAX_LINE = 4000
_TRUE = {"yes", "true", "on", "1", "ok", "allowed", "y"}
_FALSE = {"no", "false", "off", "0", "n", "blocked"}


def parse_assignments(text: str) -> dict[str, str]:
    """Reads ``key=value`` pairs; values with spaces go in double quotes."""
    if len(text) > MAX_LINE:
        raise InvalidInput(wording.profile_line_too_long(len(text), MAX_LINE))
    pairs = {m.group(1).lower(): (m.group(3) if m.group(3) is not None else m.group(2))
             for m in _PAIR.finditer(text)}
    if not pairs and text.strip():
        raise InvalidInput(wording.PROFILE_PAIRS_USAGE())
    return pairs


def _items(value: str) -> tuple[str, ...]:
    items: list[str] = []
    for raw in value.split(","):
        item = " ".join(visible(raw).split())[:MAX_ITEM_LENGTH]
        if item and item.casefold() not in {i.casefold() for i in items}:
            items.append(item)
    if len(items) > MAX_ITEMS:
        raise InvalidInput(wording.profile_too_many_items(MAX_ITEMS))
    return tuple(items)


def apply_changes(profile: Profile, changes: Mapping[str, str]) -> Profile:
    """Returns ``profile`` with ``changes`` applied, or raises InvalidInput naming the field."""
    updates: dict[str, object] = {}
    for key, value in changes.items():
        field = FIELD_ALIASES.get(key.lower())
        if field is None:
            known = "genres, artists, disliked, energy, discovery, explicit, language"
            raise InvalidInput(wording.unknown_profile_field(key, known))
        value = value.strip()
        if field in {"favourite_genres", "favourite_artists", "disliked_artists"}:
            updates[field] = _items(value)
        elif field == "energy":
            if value.lower() in {"", "none", "any"}:
                updates[field] = None
                continue
            try:
                energy = float(value)
            except ValueError:
                raise InvalidInput(wording.ENERGY_INVALID()) from None
            if not 0 <= energy <= 1:
                raise InvalidInput(wording.ENERGY_INVALID())
            updates[field] = energy
        elif field == "language":
            updates[field] = _language(value)
        elif field == "discovery":
            choice = value.lower().replace(" ", "_").replace("-", "_")
            choice = {"deep_cuts": "deep", "mainstream": "popular"}.get(choice, choice)
            if choice not in DISCOVERY_CHOICES:
                raise InvalidInput(wording.DISCOVERY_INVALID())
            updates[field] = choice
        else:
            lowered = value.lower()
            if lowered not in _TRUE | _FALSE:
                raise InvalidInput(wording.EXPLICIT_INVALID())
            updates[field] = lowered in _TRUE
    return dataclasses.replace(profile, **updates)  # type: ignore[arg-type]


def _language(value: str) -> str:
    """A pinned language: a supported code, or "" (none, default, auto) to follow the app's."""
    if value.lower() in {"", "none", "default", "auto"}:
        return ""
    code = i18n.language_code(value)
    if code is None:
        raise InvalidInput(wording.language_invalid(", ".join(i18n.SUPPORTED_LOCALES)))
    return code


def describe(profile: Profile) -> str:
    """A plain-text summary of a profile for any chat front end."""

    def listing(items: tuple[str, ...]) -> str:
        return ", ".join(items) if items else wording.NONE()

    energy = wording.ANY_ENERGY() if profile.energy is None else f"{profile.energy:.2f}"
    return wording.profile_summary(
        listing(profile.favourite_genres), listing(profile.favourite_artists),
        listing(profile.disliked_artists), energy, profile.discovery, profile.explicit_ok, profile.language,
    )


def _utc(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def describe_limits(
    status: LimitsStatus, emphasis: Callable[[str], str] = str,
    moment: Callable[[datetime], str] = _utc,
) -> str:
    """The /limits sentence for every front end; ``emphasis`` marks the numbers left and
    ``moment`` writes the reset time (Discord shows it in each reader's own time zone)."""
    s = status.settings
    if status.playlists_left is None:
        playlists = wording.playlists_made_today(status.playlists_used_today)
    else:
        playlists = wording.playlists_left_today(emphasis(str(status.playlists_left)),
                                                 s.max_playlists_per_day)
    if status.latest_draft_id is None:
        refinements = wording.NO_PLAYLIST_TO_REFINE()
    elif status.refinements_left is None:
        refinements = wording.REFINEMENTS_UNLIMITED()
    else:
        refinements = wording.refinements_left(emphasis(str(status.refinements_left)),
                                               s.max_refinements_per_playlist)
    return wording.limits_summary(playlists, refinements, s.max_songs, moment(status.resets_at))


def describe_settings(settings: LimitSettings) -> str:
    """A server's or group's limits in one line, for any front end."""

    playlists = wording.limit_state(settings.playlist_limit_enabled, settings.max_playlists_per_day,
                                    wording.PER_DAY())
    refinements = wording.limit_state(settings.refinement_limit_enabled,
                                      settings.max_refinements_per_playlist, wording.PER_PLAYLIST())
    return wording.settings_summary(playlists, refinements, settings.max_songs)

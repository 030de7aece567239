"""Platform-free value types shared by the engine, its ports and every adapter."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from core import i18n, wording
from core.i18n import Message
from core.targets import FeatureTarget, TargetFeature, by_feature

Discovery = Literal["popular", "balanced", "deep"]
DISCOVERY_CHOICES: tuple[Discovery, ...] = ("popular", "balanced", "deep")
# The listening arc a playlist is ordered by (``core.arc``): a workout warms up, peaks and
# cools down; a party builds; a wind-down (sleep, focus) descends and stays smooth; steady
# keeps one level and only avoids jarring jumps.
ArcName = Literal["workout", "party", "wind-down", "steady"]
ARC_NAMES: tuple[ArcName, ...] = ("workout", "party", "wind-down", "steady")


@dataclass(frozen=True, slots=True)
class UserRef:
    """Who is asking, independent of platform.

    ``scope`` is where the request came from: ``"guild:<id>"`` for a Discord server,
    ``"chat:<id>"`` for a Telegram group, ``"dm"`` for a private chat, ``"console"``
    or ``"api"``.  Limits are configured per scope; the raw ids are hashed before
    they reach storage.
    """

    platform: str
    user_id: str
    scope: str = "dm"


@dataclass(frozen=True, slots=True)
class AudioTarget:
    """Audio-feature goals (0..1) a catalogue may honour when it knows features."""

    energy: float | None = None
    valence: float | None = None
    danceability: float | None = None
    acousticness: float | None = None
    instrumentalness: float | None = None

    def is_empty(self) -> bool:
        return all(
            v is None
            for v in (
                self.energy,
                self.valence,
                self.danceability,
                self.acousticness,
                self.instrumentalness,
            )
        )


@dataclass(frozen=True, slots=True)
class Track:
    """One playable track as a catalogue knows it.

    ``popularity`` and the audio features are optional: Spotify's live API no longer
    returns them to new apps, the bundled demo catalogue does.
    """

    id: str
    title: str
    artists: tuple[str, ...]
    album: str = ""
    duration_ms: int = 0
    explicit: bool = False
    popularity: int | None = None
    genres: tuple[str, ...] = ()
    image_url: str | None = None
    energy: float | None = None
    valence: float | None = None
    danceability: float | None = None
    tempo: float | None = None
    acousticness: float | None = None
    instrumentalness: float | None = None

    @property
    def artist(self) -> str:
        """The primary artist."""
        return self.artists[0] if self.artists else ""

    @property
    def uri(self) -> str:
        return f"spotify:track:{self.id}"

    @property
    def url(self) -> str:
        return f"https://open.spotify.com/track/{self.id}"


@dataclass(frozen=True, slots=True)
class SongSuggestion:
    """A concrete song a strategy proposes; it is only kept if the catalogue confirms it."""

    title: str
    artist: str


@dataclass(frozen=True, slots=True)
class Strategy:
    """What a model (or the offline provider) proposes for a prompt.

    Checked against ``core.strategy.STRATEGY_SCHEMA`` before the engine uses it.
    """

    title: str
    genres: tuple[str, ...] = ()
    moods: tuple[str, ...] = ()
    energy: float | None = None
    valence: float | None = None
    era: str | None = None
    seed_artists: tuple[str, ...] = ()
    avoid_artists: tuple[str, ...] = ()
    songs: tuple[SongSuggestion, ...] = ()
    queries: tuple[str, ...] = ()
    description: str = ""
    # On refinement: 1-based numbers of the current tracks to keep, in order.
    keep: tuple[int, ...] = ()
    # Feature goals with how clearly the request implies them (``core.targets``).
    targets: tuple[FeatureTarget, ...] = ()
    # "Songs like X": X's neighbours, with a few of X's own tracks at most.
    like_artists: tuple[str, ...] = ()
    # On refinement: 1-based numbers of current tracks the next version should resemble.
    like_tracks: tuple[int, ...] = ()
    # "Deep cuts" / "the hits": overrides the profile's discovery for this playlist.
    familiarity: Discovery | None = None
    arc: ArcName | None = None
    # The model's verdict when asked to judge the request (None: not asked or no answer),
    # and its short reason, shown to the user on a refusal.
    is_music_request: bool | None = None
    reason: str = ""

    def audio_target(self) -> AudioTarget:
        """What a catalogue that knows features may rank by: the targets, else energy/valence."""
        goals = by_feature(self.targets)

        def value(name: TargetFeature, fallback: float | None = None) -> float | None:
            goal = goals.get(name)
            return goal.value if goal is not None else fallback

        return AudioTarget(
            energy=value("energy", self.energy),
            valence=value("valence", self.valence),
            danceability=value("danceability"),
            acousticness=value("acousticness"),
            instrumentalness=value("instrumentalness"),
        )


@dataclass(frozen=True, slots=True)
class Profile:
    """A user's taste; shapes every playlist they ask for."""

    favourite_genres: tuple[str, ...] = ()
    favourite_artists: tuple[str, ...] = ()
    disliked_artists: tuple[str, ...] = ()
    energy: float | None = None
    discovery: Discovery = "balanced"
    explicit_ok: bool = True
    #: The language the bot answers in, pinned by the user ("" follows their app's language).
    language: str = ""

    def is_default(self) -> bool:
        return self == Profile()


@dataclass(frozen=True, slots=True)
class StrategyRequest:
    """Everything a chat model needs to plan a playlist or a refinement of one."""

    prompt: str
    count: int
    profile: Profile = field(default_factory=Profile)
    feedback: str | None = None
    previous: Strategy | None = None
    previous_tracks: tuple[str, ...] = ()  # "Title - Artist" lines of the current version
    # A regeneration's "Title - Artist" lines of every earlier version: songs not to repeat.
    avoid_tracks: tuple[str, ...] = ()
    # The lexical check was unsure the prompt is about music: the model judges it.
    judge_music: bool = False
    #: The user's language (a ``core.i18n`` locale): the title and description are written in
    #: it.  By default the language of the request being served when this one is built.
    language: str = field(default_factory=i18n.current)


@dataclass(frozen=True, slots=True)
class StrategyAnswer:
    """A strategy and the provider that produced it."""

    strategy: Strategy
    provider: str


@dataclass(frozen=True, slots=True)
class Playlist:
    """One version of a draft, as delivered to a user."""

    draft_id: int
    version: int
    title: str
    prompt: str
    tracks: tuple[Track, ...]
    requested_count: int
    provider: str
    catalogue: str
    created_at: datetime
    expires_at: datetime
    strategy: Strategy
    feedback: str | None = None
    note: str | None = None  # honest remark, e.g. fewer tracks than asked for
    refinements_used: int = 0

    @property
    def is_refinement(self) -> bool:
        return self.version > 1


@dataclass(frozen=True, slots=True)
class DraftVersion:
    """A stored version of a draft (what the store persists)."""

    version: int
    title: str
    strategy: Strategy
    tracks: tuple[Track, ...]
    provider: str
    catalogue: str
    requested_count: int
    created_at: datetime
    feedback: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """A playlist being worked on: its owner, prompt and latest version."""

    id: int
    owner_key: str
    scope: str
    prompt: str
    created_at: datetime
    expires_at: datetime
    refinements_used: int
    latest: DraftVersion


@dataclass(frozen=True, slots=True)
class LimitSettings:
    """Limits in force for a scope (a server, a group, or the operator's defaults)."""

    playlist_limit_enabled: bool = True
    max_playlists_per_day: int = 10
    refinement_limit_enabled: bool = True
    max_refinements_per_playlist: int = 3
    max_songs: int = 50
    # Blends (``/blend``): whether members may start them here, and how many may join one.
    blends_enabled: bool = True
    max_blend_members: int = 10


@dataclass(frozen=True, slots=True)
class LimitsStatus:
    """What a user may still do today in a scope."""

    settings: LimitSettings
    playlists_used_today: int
    resets_at: datetime
    latest_draft_id: int | None = None
    refinements_used: int = 0

    @property
    def playlists_left(self) -> int | None:
        if not self.settings.playlist_limit_enabled:
            return None
        return max(0, self.settings.max_playlists_per_day - self.playlists_used_today)

    @property
    def refinements_left(self) -> int | None:
        if not self.settings.refinement_limit_enabled:
            return None
        return max(0, self.settings.max_refinements_per_playlist - self.refinements_used)


@dataclass(frozen=True, slots=True)
class DependencyStatus:
    """Health of one dependency; ``latency_ms`` is how long the check took (None: not timed)."""

    name: str
    ok: bool
    detail: str = ""
    latency_ms: float | None = None


@dataclass(frozen=True, slots=True)
class Health:
    dependencies: tuple[DependencyStatus, ...]

    @property
    def ok(self) -> bool:
        return all(d.ok for d in self.dependencies)


@dataclass(frozen=True, slots=True)
class ProviderReport:
    """One model provider of the fallback chain as the status page shows it.

    ``status`` is None until first checked; ``last_error`` is the latest failure of a
    request, cleared by the next success; ``resting_s`` how long it is still left out.
    """

    name: str
    status: DependencyStatus | None
    last_error: str
    resting_s: float


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """Whether a prompt is about music; ``score`` is the similarity or lexical score."""

    ok: bool
    score: float
    method: str
    reason: str = ""
    # A refusal out of doubt (unknown words, evidence both ways), not a verdict: a
    # language model may judge the prompt in its planning call.
    unsure: bool = False


class Stage(enum.Enum):
    VALIDATING = "validating"
    ASKING_MODEL = "asking the model"
    SEARCHING = "searching"
    SELECTING = "selecting"
    DONE = "done"


_STAGE_WORDS: dict[Stage, Message] = {
    Stage.VALIDATING: wording.STAGE_VALIDATING,
    Stage.ASKING_MODEL: wording.STAGE_ASKING_MODEL,
    Stage.SEARCHING: wording.STAGE_SEARCHING,
    Stage.SELECTING: wording.STAGE_SELECTING,
    Stage.DONE: wording.STAGE_DONE,
}


@dataclass(frozen=True, slots=True)
class Progress:
    stage: Stage
    done: int = 0
    total: int = 0

    def describe(self) -> str:
        """What the engine is doing, in the current language (``core.wording``)."""
        if self.stage is Stage.SEARCHING and self.total:
            return wording.stage_searching(self.done, self.total)
        return _STAGE_WORDS[self.stage]()


ProgressCallback = Callable[[Progress], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class OAuthState:
    """A pending account link: single use, short-lived, bound to one user."""

    state: str
    user_key: str
    created_at: datetime
    expires_at: datetime
    payload: str = ""  # adapter data, e.g. a PKCE verifier or the chat to notify


@dataclass(frozen=True, slots=True)
class LinkedAccount:
    """A user's linked music account; ``token_blob`` is encrypted by the caller."""

    user_key: str
    provider: str
    account_id: str
    display_name: str
    token_blob: bytes
    linked_at: datetime


# --- account linking (Spotify issue) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Conversation:
    """Where to send an unprompted message: a platform (an adapter's ``name``) and a chat id."""

    platform: str
    conversation_id: str


LinkKind = Literal[
    "linked", "expired", "used", "denied", "error", "invalid", "limited", "unavailable", ""
]


@dataclass(frozen=True, slots=True)
class LinkOutcome:
    """The result of an OAuth callback; ``message`` is safe to show on the callback page.

    ``kind`` says which page to show: ``linked``; ``expired`` or ``used`` (the sign-in
    link); ``denied`` (consent refused); ``error`` (Spotify or we failed); ``invalid`` (not
    one of our links); ``limited`` (too many attempts); ``unavailable`` (linking is not set
    up).  Empty means "derive it from ``ok``".  ``platform`` is where the user asked from
    (``discord``, ``telegram``...), when known, so the page can send them back there.
    """

    ok: bool
    message: str
    display_name: str = ""
    kind: LinkKind = ""
    platform: str = ""
    # Who asked for the link, as their chat shows them ("@alice"): the page names them, so
    # someone who opened a forwarded link sees whose chat account got their Spotify.
    chat_account: str = ""

    @property
    def page_kind(self) -> LinkKind:
        """``kind``, or ``linked``/``error`` from ``ok`` when it was left empty."""
        return self.kind or ("linked" if self.ok else "error")


@dataclass(frozen=True, slots=True)
class AppCredentials:
    """A music service app (client id and secret): the operator's or a server's own."""

    client_id: str
    client_secret: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class OAuthTokens:
    """A user's tokens as a music service granted them; never logged, stored encrypted."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime
    scope: str = ""


@dataclass(frozen=True, slots=True)
class AccountProfile:
    """Who a linked account is on the music service."""

    account_id: str
    display_name: str


@dataclass(frozen=True, slots=True)
class ArtistInfo:
    """An artist from a user's listening history (genres may be empty)."""

    name: str
    genres: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SavedPlaylist:
    """Which playlist a draft was saved to, so saving again updates it."""

    user_key: str
    draft_id: int
    provider: str
    account_id: str
    playlist_id: str
    url: str
    saved_at: datetime

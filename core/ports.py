"""The engine's ports: what it needs from the outside world, as Protocols.

Adapters implement these; the engine only ever sees these shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from core.knowledge import ArtistProfile, SoundFeatures
from core.models import (
    AccountProfile,
    AppCredentials,
    ArtistInfo,
    AudioTarget,
    Conversation,
    DependencyStatus,
    Draft,
    DraftVersion,
    LimitSettings,
    LinkedAccount,
    OAuthState,
    OAuthTokens,
    Profile,
    ProviderReport,
    SavedPlaylist,
    StrategyAnswer,
    StrategyRequest,
    Track,
    ValidationResult,
)
from core.replies import Reply


@runtime_checkable
class ChatModel(Protocol):
    """Plans a playlist: returns a schema-checked strategy and who produced it."""

    name: str

    async def plan(self, request: StrategyRequest) -> StrategyAnswer: ...

    async def health(self) -> DependencyStatus: ...


@runtime_checkable
class ProviderReports(Protocol):
    """A chat model made of several providers (the fallback chain) that reports each one.

    The operator's status page shows one row per provider when the model offers this.
    """

    def reports(self) -> Sequence[ProviderReport]:
        """Each provider's last known health and most recent failure, in chain order."""
        ...


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into vectors (one per text, same order)."""

    name: str

    async def embed(self, texts: Sequence[str]) -> list[list[float]]: ...

    async def health(self) -> DependencyStatus: ...


@runtime_checkable
class PromptValidator(Protocol):
    """Decides whether a prompt is about music."""

    name: str

    async def validate(self, prompt: str) -> ValidationResult: ...


@runtime_checkable
class MusicCatalogue(Protocol):
    """Searches tracks with Spotify's query syntax.

    ``query`` is free text plus ``track:"..."``, ``artist:"..."``, ``genre:"..."`` and
    ``year:YYYY`` or ``year:YYYY-YYYY`` filters.  ``limit`` is at most 10 (Spotify's
    2026 rule); page with ``offset``.  ``target`` is a hint that catalogues knowing
    audio features may use to rank; others ignore it.  Raises
    ``core.errors.RateLimited`` on 429 and ``core.errors.CatalogueError`` otherwise.
    """

    name: str

    async def search(
        self, query: str, *, limit: int = 10, offset: int = 0, target: AudioTarget | None = None
    ) -> list[Track]: ...

    async def health(self) -> DependencyStatus: ...


@runtime_checkable
class MusicKnowledge(Protocol):
    """Artist- and track-level knowledge from the bundled dataset (see ``core.knowledge``).

    Synchronous and in memory: every call is a lookup in prebuilt arrays, cheap enough
    for the event loop.  Unknown tracks and artists answer None / empty: the ranking
    says nothing of what the dataset does not cover.
    """

    def artist(self, name: str) -> ArtistProfile | None:
        """The artist of that name (case, accents and punctuation ignored), if known."""
        ...

    def features(self, track: Track) -> SoundFeatures | None:
        """The track's features: by Spotify id, else by normalised title and artist."""
        ...

    def similar_artists(self, name: str, limit: int = 10) -> tuple[str, ...]:
        """Artists nearest to ``name`` (shared genres and scene, sound, collaborations)."""
        ...

    def artists_named_in(self, text: str) -> tuple[str, ...]:
        """Canonical names of the known artists a free-text prompt names, in order."""
        ...


@runtime_checkable
class Store(Protocol):
    """Persistence, shaped around the engine's promises rather than any database.

    Every method that keeps a cross-request promise (quota, single-use states, draft
    versions) is one statement or one transaction, so a second implementation
    (PostgreSQL) is an addition, not a rewrite.
    """

    # --- life cycle -------------------------------------------------------------
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def health(self) -> DependencyStatus: ...

    async def get_meta(self, key: str) -> str | None: ...

    async def set_meta_if_absent(self, key: str, value: str) -> str:
        """Stores ``value`` unless the key exists; returns the value in force."""
        ...

    # --- quotas -----------------------------------------------------------------
    # A reservation is a row with an expiry: what counts against a limit is the
    # confirmed count plus the live (unexpired) reservations, so a process killed
    # mid-generation charges nothing once its reservation expires.
    async def reserve_playlist(
        self,
        user_key: str,
        scope: str,
        day: str,
        limit: int | None,
        now: datetime,
        expires_at: datetime,
    ) -> int | None:
        """Atomically reserves one playlist for (user, scope, UTC day) if under ``limit``.

        Counts confirmed playlists plus reservations live at ``now``; ``limit`` None
        means unlimited.  Returns the reservation's id, or None when refused.  The
        reservation stops counting at ``expires_at`` unless confirmed before.
        """
        ...

    async def reserve_refinement(
        self, draft_id: int, limit: int | None, now: datetime, expires_at: datetime
    ) -> int | None:
        """Like ``reserve_playlist`` for one refinement of a draft; None also when no draft."""
        ...

    async def confirm_reservation(self, reservation_id: int) -> bool:
        """Turns a reservation into a counted use, in one transaction.

        False when it no longer exists (it expired and a sweep removed it, or it
        was cancelled): nothing is counted then.
        """
        ...

    async def cancel_reservation(self, reservation_id: int) -> None:
        """Gives a reservation back (the work failed); unknown ids are ignored."""
        ...

    async def expire_reservations(self, now: datetime) -> int:
        """Deletes reservations expired at ``now`` (left by crashed processes); returns how many."""
        ...

    async def playlists_used(self, user_key: str, scope: str, day: str, now: datetime) -> int:
        """Confirmed playlists of (user, scope, day) plus reservations live at ``now``."""
        ...

    # --- chat updates -------------------------------------------------------------
    async def claim_update(self, source: str, update_id: int, expires_at: datetime) -> bool:
        """Records that ``update_id`` of ``source`` is being handled; False if already claimed.

        One ``INSERT ... ON CONFLICT DO NOTHING``, so exactly one process wins a
        redelivered update.
        """
        ...

    # --- limit settings per scope -----------------------------------------------
    async def get_limit_settings(self, scope: str) -> LimitSettings | None: ...

    async def set_limit_settings(self, scope: str, settings: LimitSettings) -> None: ...

    # --- profiles ---------------------------------------------------------------
    async def get_profile(self, user_key: str) -> Profile | None: ...

    async def save_profile(self, user_key: str, profile: Profile) -> None: ...

    # --- drafts -----------------------------------------------------------------
    async def create_draft(
        self,
        owner_key: str,
        scope: str,
        prompt: str,
        first: DraftVersion,
        expires_at: datetime,
    ) -> int:
        """Stores a draft and its version 1 in one transaction; returns the draft id."""
        ...

    async def add_draft_version(
        self, draft_id: int, version: DraftVersion, expires_at: datetime
    ) -> int:
        """Appends the next version (numbered by the store) and extends expiry."""
        ...

    async def get_draft(self, draft_id: int, now: datetime) -> Draft | None:
        """The draft with its latest version, or None when missing or expired."""
        ...

    async def get_draft_version(self, draft_id: int, version: int) -> DraftVersion | None: ...

    async def latest_draft(self, owner_key: str, scope: str, now: datetime) -> Draft | None: ...

    async def purge_expired(self, now: datetime) -> int:
        """Deletes expired drafts, states, cache rows and claimed updates; returns drafts removed."""
        ...

    # --- OAuth states and linked accounts ---------------------------------------
    async def put_oauth_state(self, state: OAuthState) -> None: ...

    async def consume_oauth_state(self, state: str, now: datetime) -> OAuthState | None:
        """Deletes and returns a live state in one statement; None if unknown/expired/used."""
        ...

    async def save_linked_account(self, account: LinkedAccount) -> None: ...

    async def get_linked_account(self, user_key: str, provider: str) -> LinkedAccount | None: ...

    async def delete_linked_account(self, user_key: str, provider: str) -> bool: ...

    # --- caches -----------------------------------------------------------------
    async def cache_get(self, namespace: str, key: str, now: datetime) -> str | None: ...

    async def cache_put(self, namespace: str, key: str, value: str, expires_at: datetime) -> None: ...

    async def cache_take(self, namespace: str, key: str, now: datetime) -> str | None:
        """A live cached value, deleted in the same statement: single use across processes."""
        ...

    # --- music-service apps per scope and saved playlists (Spotify issue) ---------
    async def set_scope_app(self, scope_key: str, provider: str, blob: bytes) -> None:
        """Stores (or replaces) a scope's app credentials, encrypted by the caller."""
        ...

    async def get_scope_app(self, scope_key: str, provider: str) -> bytes | None: ...

    async def delete_scope_app(self, scope_key: str, provider: str) -> bool: ...

    async def get_saved_playlist(
        self, user_key: str, draft_id: int, provider: str
    ) -> SavedPlaylist | None: ...

    async def put_saved_playlist(self, saved: SavedPlaylist) -> None:
        """Records (or replaces) where a draft was saved."""
        ...


@runtime_checkable
class Notifier(Protocol):
    """Sends a message nobody asked for (e.g. "your Spotify account is linked")."""

    async def notify(self, conversation: Conversation, reply: Reply) -> None: ...


@runtime_checkable
class Cipher(Protocol):
    """Encrypts secrets at rest (tokens, app secrets); ``decrypt`` raises ValueError if tampered."""

    def encrypt(self, plain: bytes) -> bytes: ...

    def decrypt(self, token: bytes) -> bytes: ...


@runtime_checkable
class MusicAccounts(Protocol):
    """A user's side of a music service: OAuth (PKCE), their profile, playlists, top artists.

    Errors: ``core.errors.NotLinked`` when the grant is refused (revoked, expired, wrong
    verifier, user not allowed), ``AccessTokenRejected`` on 401, ``PlaylistGone`` when a
    playlist is missing or not theirs, ``ProviderUnavailable`` when the service fails.
    """

    provider: str

    def authorize_url(
        self, app: AppCredentials, state: str, code_challenge: str, scopes: Sequence[str]
    ) -> str: ...

    async def exchange_code(
        self, app: AppCredentials, code: str, code_verifier: str
    ) -> OAuthTokens: ...

    async def refresh(self, app: AppCredentials, refresh_token: str) -> OAuthTokens:
        """New tokens; the refresh token may rotate (the caller stores the new one)."""
        ...

    async def profile(self, access_token: str) -> AccountProfile: ...

    async def create_playlist(
        self, access_token: str, name: str, description: str
    ) -> tuple[str, str]:
        """Creates a private playlist; returns (playlist id, its web URL)."""
        ...

    async def update_playlist(
        self, access_token: str, playlist_id: str, name: str, description: str
    ) -> None: ...

    async def set_items(
        self, access_token: str, playlist_id: str, uris: Sequence[str], *, replace: bool
    ) -> None:
        """Puts exactly ``uris`` (in order) in the playlist (``replace``) or appends them."""
        ...

    async def top_artists(self, access_token: str, limit: int) -> list[ArtistInfo]: ...


@runtime_checkable
class EngineObserver(Protocol):
    """Hears what the engine did, for metrics.  Called inline: cheap, never raises."""

    def playlist_finished(self, verb: str, outcome: str, seconds: float) -> None:
        """A generate/refine/regenerate ended: ``outcome`` is "ok" or the error's code."""
        ...

    def limit_refused(self, kind: str) -> None:
        """A request was refused by a limit: ``kind`` is "playlist" or "refinement"."""
        ...


@runtime_checkable
class Scratch(Protocol):
    """Short-lived values a chat adapter keeps across updates and processes.

    A narrow slice of the store, namespaced per adapter: the adapter cannot read or
    write users, drafts or quotas through it.  Values live until their expiry.
    """

    async def put(self, key: str, value: str, ttl: timedelta) -> None:
        """Stores (or replaces) ``value`` under ``key`` for ``ttl``."""
        ...

    async def get(self, key: str) -> str | None:
        """The live value under ``key``, or None."""
        ...

    async def take(self, key: str) -> str | None:
        """The live value under ``key``, deleted as it is read: one caller in any process gets it."""
        ...

    async def claim(self, number: int, ttl: timedelta) -> bool:
        """True for the first caller (in any process) to claim ``number`` (e.g. an update id)."""
        ...

"""Linking a user's music account, and what a link allows: saving playlists, importing taste.

This is policy, not plumbing: the OAuth state rules (random, single use, ten minutes, bound
to the chat user who asked, PKCE), encryption of every token at rest, refreshing (and
storing the rotated refresh token), asking the user to link again when the grant is gone,
and saving a draft idempotently.  The wire work is done by a ``MusicAccounts`` adapter.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import json
import logging
import re
import secrets
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from core import wording
from core.engine import Engine
from core.errors import (
    AccessTokenRejected,
    EchoTunerError,
    InvalidInput,
    NothingFound,
    NotLinked,
    PlaylistGone,
    ProviderUnavailable,
)
from core.ids import is_spotify_id, track_uri
from core.models import (
    AppCredentials,
    ArtistInfo,
    Conversation,
    LinkedAccount,
    LinkOutcome,
    OAuthState,
    OAuthTokens,
    Profile,
    SavedPlaylist,
    UserRef,
)
from core.ports import Cipher, MusicAccounts, Notifier
from core.profile_edit import MAX_ITEMS
from core.replies import TextReply

log = logging.getLogger(__name__)

PROVIDER = "spotify"
# What saving and taste import need (ugc-image-upload joins when covers come).
SCOPES = ("playlist-modify-private", "playlist-modify-public", "user-top-read")
STATE_TTL = timedelta(minutes=10)
# Spotify's refresh tokens die six months after the original consent; refreshing does not
# extend them.  Checked locally too, so an expired link is reported without a round trip.
REFRESH_TOKEN_LIFETIME = timedelta(days=182)
REFRESH_MARGIN = timedelta(seconds=60)
TOP_ARTISTS = 20
IMPORTED_ARTISTS = 10
IMPORTED_GENRES = 6
NAME_LIMIT = 100
DESCRIPTION_LIMIT = 300

_STATE = re.compile(r"[A-Za-z0-9_-]{16,128}")
_CREDENTIAL = re.compile(r"[A-Za-z0-9]{16,64}")
_PRIVATE_SCOPES = frozenset({"dm", "console", "api"})
_MAX_CODE_LENGTH = 2048

# Which states were issued and which were used, kept a day beyond their life so the
# callback page can say "expired" or "already used" instead of a vague "not valid".
# Keys are SHA-256 of the state (never the state itself); values are the platform.
ISSUED_NAMESPACE = "oauth-issued"
USED_NAMESPACE = "oauth-used"
STATE_MEMORY = timedelta(days=1)
# Which account each successful callback linked, by state digest, so an API session can be
# valid only when its own state's callback succeeded; kept longer than the longest session.
COMPLETED_NAMESPACE = "oauth-linked"
COMPLETED_MEMORY = timedelta(days=31)

T = TypeVar("T")


def code_challenge(verifier: str) -> str:
    """PKCE S256: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _clean_line(text: str, limit: int) -> str:
    # Model output and prompts become Spotify metadata: one line, no markup, bounded.
    line = " ".join(text.replace("<", " ").replace(">", " ").split())
    return line[:limit].rstrip()


def playlist_description(prompt: str) -> str:
    """The description of a saved playlist: it names the prompt it was made from."""
    head = 'Made with EchoTuner from "'
    room = DESCRIPTION_LIMIT - len(head) - 1
    text = _clean_line(prompt, room + 1)
    if len(text) > room:
        text = text[: room - 1].rstrip() + "…"
    return f'{head}{text}"'


@dataclass
class _Session:
    """One user's decrypted link while an operation runs (tokens may be refreshed)."""

    account: LinkedAccount
    client_id: str
    tokens: OAuthTokens
    consented_at: datetime


class Linking:
    """The linking and saving verbs chat adapters and the web callback call."""

    def __init__(
        self,
        *,
        engine: Engine,
        accounts: MusicAccounts,
        cipher: Cipher,
        default_app: AppCredentials,
        notifier: Notifier | None = None,
        clock: Callable[[], datetime] | None = None,
        state_ttl: timedelta = STATE_TTL,
    ) -> None:
        self.engine = engine
        self.store = engine.store
        self.keys = engine.keys
        self.accounts = accounts
        self.cipher = cipher
        self.default_app = default_app
        self.notifier = notifier
        self.state_ttl = state_ttl
        self._clock = clock or (lambda: datetime.now(UTC))
        # One operation at a time per user: refresh tokens rotate, so two refreshes of one
        # grant at once would invalidate each other.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @property
    def provider(self) -> str:
        return self.accounts.provider

    # --- linking --------------------------------------------------------------------
    async def link_start(
        self, user: UserRef, notify: Conversation, *, chat_account: str = ""
    ) -> str:
        """An authorisation URL bound to this user (state: random, single use, 10 min, PKCE).

        Deliver it privately.  ``notify`` is where to say "linked" when the callback completes;
        ``chat_account`` is how the chat shows the user ("@alice"), for the callback page.
        """
        now = self._clock()
        app, app_scope = await self._app_for(user.scope)
        state = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)  # 86 characters; PKCE wants 43 to 128
        payload = {
            "verifier": verifier,
            "platform": notify.platform,
            "conversation": notify.conversation_id,
            "client_id": app.client_id,
            "app_scope": app_scope,
            "chat_account": _clean_line(chat_account, 64),
        }
        await self.store.put_oauth_state(
            OAuthState(
                state=state,
                user_key=self.keys.key(user),
                created_at=now,
                expires_at=now + self.state_ttl,
                payload=self._seal(payload),
            )
        )
        await self.store.cache_put(ISSUED_NAMESPACE, _state_digest(state), notify.platform,
                                   now + self.state_ttl + STATE_MEMORY)
        return self.accounts.authorize_url(app, state, code_challenge(verifier), SCOPES)

    async def state_issued(self, state: str | None) -> bool:
        """Whether ``state`` is one of our sign-in links not yet used (consumes nothing).

        The callback's attempt limiter lets such a state through: junk from one address
        must not lock a real user out of finishing their sign-in.  It may have expired
        meanwhile; ``link_finish`` then says so.
        """
        if not state or not _STATE.fullmatch(state):
            return False
        now = self._clock()
        digest = _state_digest(state)
        if await self.store.cache_get(ISSUED_NAMESPACE, digest, now) is None:
            return False
        return await self.store.cache_get(USED_NAMESPACE, digest, now) is None

    async def link_finish(
        self, state: str | None, code: str | None, error: str | None
    ) -> LinkOutcome:
        """Completes a link from the OAuth callback.

        A missing, forged, expired or replayed state writes nothing.  On success the tokens
        are stored encrypted and the user's conversation is told.
        """
        if not state or not _STATE.fullmatch(state):
            return LinkOutcome(False, wording.BAD_STATE(), kind="invalid")
        now = self._clock()
        digest = _state_digest(state)
        pending = await self.store.consume_oauth_state(state, now)
        if pending is None:
            return await self._spent_state(digest, now)
        await self.store.cache_put(USED_NAMESPACE, digest, "", now + STATE_MEMORY)
        try:
            data = self._unseal(pending.payload)
            verifier = str(data["verifier"])
            conversation = Conversation(str(data["platform"]), str(data["conversation"]))
            app = AppCredentials(str(data["client_id"]))
            chat_account = str(data.get("chat_account", ""))  # states issued before it: none
        except (ValueError, KeyError, TypeError):
            return LinkOutcome(False, wording.BAD_STATE(), kind="invalid")
        platform = conversation.platform
        if error:
            if error == "access_denied":
                message = wording.ACCESS_DENIED()
            else:
                message = wording.SIGN_IN_INCOMPLETE()
            await self._notify(conversation, message)
            return LinkOutcome(False, message, kind="denied" if error == "access_denied" else "error",
                               platform=platform)
        if not code or len(code) > _MAX_CODE_LENGTH:
            return LinkOutcome(False, wording.BAD_STATE(), kind="invalid", platform=platform)
        now = self._clock()
        try:
            tokens = await self.accounts.exchange_code(app, code, verifier)
            profile = await self.accounts.profile(tokens.access_token)
        except (NotLinked, ProviderUnavailable) as exc:
            message = wording.linking_failed(exc.user_message)
            await self._notify(conversation, message)
            return LinkOutcome(False, message, kind="error", platform=platform)
        except AccessTokenRejected:
            message = wording.NEW_SIGN_IN_REFUSED()
            await self._notify(conversation, message)
            return LinkOutcome(False, message, kind="error", platform=platform)
        account = LinkedAccount(
            user_key=pending.user_key,
            provider=self.provider,
            account_id=profile.account_id,
            display_name=profile.display_name,
            token_blob=self._token_blob(tokens, app.client_id, consented_at=now),
            linked_at=now,
        )
        await self.store.save_linked_account(account)
        await self.store.cache_put(COMPLETED_NAMESPACE, digest, profile.account_id,
                                   now + COMPLETED_MEMORY)
        name = profile.display_name or profile.account_id
        await self._notify(
            conversation,
            wording.account_linked(name),
        )
        return LinkOutcome(
            True,
            wording.linked_as(name),
            display_name=name,
            kind="linked",
            platform=platform,
            chat_account=chat_account,
        )

    async def _spent_state(self, digest: str, now: datetime) -> LinkOutcome:
        """A state the store no longer holds: used already, expired, or never ours."""
        if await self.store.cache_get(USED_NAMESPACE, digest, now) is not None:
            issued = await self.store.cache_get(ISSUED_NAMESPACE, digest, now)
            return LinkOutcome(False, wording.REPLAYED_STATE(), kind="used", platform=issued or "")
        issued = await self.store.cache_get(ISSUED_NAMESPACE, digest, now)
        if issued is not None:
            return LinkOutcome(False, wording.EXPIRED_STATE(), kind="expired", platform=issued)
        # Older than our memory of it, or made up: the same page as an expired link.
        return LinkOutcome(False, wording.USED_STATE(), kind="expired")

    async def unlink(self, user: UserRef) -> bool:
        """Deletes the user's tokens; returns whether there was a link."""
        key = self.keys.key(user)
        async with self._lock(key):
            return await self.store.delete_linked_account(key, self.provider)

    @staticmethod
    def state_digest(state: str) -> str:
        """What the store knows a state by (never the state itself)."""
        return _state_digest(state)

    async def completed_link(self, state_digest: str) -> str | None:
        """The account id that the callback of this state linked; None while it is pending,
        when it failed, or when it is unknown."""
        return await self.store.cache_get(COMPLETED_NAMESPACE, state_digest, self._clock())

    async def linked_account(self, user: UserRef) -> LinkedAccount | None:
        """The user's link (its tokens still encrypted), or None."""
        return await self.store.get_linked_account(self.keys.key(user), self.provider)

    # --- saving -----------------------------------------------------------------------
    async def save(self, user: UserRef, draft_id: int, version: int | None = None) -> str:
        """Creates (or, the second time, updates) the playlist in the user's account; its URL.

        Saves the draft's latest version, or ``version`` (the one a button's message shows);
        a draft has one playlist in the account, holding whichever version was saved last.
        Raises ``NotLinked`` when the user has no working link, ``DraftNotFound`` /
        ``NotYourPlaylist`` for someone else's or an expired draft (or a version it lacks).
        """
        draft = await self.engine.own_draft(user, draft_id, shared=True)
        shown = await self.engine.draft_version(draft, version)
        tracks = shown.tracks
        uris = [track_uri(t.id) for t in tracks if is_spotify_id(t.id)]
        if len(uris) < len(tracks):
            log.warning("draft %d: %d tracks without a valid Spotify id were left out",
                        draft.id, len(tracks) - len(uris))
        if not uris:
            raise InvalidInput(wording.NO_SPOTIFY_IDS())
        name = _clean_line(shown.title, NAME_LIMIT) or wording.DEFAULT_PLAYLIST_NAME()
        description = playlist_description(draft.prompt)
        key = self.keys.key(user)
        async with self._lock(key):
            session = await self._session(key)
            account_id = session.account.account_id
            saved = await self.store.get_saved_playlist(key, draft.id, self.provider)
            if saved is not None and saved.account_id == account_id and is_spotify_id(saved.playlist_id):
                try:
                    playlist_id = saved.playlist_id
                    await self._call(session, lambda token: self.accounts.update_playlist(
                        token, playlist_id, name, description))
                    await self._call(session, lambda token: self.accounts.set_items(
                        token, playlist_id, uris, replace=True))
                    return saved.url
                except PlaylistGone:
                    log.info("saved playlist of draft %d is gone; creating a new one", draft.id)
            playlist_id, url = await self._call(
                session, lambda token: self.accounts.create_playlist(token, name, description)
            )
            # Recorded before the items go in: if adding fails half-way, the next save
            # replaces the items of this playlist instead of making a second one.
            await self.store.put_saved_playlist(
                SavedPlaylist(key, draft.id, self.provider, account_id, playlist_id, url,
                              self._clock())
            )
            appended = False

            async def fill(token: str) -> None:
                # Appending is right for the empty new playlist; a second attempt (after a
                # refresh) replaces, so items added before the failure are not doubled.
                nonlocal appended
                replace, appended = appended, True
                await self.accounts.set_items(token, playlist_id, uris, replace=replace)

            await self._call(session, fill)
            return url

    # --- taste ------------------------------------------------------------------------
    async def import_taste(self, user: UserRef) -> Profile:
        """With the user's consent (they asked): top artists and their genres into the profile.

        Imported names go first; what the user set by hand stays after them; disliked
        artists are never imported as favourites.
        """
        key = self.keys.key(user)
        async with self._lock(key):
            session = await self._session(key)
            artists = await self._call(
                session, lambda token: self.accounts.top_artists(token, TOP_ARTISTS)
            )
        if not artists:
            raise NothingFound(wording.NO_TOP_ARTISTS())
        updated = with_top_artists(await self.engine.get_profile(user), artists)
        return await self.engine.set_profile(user, updated)

    async def listened_taste(self, user: UserRef, profile: Profile) -> Profile:
        """``profile`` with the user's top artists and their genres first, read now from
        their linked account and kept nowhere (a blend's taste); ``profile`` itself when
        the user has no link or the service cannot answer."""
        key = self.keys.key(user)
        if await self.store.get_linked_account(key, self.provider) is None:
            return profile
        try:
            async with self._lock(key):
                session = await self._session(key)
                artists = await self._call(
                    session, lambda token: self.accounts.top_artists(token, TOP_ARTISTS)
                )
        except EchoTunerError as exc:  # a blend goes on with the profile alone
            log.info("top artists unavailable for a blend member (%s)", exc.code)
            return profile
        return with_top_artists(profile, artists)

    # --- per-scope apps -----------------------------------------------------------------
    async def set_scope_app(self, scope: str, client_id: str, client_secret: str) -> None:
        """An admin's Spotify app for their server/group (stored encrypted).

        The caller has checked the admin's permission.  Links made in that scope from now
        on use this app, so a community is not capped by the operator's app's user limit.
        """
        if scope in _PRIVATE_SCOPES:
            raise InvalidInput(wording.APP_NEEDS_A_GROUP())
        client_id, client_secret = client_id.strip(), client_secret.strip()
        if not _CREDENTIAL.fullmatch(client_id) or not _CREDENTIAL.fullmatch(client_secret):
            raise InvalidInput(wording.APP_CREDENTIALS_MALFORMED())
        blob = self.cipher.encrypt(
            json.dumps({"client_id": client_id, "client_secret": client_secret}).encode()
        )
        await self.store.set_scope_app(self.keys.scope_key(scope), self.provider, blob)

    async def clear_scope_app(self, scope: str) -> bool:
        """Back to the operator's app for this scope; returns whether one was set."""
        return await self.store.delete_scope_app(self.keys.scope_key(scope), self.provider)

    async def scope_app(self, scope: str) -> AppCredentials:
        """The app links made in ``scope`` use."""
        return (await self._app_for(scope))[0]

    # --- internals ----------------------------------------------------------------------
    async def _app_for(self, scope: str) -> tuple[AppCredentials, str]:
        if scope in _PRIVATE_SCOPES:
            return self.default_app, ""
        scope_key = self.keys.scope_key(scope)
        blob = await self.store.get_scope_app(scope_key, self.provider)
        if blob is None:
            return self.default_app, ""
        try:
            data = json.loads(self.cipher.decrypt(blob))
            return AppCredentials(str(data["client_id"]), str(data["client_secret"])), scope_key
        except (ValueError, KeyError, TypeError):
            log.warning("a scope's Spotify app could not be decrypted; using the default app")
            return self.default_app, ""

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    def _seal(self, data: dict[str, Any]) -> str:
        return self.cipher.encrypt(json.dumps(data).encode()).decode("ascii")

    def _unseal(self, text: str) -> dict[str, Any]:
        data = json.loads(self.cipher.decrypt(text.encode("ascii")))
        if not isinstance(data, dict):
            raise ValueError("payload is not an object")
        return data

    def _token_blob(self, tokens: OAuthTokens, client_id: str, *, consented_at: datetime) -> bytes:
        return self.cipher.encrypt(json.dumps({
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expires_at": tokens.expires_at.timestamp(),
            "scope": tokens.scope,
            "client_id": client_id,
            "consented_at": consented_at.timestamp(),
        }).encode())

    def _read_blob(self, account: LinkedAccount) -> _Session:
        data = json.loads(self.cipher.decrypt(account.token_blob))
        return _Session(
            account=account,
            client_id=str(data["client_id"]),
            tokens=OAuthTokens(
                access_token=str(data["access_token"]),
                refresh_token=str(data["refresh_token"]),
                expires_at=datetime.fromtimestamp(float(data["expires_at"]), UTC),
                scope=str(data.get("scope", "")),
            ),
            consented_at=datetime.fromtimestamp(float(data["consented_at"]), UTC),
        )

    async def _session(self, key: str) -> _Session:
        """The user's link, decrypted, with an access token that is fresh for a minute."""
        account = await self.store.get_linked_account(key, self.provider)
        if account is None:
            raise NotLinked(wording.NOT_LINKED())
        try:
            session = self._read_blob(account)
        except (ValueError, KeyError, TypeError):
            # The encryption key changed or the row is damaged: the link cannot be used.
            await self.store.delete_linked_account(key, self.provider)
            raise NotLinked(wording.link_again(wording.LINK_UNREADABLE())) from None
        now = self._clock()
        if now >= session.consented_at + REFRESH_TOKEN_LIFETIME:
            await self.store.delete_linked_account(key, self.provider)
            raise NotLinked(wording.link_again(wording.LINK_SIX_MONTHS()))
        if session.tokens.expires_at - REFRESH_MARGIN <= now:
            await self._refresh(session)
        return session

    async def _refresh(self, session: _Session) -> None:
        """Refreshes and stores the (rotated) tokens; a dead grant removes the link."""
        key = session.account.user_key
        app = AppCredentials(session.client_id)
        try:
            tokens = await self.accounts.refresh(app, session.tokens.refresh_token)
        except NotLinked:
            # Another process may have rotated the token a moment ago: use its result.
            current = await self.store.get_linked_account(key, self.provider)
            if current is not None and current.token_blob != session.account.token_blob:
                try:
                    fresh = self._read_blob(current)
                except (ValueError, KeyError, TypeError):
                    fresh = None
                if fresh is not None and fresh.tokens.expires_at - REFRESH_MARGIN > self._clock():
                    session.account, session.tokens = current, fresh.tokens
                    return
            await self.store.delete_linked_account(key, self.provider)
            raise NotLinked(wording.link_again(wording.LINK_REVOKED())) from None
        blob = self._token_blob(tokens, session.client_id, consented_at=session.consented_at)
        account = dataclasses.replace(session.account, token_blob=blob)
        await self.store.save_linked_account(account)
        session.account, session.tokens = account, tokens

    async def _call(self, session: _Session, op: Callable[[str], Awaitable[T]]) -> T:
        """Runs ``op`` with the access token; on a 401 refreshes once and tries again."""
        try:
            return await op(session.tokens.access_token)
        except AccessTokenRejected:
            await self._refresh(session)
        try:
            return await op(session.tokens.access_token)
        except AccessTokenRejected:
            raise NotLinked(wording.link_again(wording.ACCESS_WITHDRAWN())) from None

    async def _notify(self, conversation: Conversation, text: str) -> None:
        if self.notifier is None:
            return
        try:
            await self.notifier.notify(conversation, TextReply(text))
        except Exception:  # the chat being unreachable must not undo a link
            log.warning("could not notify %s about a link", conversation.platform, exc_info=True)


def _state_digest(state: str) -> str:
    return hashlib.sha256(state.encode("ascii")).hexdigest()


def with_top_artists(profile: Profile, artists: Sequence[ArtistInfo]) -> Profile:
    """``profile`` with top artists (best first) and their most weighted genres before what
    it had; disliked artists are never made favourites."""
    disliked = {a.casefold() for a in profile.disliked_artists}
    names = [a.name for a in artists if a.name and a.name.casefold() not in disliked]
    weights: Counter[str] = Counter()
    for rank, artist in enumerate(artists):
        for genre in artist.genres:
            weights[genre.strip().lower()] += len(artists) - rank
    genres = [g for g, _ in weights.most_common(IMPORTED_GENRES) if g]
    return dataclasses.replace(
        profile,
        favourite_artists=_merge(names[:IMPORTED_ARTISTS], profile.favourite_artists),
        favourite_genres=_merge(genres, profile.favourite_genres),
    )


def _merge(first: list[str], then: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    seen: set[str] = set()
    for item in (*first, *then):
        folded = item.casefold()
        if item and folded not in seen:
            seen.add(folded)
            out.append(item)
    return tuple(out[:MAX_ITEMS])


__all__ = [
    "PROVIDER",
    "SCOPES",
    "Linking",
    "code_challenge",
    "playlist_description",
]

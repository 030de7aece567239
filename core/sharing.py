"""Shareable playlist pages: an unguessable id per draft, kept as long as the draft.

A page at ``/p/<id>`` shows a playlist to anyone holding the link, so the id must not be
the draft's database id (counting 1, 2, 3... would list everybody's playlists).  Each
draft gets a random id (``secrets.token_urlsafe(16)``: 128 bits) the first time it is
shared.  The mapping lives in the store's expiring cache, in both directions:

* ``share``: page id -> draft id (what the page resolves), and
* ``share-of``: draft id -> page id (so sharing the same draft again gives the same link),

each expiring with the draft.  A refinement extends the draft, and sharing it again (or
opening its page) moves the mapping's expiry along, so the link lives exactly as long
as the playlist.  No table of its own: the cache already expires and is purged.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from core.models import Draft, DraftVersion
from core.ports import Store

SHARE_NAMESPACE = "share"
SHARE_OF_NAMESPACE = "share-of"
SHARE_PATH = "/p/"
_SHARE_ID = re.compile(r"[A-Za-z0-9_-]{22}")  # token_urlsafe(16): 16 bytes, 22 characters


def new_share_id() -> str:
    """A fresh page id: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def is_share_id(text: str) -> bool:
    """Whether ``text`` has the shape of a page id (checked before any store lookup)."""
    return bool(_SHARE_ID.fullmatch(text))


@dataclass(frozen=True, slots=True)
class SharedPlaylist:
    """What a shared page shows: the draft, the version asked for, and every version number."""

    share_id: str
    draft: Draft
    version: DraftVersion
    versions: tuple[int, ...]

    @property
    def prompt(self) -> str:
        return self.draft.prompt

    @property
    def latest_version(self) -> int:
        return self.draft.latest.version

    @property
    def expires_at(self) -> datetime:
        return self.draft.expires_at


class Sharing:
    """Gives drafts their page links and finds the draft behind a link.

    ``base_url`` is ``PUBLIC_BASE_URL``: without it there is no public page to point to,
    and ``share_url`` answers None (pages may still be opened by id on the web side).
    """

    def __init__(
        self,
        store: Store,
        base_url: str = "",
        *,
        clock: Callable[[], datetime] | None = None,
        new_id: Callable[[], str] = new_share_id,
    ) -> None:
        self.store = store
        self.base_url = base_url.rstrip("/")
        self._clock = clock or (lambda: datetime.now(UTC))
        self._new_id = new_id

    @property
    def enabled(self) -> bool:
        """Whether links are handed out (PUBLIC_BASE_URL is set)."""
        return bool(self.base_url)

    def url_for(self, share_id: str) -> str:
        return f"{self.base_url}{SHARE_PATH}{share_id}"

    async def share_url(self, draft_id: int) -> str | None:
        """The page link of a live draft; None when PUBLIC_BASE_URL is unset or the draft is gone."""
        if not self.enabled:
            return None
        share_id = await self.share_id(draft_id)
        return self.url_for(share_id) if share_id is not None else None

    async def share_id(self, draft_id: int) -> str | None:
        """The draft's page id (made on first use), its expiry moved to the draft's; None if gone.

        Two first shares of one draft at the same moment may both make an id; the later
        one is what ``share-of`` remembers and both links work until the draft expires.
        """
        now = self._clock()
        draft = await self.store.get_draft(draft_id, now)
        if draft is None:
            return None
        share_id = await self.store.cache_get(SHARE_OF_NAMESPACE, str(draft.id), now)
        if share_id is None or not is_share_id(share_id):
            share_id = self._new_id()
        await self._keep(share_id, draft)
        return share_id

    async def resolve(self, share_id: str, version: int | None = None) -> SharedPlaylist | None:
        """The playlist behind a page id (its latest version, or ``version``); None when unknown.

        None also for an expired draft and for a version it does not have.
        """
        if not is_share_id(share_id):
            return None
        now = self._clock()
        raw = await self.store.cache_get(SHARE_NAMESPACE, share_id, now)
        if raw is None or not raw.isdigit():
            return None
        draft = await self.store.get_draft(int(raw), now)
        if draft is None:
            return None
        latest = draft.latest.version
        if version is None or version == latest:
            shown: DraftVersion | None = draft.latest
        elif 1 <= version < latest:
            shown = await self.store.get_draft_version(draft.id, version)
        else:
            shown = None
        if shown is None:
            return None
        if await self.store.cache_get(SHARE_OF_NAMESPACE, str(draft.id), now) == share_id:
            await self._keep(share_id, draft)  # refined elsewhere: the link follows the draft
        return SharedPlaylist(share_id, draft, shown, tuple(range(1, latest + 1)))

    async def _keep(self, share_id: str, draft: Draft) -> None:
        # Page id first: a link is never handed out before it resolves.
        await self.store.cache_put(SHARE_NAMESPACE, share_id, str(draft.id), draft.expires_at)
        await self.store.cache_put(SHARE_OF_NAMESPACE, str(draft.id), share_id, draft.expires_at)


__all__ = [
    "SHARE_NAMESPACE",
    "SHARE_OF_NAMESPACE",
    "SHARE_PATH",
    "SharedPlaylist",
    "Sharing",
    "is_share_id",
    "new_share_id",
]

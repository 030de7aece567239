"""The store's side of blends (``core.blend_invites.BlendStore``), for SQLite and PostgreSQL.

Written once in the neutral SQL of ``data.sql_store`` (``$n`` placeholders).  Joining
is the one promise with concurrency in it: the member count is bumped by an UPDATE whose
WHERE re-checks the cap, which takes the row's lock on PostgreSQL (a second join waits,
then sees the new count) and runs alone on SQLite (``BEGIN IMMEDIATE``); the member row
goes in within the same transaction.  Members' platform refs are sealed with the token key.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.blend_invites import (
    BlendInvite,
    BlendMember,
    BlendStatus,
    JoinOutcome,
    NewBlend,
    read_credits,
)
from core.errors import StoreUnavailable
from core.models import UserRef
from core.ports import Cipher
from data.token_cipher import SealError, seal_text, unseal_text

if TYPE_CHECKING:
    from data.sql_store import Executor, Row

__all__ = ["BlendRows"]

_STATUSES: tuple[BlendStatus, ...] = ("open", "started", "done", "expired")
_BLEND_COLUMNS = (
    "id, platform, starter_key, scope, prompt, count, max_members, status, created_at, "
    "expires_at, draft_id, credits_json"
)


class _Rejoined(Exception):
    """The member row was there already: the count bump is rolled back."""


def _seal_user(cipher: Cipher, user: UserRef) -> bytes:
    return seal_text(cipher, json.dumps([user.platform, user.user_id, user.scope]))


def _unseal_user(cipher: Cipher, blob: bytes) -> UserRef | None:
    try:
        platform, user_id, scope = json.loads(unseal_text(cipher, blob))
        return UserRef(str(platform), str(user_id), str(scope))
    except (SealError, ValueError, TypeError):
        return None  # a changed token key: the member still counts, unreachable


class BlendRows(ABC):
    """The blend methods of ``data.sql_store.SqlStore`` (a base class of it)."""

    @abstractmethod
    def _session(self) -> AbstractAsyncContextManager[Executor]: ...

    @abstractmethod
    def _transaction(self) -> AbstractAsyncContextManager[Executor]: ...

    @abstractmethod
    def _require_cipher(self) -> Cipher: ...

    @abstractmethod
    def _unavailable(self, exc: BaseException) -> StoreUnavailable: ...

    @abstractmethod
    def _time(self, moment: datetime) -> Any: ...

    @abstractmethod
    def _read_time(self, value: Any) -> datetime: ...

    async def create_blend(self, blend: NewBlend) -> int:
        """Stores the invitation and its first members (the starter first) in one transaction."""
        async with self._transaction() as db:
            cipher = self._require_cipher()
            blend_id = await db.fetchval(
                "INSERT INTO blends (starter_key, scope, platform, prompt, count, max_members, "
                "joined, status, created_at, expires_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9) RETURNING id",
                blend.members[0].key, blend.scope_key, blend.platform, blend.prompt, blend.count,
                blend.max_members, len(blend.members), self._time(blend.created_at),
                self._time(blend.expires_at),
            )
            for position, member in enumerate(blend.members):
                assert member.user is not None  # a new member is always someone
                await db.execute(
                    "INSERT INTO blend_members (blend_id, member_key, position, display_name, "
                    "user_sealed, joined_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    blend_id, member.key, position, member.name, _seal_user(cipher, member.user),
                    self._time(blend.created_at),
                )
        return int(blend_id)

    async def get_blend(self, blend_id: int) -> BlendInvite | None:
        """The blend with its members in joining order, or None."""
        async with self._session() as db:
            row = await db.fetchrow(f"SELECT {_BLEND_COLUMNS} FROM blends WHERE id = $1", blend_id)
            if row is None:
                return None
            members = await db.fetch(
                "SELECT member_key, display_name, user_sealed FROM blend_members "
                "WHERE blend_id = $1 ORDER BY position",
                blend_id,
            )
            return self._blend(row, members)

    async def blend_of_draft(self, draft_id: int) -> BlendInvite | None:
        """The blend that made ``draft_id``, or None."""
        async with self._session() as db:
            found = await db.fetchval("SELECT id FROM blends WHERE draft_id = $1", draft_id)
        return None if found is None else await self.get_blend(int(found))

    def _blend(self, row: Row, members: Sequence[Row]) -> BlendInvite:
        cipher = self._require_cipher()
        status = str(row["status"])
        count = row["count"]
        draft = row["draft_id"]
        return BlendInvite(
            id=int(row["id"]),
            platform=str(row["platform"]),
            starter_key=str(row["starter_key"]),
            prompt=str(row["prompt"]),
            count=None if count is None else int(count),
            max_members=int(row["max_members"]),
            status=next((s for s in _STATUSES if s == status), "expired"),
            created_at=self._read_time(row["created_at"]),
            expires_at=self._read_time(row["expires_at"]),
            members=tuple(
                BlendMember(str(m["member_key"]), str(m["display_name"]),
                            _unseal_user(cipher, bytes(m["user_sealed"])))
                for m in members
            ),
            draft_id=None if draft is None else int(draft),
            credits=read_credits(str(row["credits_json"])),
            scope_key=str(row["scope"]),
        )

    async def join_blend(self, blend_id: int, member: BlendMember, now: datetime) -> JoinOutcome:
        """Adds a member to an open, unexpired, not yet full blend, in one transaction."""
        assert member.user is not None
        moment = self._time(now)
        try:
            async with self._transaction() as db:
                cipher = self._require_cipher()
                known = await db.fetchval(
                    "SELECT 1 FROM blend_members WHERE blend_id = $1 AND member_key = $2",
                    blend_id, member.key,
                )
                if known is not None:
                    return "already"
                position = await db.fetchval(
                    "UPDATE blends SET joined = joined + 1 WHERE id = $1 AND status = 'open' "
                    "AND expires_at > $2 AND joined < max_members RETURNING joined - 1",
                    blend_id, moment,
                )
                if position is None:
                    return await self._why_not(db, blend_id, now)
                inserted = await db.fetchval(
                    "INSERT INTO blend_members (blend_id, member_key, position, display_name, "
                    "user_sealed, joined_at) VALUES ($1, $2, $3, $4, $5, $6) "
                    "ON CONFLICT (blend_id, member_key) DO NOTHING RETURNING 1",
                    blend_id, member.key, int(position), member.name,
                    _seal_user(cipher, member.user), moment,
                )
                if inserted is None:  # the same member, joining twice at once elsewhere
                    raise _Rejoined
        except _Rejoined:
            return "already"
        return "joined"

    async def _why_not(self, db: Executor, blend_id: int, now: datetime) -> JoinOutcome:
        row = await db.fetchrow(
            "SELECT status, expires_at, joined, max_members FROM blends WHERE id = $1", blend_id
        )
        if row is None:
            return "missing"
        if str(row["status"]) in ("started", "done"):
            return "started"
        if str(row["status"]) == "expired" or self._read_time(row["expires_at"]) <= now:
            return "expired"
        return "full"

    async def start_blend(self, blend_id: int, now: datetime) -> bool:
        """Open and unexpired -> started: one statement, so one Start wins."""
        async with self._session() as db:
            found = await db.fetchval(
                "UPDATE blends SET status = 'started' WHERE id = $1 AND status = 'open' "
                "AND expires_at > $2 RETURNING 1",
                blend_id, self._time(now),
            )
        return found is not None

    async def reopen_blend(self, blend_id: int) -> None:
        """Started (or done, when the finished playlist could not be delivered) -> open,
        forgetting the undelivered draft."""
        async with self._session() as db:
            await db.execute(
                "UPDATE blends SET status = 'open', draft_id = NULL, credits_json = '{}' "
                "WHERE id = $1 AND status IN ('started', 'done')",
                blend_id,
            )

    async def finish_blend(self, blend_id: int, draft_id: int, credits_json: str) -> None:
        """Started -> done, with the draft it made and whose taste each track serves."""
        async with self._session() as db:
            await db.execute(
                "UPDATE blends SET status = 'done', draft_id = $2, credits_json = $3 WHERE id = $1",
                blend_id, draft_id, credits_json,
            )

    async def expire_blend(self, blend_id: int, now: datetime) -> bool:
        """Open and past its window -> expired; True for the one caller that did it."""
        async with self._session() as db:
            found = await db.fetchval(
                "UPDATE blends SET status = 'expired' WHERE id = $1 AND status = 'open' "
                "AND expires_at <= $2 RETURNING 1",
                blend_id, self._time(now),
            )
        return found is not None

    async def purge_blends(self, before: datetime) -> int:
        """Deletes blends whose window ended before ``before`` and that have no draft (it was
        purged, or none was made); their members go with them."""
        async with self._session() as db:
            rows = await db.fetch(
                "DELETE FROM blends WHERE expires_at < $1 AND draft_id IS NULL RETURNING id",
                self._time(before),
            )
        return len(rows)

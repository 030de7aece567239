"""The store's side of blends, on SQLite and a real PostgreSQL: what several processes share.

Two stores opened on one database stand for two bot processes.
"""

from __future__ import annotations

import asyncio
import inspect
from datetime import timedelta

import pytest

from core.blend_invites import BlendMember, BlendStore, NewBlend
from core.models import UserRef
from data.postgres_store import PostgresStore
from data.sqlite_store import SqliteStore
from tests.integration.test_store_contract import AnyStore, Backend
from tests.store_samples import NOW, version

WINDOW = timedelta(minutes=5)


def member(n: int, name: str = "") -> BlendMember:
    return BlendMember(f"key-{n}", name or f"Member {n}", UserRef("telegram", str(n), "chat:-100"))


def new_blend(cap: int = 10, *members: BlendMember) -> NewBlend:
    return NewBlend(platform="telegram", scope_key="s:group", prompt="road trip", count=12,
                    max_members=cap, created_at=NOW, expires_at=NOW + WINDOW,
                    members=members or (member(0, "Alice"),))


@pytest.mark.parametrize("implementation", [SqliteStore, PostgresStore])
def test_both_stores_implement_every_blend_method(implementation: type[AnyStore]) -> None:
    methods = [n for n, v in vars(BlendStore).items() if callable(v) and not n.startswith("_")]
    assert len(methods) == 9
    for name in methods:
        assert inspect.signature(getattr(implementation, name)) == inspect.signature(
            getattr(BlendStore, name)), name
    assert isinstance(SqliteStore(":memory:"), BlendStore)


async def test_an_invitation_reads_back_with_its_members_in_joining_order(store: AnyStore) -> None:
    blend_id = await store.create_blend(new_blend(10, member(0, "Alice"), member(1, "Bob")))
    assert await store.join_blend(blend_id, member(2, "Carol"), NOW) == "joined"

    blend = await store.get_blend(blend_id)
    assert blend is not None
    assert blend.names == ("Alice", "Bob", "Carol") and blend.status == "open"
    assert blend.members[2].user == UserRef("telegram", "2", "chat:-100")
    assert (blend.prompt, blend.count, blend.max_members) == ("road trip", 12, 10)
    assert blend.expires_at == NOW + WINDOW


async def test_platform_ids_are_sealed_in_the_database(backend: Backend, store: AnyStore) -> None:
    blend_id = await store.create_blend(new_blend(10, member(0), member(987654321)))
    raw = []

    async with backend.make() as other:  # read raw rows through the other store's session
        async with other._session() as db:
            raw = list(await db.fetch("SELECT user_sealed, display_name FROM blend_members "
                                      "WHERE blend_id = $1", blend_id))
    assert raw and all(b"987654321" not in bytes(r["user_sealed"]) for r in raw)


async def test_joining_twice_full_started_expired_and_missing_each_say_so(store: AnyStore) -> None:
    blend_id = await store.create_blend(new_blend(2))
    assert await store.join_blend(blend_id, member(1), NOW) == "joined"
    assert await store.join_blend(blend_id, member(1), NOW) == "already"
    assert await store.join_blend(blend_id, member(2), NOW) == "full"
    assert await store.join_blend(blend_id + 99, member(2), NOW) == "missing"

    late = await store.create_blend(new_blend())
    assert await store.join_blend(late, member(1), NOW + WINDOW) == "expired"
    started = await store.create_blend(new_blend())
    assert await store.start_blend(started, NOW)
    assert await store.join_blend(started, member(1), NOW) == "started"


async def test_concurrent_joins_from_two_processes_never_pass_the_cap(backend: Backend) -> None:
    async with backend.make() as first, backend.make() as second:
        blend_id = await first.create_blend(new_blend(4))
        outcomes = await asyncio.gather(*(
            (first if n % 2 else second).join_blend(blend_id, member(n), NOW) for n in range(1, 9)
        ))
        assert outcomes.count("joined") == 3 and outcomes.count("full") == 5
        blend = await second.get_blend(blend_id)
        assert blend is not None and len(blend.members) == 4


async def test_a_second_process_answers_a_join_the_first_one_sees(backend: Backend) -> None:
    async with backend.make() as first, backend.make() as second:
        blend_id = await first.create_blend(new_blend())
        assert await second.join_blend(blend_id, member(5, "Eve"), NOW) == "joined"
        blend = await first.get_blend(blend_id)
        assert blend is not None and blend.names[-1] == "Eve"


async def test_one_start_and_one_expiry_win_whoever_tries(backend: Backend) -> None:
    async with backend.make() as first, backend.make() as second:
        blend_id = await first.create_blend(new_blend())
        starts = await asyncio.gather(first.start_blend(blend_id, NOW),
                                      second.start_blend(blend_id, NOW))
        assert sorted(starts) == [False, True]

        lapsed = await first.create_blend(new_blend())
        assert not await first.expire_blend(lapsed, NOW)  # still in its window
        ends = await asyncio.gather(first.expire_blend(lapsed, NOW + WINDOW),
                                    second.expire_blend(lapsed, NOW + WINDOW))
        assert sorted(ends) == [False, True]
        assert not await first.start_blend(lapsed, NOW)


async def test_a_finished_blend_is_found_by_its_draft_until_the_draft_goes(store: AnyStore) -> None:
    blend_id = await store.create_blend(new_blend(10, member(0), member(1)))
    await store.start_blend(blend_id, NOW)
    draft_id = await store.create_draft("key-0", "s:group", "road trip", version(),
                                        NOW + timedelta(hours=1))
    await store.finish_blend(blend_id, draft_id, '{"t1": ["Member 0", "Member 1"]}')

    found = await store.blend_of_draft(draft_id)
    assert found is not None and found.status == "done"
    assert found.credits == {"t1": ("Member 0", "Member 1")}
    assert await store.purge_blends(NOW + timedelta(days=2)) == 0  # its draft lives

    await store.purge_expired(NOW + timedelta(hours=2))  # the draft expires and goes
    assert await store.blend_of_draft(draft_id) is None
    assert await store.purge_blends(NOW + timedelta(days=2)) == 1
    assert await store.get_blend(blend_id) is None


async def test_reopening_forgets_an_undelivered_draft(store: AnyStore) -> None:
    blend_id = await store.create_blend(new_blend())
    await store.start_blend(blend_id, NOW)
    draft_id = await store.create_draft("key-0", "s:group", "p", version(), NOW + WINDOW)
    await store.finish_blend(blend_id, draft_id, "{}")
    await store.reopen_blend(blend_id)
    blend = await store.get_blend(blend_id)
    assert blend is not None and (blend.status, blend.draft_id) == ("open", None)

"""Opaque keys for buttons, questions and deep links: short, single-use where promised, expiring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.telegram.keys import KeyBook, KeySpaces, Pending
from core.identity import UserKeys
from core.models import UserRef
from data.scratch import StoreScratch
from data.sqlite_store import SqliteStore

ALICE = UserRef("telegram", "1001", "chat:-100123")
BOB = UserRef("telegram", "1002", "chat:-100123")


def book(store: SqliteStore, now: list[datetime]) -> KeyBook:
    def clock() -> datetime:
        return now[0]

    spaces = KeySpaces(*(StoreScratch(store, f"telegram:{kind}", clock=clock)
                         for kind in ("callback", "pending", "deeplink")))
    return KeyBook(spaces, UserKeys(b"k" * 32), clock=clock)


async def test_button_data_fits_telegrams_64_bytes_and_names_no_draft(store: SqliteStore) -> None:
    now = [datetime(2026, 11, 30, 12, tzinfo=UTC)]
    keys = book(store, now)
    data = await keys.button(ALICE, 123456789, "regenerate", now[0] + timedelta(hours=72))
    assert len(data.encode()) <= 64 and "123456789" not in data
    target = await keys.resolve_button(data)
    assert target is not None and (target.draft_id, target.action) == (123456789, "regenerate")
    assert target.owner_key == keys.owner(ALICE) != keys.owner(BOB)


async def test_a_button_dies_with_its_draft(store: SqliteStore) -> None:
    now = [datetime(2026, 11, 30, 12, tzinfo=UTC)]
    keys = book(store, now)
    data = await keys.button(ALICE, 1, "save", now[0] + timedelta(hours=1))
    now[0] += timedelta(hours=2)
    assert await keys.resolve_button(data) is None
    assert await keys.resolve_button("k:forged") is None and await keys.resolve_button(None) is None


async def test_a_deep_link_works_once_for_its_owner_only(store: SqliteStore) -> None:
    now = [datetime(2026, 11, 30, 12, tzinfo=UTC)]
    keys = book(store, now)
    payload = await keys.deep_link(ALICE, "link", -1001234567890)
    assert len(payload) <= 64 and all(c.isalnum() or c in "_-" for c in payload)
    assert await keys.consume_deep_link(BOB, payload) is None
    link = await keys.consume_deep_link(ALICE, payload)
    assert link is not None and (link.kind, link.chat_id) == ("link", -1001234567890)
    assert await keys.consume_deep_link(ALICE, payload) is None


async def test_a_deep_link_expires_after_ten_minutes(store: SqliteStore) -> None:
    now = [datetime(2026, 11, 30, 12, tzinfo=UTC)]
    keys = book(store, now)
    payload = await keys.deep_link(ALICE, "unlink")
    now[0] += timedelta(minutes=11)
    assert await keys.consume_deep_link(ALICE, payload) is None


async def test_a_tampered_deep_link_is_refused(store: SqliteStore) -> None:
    now = [datetime(2026, 11, 30, 12, tzinfo=UTC)]
    keys = book(store, now)
    payload = await keys.deep_link(ALICE, "app", -100555)
    other_group = payload.replace("-100555", "-100666")
    assert await keys.consume_deep_link(ALICE, other_group) is None
    assert await keys.consume_deep_link(ALICE, payload.replace("app_", "link_")) is None
    assert await keys.consume_deep_link(ALICE, payload) is not None


async def test_a_question_is_forgotten_once_answered(store: SqliteStore) -> None:
    now = [datetime(2026, 11, 30, 12, tzinfo=UTC)]
    keys = book(store, now)
    await keys.expect_reply(-100123, 42, Pending("refine", keys.owner(ALICE), draft_id=9))
    assert await keys.pending(-100123, 42) == Pending("refine", keys.owner(ALICE), draft_id=9)
    assert await keys.pending(-100123, 43) is None
    await keys.answered(-100123, 42)
    assert await keys.pending(-100123, 42) is None

"""A running Telegram adapter against the fake Bot API: the real engine, store and PTB."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from adapters.ai.offline import OfflineStrategyProvider
from adapters.telegram.adapter import TelegramAdapter
from adapters.telegram.application import TelegramConfig
from bot.app import App
from bot.telegram_wiring import wire_telegram
from core.blend_invites import Blends, BlendStore
from core.engine import Engine, EngineConfig
from core.identity import UserKeys
from core.linking import Linking
from core.models import LimitSettings
from core.ports import MusicCatalogue, Store
from core.sharing import Sharing
from core.validation import LexicalValidator
from data.catalogue.demo import DemoCatalogue
from data.sqlite_store import SqliteStore
from tests.fakes.telegram_server import FakeTelegram, SentMessage, group_chat, private_chat, tg_user

ALICE = tg_user(1001, "Alice", "alice")
BOB = tg_user(1002, "Bob", "bob")
GROUP = group_chat(-1001234567890, "Music Club")
ALICE_DM = private_chat(ALICE)
BOB_DM = private_chat(BOB)


@functools.cache
def demo_catalogue() -> DemoCatalogue:
    """Loaded once per test session (1.5 s); it is read-only."""
    return DemoCatalogue()


@dataclass
class Bot:
    fake: FakeTelegram
    adapter: TelegramAdapter
    engine: Engine
    store: Store

    async def say(self, chat: dict[str, Any], user: dict[str, Any], text: str, **kw: Any) -> None:
        """A person sends ``text`` and the bot finishes answering."""
        update = self.fake.user_message(chat, user, text, **kw)
        await self.settle(update["update_id"])

    async def settle(self, update_id: int, within_s: float = 20.0) -> None:
        """Waits until the bot fetched the update and no handler is running any more."""
        await self.fake.wait_for(lambda: self.fake.delivered(update_id), within_s)
        application = self.adapter.application
        quiet_checks = 0
        deadline = asyncio.get_running_loop().time() + within_s
        while quiet_checks < 3:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("the bot kept working")
            busy = (not application.update_queue.empty()
                    or application.update_processor.current_concurrent_updates > 0)
            quiet_checks = 0 if busy else quiet_checks + 1
            await asyncio.sleep(0.02)

    def view(self, chat: dict[str, Any]) -> list[SentMessage]:
        return self.fake.chat_view(chat["id"])

    def last(self, chat: dict[str, Any]) -> SentMessage:
        view = self.view(chat)
        assert view, "the bot said nothing"
        return view[-1]

    def playlist_message(self, chat: dict[str, Any]) -> SentMessage:
        """The latest bot message carrying the playlist keyboard."""
        for message in reversed(self.view(chat)):
            if any("Regenerate" in b["text"] for b in message.buttons()):
                return message
        raise AssertionError(f"no playlist in {[m.text[:60] for m in self.view(chat)]}")

    async def press(self, user: dict[str, Any], message: SentMessage, label: str) -> str:
        query_id, update_id = self.fake.press(user, message, message.button(label)["callback_data"])
        await self.settle(update_id)
        return query_id


@asynccontextmanager
async def running_bot(
    tmp_path: Path,
    *,
    catalogue: MusicCatalogue | None = None,
    limits: LimitSettings | None = None,
    linking: Linking | None = None,
    app: App | None = None,
    config: dict[str, Any] | None = None,
    admins: Sequence[tuple[int, int, str]] = (),
    public_base_url: str = "",
    blend_window: timedelta = timedelta(minutes=5),
    store_path: Path | None = None,
) -> AsyncIterator[Bot]:
    """The adapter on a fresh engine, or on a wired ``app`` (its engine, linking and notifier);
    with ``public_base_url`` its playlists link their pages.  ``blend_window``: how long a
    /blend invitation stays open; ``store_path``: the database (another bot process's)."""
    fake = FakeTelegram()
    await fake.start()
    for chat_id, user_id, status in admins:
        fake.set_member(chat_id, user_id, status)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(fake.close)
        if app is None:
            store = SqliteStore(store_path or tmp_path / "telegram.db")
            await store.open()
            stack.push_async_callback(store.close)
            engine = Engine(
                store=store,
                model=OfflineStrategyProvider(),
                catalogue=catalogue or demo_catalogue(),
                validator=LexicalValidator(),
                keys=UserKeys(b"telegram-test-secret-key-32bytes"),
                config=EngineConfig(defaults=limits or LimitSettings()),
            )
        else:
            engine, store, linking = app.engine, app.store, app.linking
        # Playlist pages, as PUBLIC_BASE_URL turns them on.
        sharing = Sharing(store, public_base_url) if public_base_url else None
        blends = Blends(engine, store, linking=linking, window=blend_window) if isinstance(
            store, BlendStore) else None
        adapter = wire_telegram(
            engine,
            TelegramConfig(token=fake.token, api_url=fake.api_url, poll_timeout_s=1,
                           progress_interval_s=0.0, group_progress_interval_s=0.0,
                           group_max_rate=1000, **(config or {})),
            linking=linking, sharing=sharing, blends=blends,
        )
        if app is not None:
            app.notifier.register(adapter)
        await adapter.start()
        try:
            yield Bot(fake, adapter, engine, store)
        finally:
            await adapter.stop()
        assert fake.problems == [], fake.problems

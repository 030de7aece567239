"""Builds the python-telegram-bot Application: endpoint, defaults, flood limits, handlers.

``TelegramConfig`` is what ``bot/`` gives the adapter (built from the settings there).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    Defaults,
)
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from adapters.telegram.context import Chat
from adapters.telegram.handlers import register_handlers
from core.health import DependencyMonitor

TELEGRAM_API = "https://api.telegram.org"
ALLOWED_UPDATES = ("message", "callback_query")

TelegramApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True)
class TelegramConfig:
    """How to reach Telegram and how politely; the defaults are Telegram's published limits."""

    token: str
    api_url: str = TELEGRAM_API
    webhook_url: str = ""  # empty: long polling
    webhook_secret: str = ""  # empty: one kept in the store, shared by every worker
    set_webhook: bool = True  # webhook mode: this process registers the webhook and menu
    poll_timeout_s: int = 10
    timeout_s: float = 10.0  # one Bot API call, answer complete (a long poll: beyond its wait)
    overall_max_rate: float = 30  # messages per second, whole bot
    group_max_rate: float = 20  # messages per minute, per group
    max_retries: int = 5  # RetryAfter is waited out and retried, not dropped
    progress_interval_s: float = 1.0  # between progress edits in a private chat
    # Updates handled at once.  Each one's first step runs in the same turn of the event
    # loop as the others that arrived with it: a bound keeps a burst from stalling the loop,
    # and Telegram's flood limits cap how fast answers can go out anyway.
    concurrent_updates: int = 32
    group_progress_interval_s: float = 4.0  # and in a group


class MonitoredRequest(HTTPXRequest):
    """PTB's HTTPX client with a deadline on every whole call, reporting to a health monitor.

    httpx bounds each read, not a whole answer, so an answer that trickles in would hold a
    handler (or the long poll) for ever; ``timeout_s`` bounds the call from start to last
    byte (a long poll gets its wait on top).  The monitor hears every outcome: down on
    network errors, timeouts, 5xx, 429s and unreadable answers; up on any answer Telegram
    gave (a 400 "message is not modified" is Telegram answering).  ``do_request`` is the
    method PTB meant for subclasses to override.
    """

    def __init__(self, *, monitor: DependencyMonitor, timeout_s: float, **kwargs: Any) -> None:
        connect = min(5.0, timeout_s)
        super().__init__(connect_timeout=connect, read_timeout=timeout_s, write_timeout=timeout_s,
                         **kwargs)
        self.monitor = monitor
        self.timeout_s = timeout_s

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One HTTP call, bounded as a whole; its outcome goes to the monitor."""
        waits = read_timeout if isinstance(read_timeout, int | float) else 0.0
        try:
            async with asyncio.timeout(self.timeout_s + waits):
                code, payload = await super().do_request(
                    url, method, request_data, read_timeout=read_timeout,
                    write_timeout=write_timeout, connect_timeout=connect_timeout,
                    pool_timeout=pool_timeout,
                )
        except TimeoutError:
            self.monitor.failed("no complete answer in time")
            raise TimedOut("Telegram's answer did not arrive in time") from None
        except TelegramError as exc:  # httpx's errors, as PTB maps them (NetworkError...)
            self.monitor.failed(exc.message)
            raise
        if code >= 500 or code == 429:
            self.monitor.failed(f"HTTP {code}")
        elif not _complete_json(payload):
            self.monitor.failed("an answer that is not JSON")
        else:
            self.monitor.succeeded()  # Telegram answered (a 400 is Telegram answering too)
        return code, payload


def _complete_json(payload: bytes) -> bool:
    """Whether an answer looks like a whole JSON object (PTB parses it for real later)."""
    body = payload.strip()
    return body.startswith(b"{") and body.endswith(b"}")


def build_requests(
    config: TelegramConfig | None = None, monitor: DependencyMonitor | None = None,
    updates_monitor: DependencyMonitor | None = None,
) -> tuple[HTTPXRequest, HTTPXRequest]:
    """The two HTTP clients (calls, and the long poll), held so they are always closed.

    PTB closes them in ``shutdown()`` only after a successful ``initialize()``; a start
    that fails at getMe (a wrong token) would otherwise leave their sockets open.  Each
    bounds a call by ``config.timeout_s``; calls report to ``monitor``, the long poll to
    ``updates_monitor`` (receiving can work while sending fails, and the other way round).
    """
    timeout_s = config.timeout_s if config is not None else TelegramConfig("").timeout_s
    return (
        MonitoredRequest(monitor=monitor or DependencyMonitor("telegram"), timeout_s=timeout_s,
                         connection_pool_size=64),
        MonitoredRequest(monitor=updates_monitor or DependencyMonitor("telegram updates"),
                         timeout_s=timeout_s, connection_pool_size=1),
    )


class FloodGauge(AIORateLimiter):
    """PTB's rate limiter that also says how long calls wait for their turn.

    ``congested`` is true while the latest calls waited longer than ``congested_after_s``
    behind Telegram's flood limits: then the cosmetic calls (typing, progress edits, the
    "working on it" message) are better skipped, so the answers themselves go out sooner.
    """

    def __init__(self, *, overall_max_rate: float, group_max_rate: float, max_retries: int,
                 congested_after_s: float = 0.5) -> None:
        super().__init__(overall_max_rate=overall_max_rate, group_max_rate=group_max_rate,
                         max_retries=max_retries)
        self.congested_after_s = congested_after_s
        self.last_wait_s = 0.0
        self.waiting = 0

    async def process_request(self, callback: Any, *args: Any, **kwargs: Any) -> Any:
        entered = time.monotonic()
        self.waiting += 1
        started = False

        async def timed(*call_args: Any, **call_kwargs: Any) -> Any:
            nonlocal started
            if not started:  # a retry after a 429 is not a new wait
                started = True
                self.waiting -= 1
                self.last_wait_s = time.monotonic() - entered
            return await callback(*call_args, **call_kwargs)

        try:
            return await super().process_request(timed, *args, **kwargs)
        finally:
            if not started:
                self.waiting -= 1

    def congested(self) -> bool:
        """Calls are waiting their turn: the last one waited long, or many are queued."""
        return self.last_wait_s > self.congested_after_s or (
            self.waiting > 0 and self.last_wait_s > self.congested_after_s / 2
        )


def flood_gauge(config: TelegramConfig) -> FloodGauge:
    return FloodGauge(overall_max_rate=config.overall_max_rate, group_max_rate=config.group_max_rate,
                      max_retries=config.max_retries)


def build_application(
    config: TelegramConfig, chat: Chat, requests: tuple[HTTPXRequest, HTTPXRequest],
    rate_limiter: AIORateLimiter | None = None,
) -> TelegramApplication:
    """A configured Application (not yet initialised) with every handler registered."""
    api = config.api_url.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .request(requests[0])
        .get_updates_request(requests[1])
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .defaults(Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ))
        .rate_limiter(rate_limiter or flood_gauge(config))
        # One user's playlist (seconds of work) must not hold up everyone else's updates.
        .concurrent_updates(max(1, config.concurrent_updates))
    )
    if config.webhook_url:
        builder = builder.updater(None)
    application: TelegramApplication = builder.build()
    register_handlers(application, chat)
    return application


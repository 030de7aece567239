"""Webhook mode: an aiohttp route that feeds Telegram's POSTs to the Application.

The web side's server mounts the route (one port for OAuth callbacks, REST and this);
Telegram proves each request with the secret token given to setWebhook.  Any number
of workers may serve the route behind a load balancer; the handlers' first step
claims each update in the shared store, so a redelivery is answered once.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update

from adapters.telegram.application import TelegramApplication

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024


def webhook_path(webhook_url: str) -> str:
    """The path part of the public webhook URL ("/" when it has none)."""
    return urlparse(webhook_url).path or "/"


def webhook_route(
    application: TelegramApplication, path: str, secret: Callable[[], str]
) -> web.RouteDef:
    """``POST path``: checks the secret (read per request: it is known once the adapter
    started), queues the update, answers 200 at once."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        expected = secret()
        # The secret is ASCII; other bytes arrive as surrogates that .encode() would choke on.
        if not expected or not given.isascii() or not hmac.compare_digest(
            given.encode(), expected.encode()
        ):
            return web.Response(status=403, text="forbidden")
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413, text="too large")
        try:
            data = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError, RecursionError):  # Recursion: deep nesting
            return web.Response(status=400, text="malformed JSON")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return web.Response(status=400, text="not an update")
        try:
            update = Update.de_json(data, application.bot)
        except (KeyError, TypeError, ValueError):
            log.warning("webhook: an update python-telegram-bot could not read")
            return web.Response(status=400, text="not an update")
        # Answer quickly; the Application's own loop does the work (Telegram retries slow hooks).
        await application.update_queue.put(update)
        return web.Response(status=200, text="ok")

    return web.post(path, receive)

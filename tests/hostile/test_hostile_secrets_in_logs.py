"""No secret ever reaches the logs, at any level: a full run of the real bot at DEBUG.

``python -m bot`` runs with every secret set (both bot tokens, the Spotify client secret, a
model API key, REST API keys, the token-encryption key, the user-key secret) against the
fakes, and does everything that handles them: Discord and Telegram commands, the REST
API with its key, live Spotify search (client credentials), a user linking Spotify (code,
PKCE, access and refresh tokens), saving a playlist, a token refresh, and a Telegram API
failure on the way.  Its whole output (stdout and stderr, every library's logger at
DEBUG) is then searched for each secret, and for the usual encodings of them.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

import aiohttp
from aiohttp import web
from cryptography.fernet import Fernet

from data.catalogue.demo import shared_catalogue
from tests.fakes.discord_server import TOKEN as DISCORD_TOKEN
from tests.fakes.discord_server import FakeDiscord, Interactions, Person, buttons
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.spotify_server import FakeSpotify
from tests.fakes.telegram_server import FakeTelegram, private_chat, tg_user
from tests.faults.process import BotProcess, free_port

ALICE = tg_user(1001, "Alice", "alice")
ALICE_DM = private_chat(ALICE)
DISCORD_BOB = Person(1_500_000_000_000_000_022, "bob")


class RecordingSpotify(FakeSpotify):
    """The fake Spotify, keeping every token and code it hands out (to look for them later)."""

    def __init__(self) -> None:
        super().__init__(shared_catalogue())
        self.handed_out: set[str] = set()

    async def _token(self, request: web.Request) -> web.StreamResponse:
        response = await super()._token(request)
        if isinstance(response, web.Response) and response.body:
            body = json.loads(bytes(response.body))  # type: ignore[arg-type]
            for key in ("access_token", "refresh_token"):
                if isinstance(body.get(key), str):
                    self.handed_out.add(body[key])
        return response

    async def _authorize(self, request: web.Request) -> web.StreamResponse:
        try:
            return await super()._authorize(request)
        except web.HTTPFound as redirect:
            code = parse_qs(urlparse(redirect.location).query).get("code")
            if code:
                self.handed_out.add(code[0])
            raise


def forms_of(secret: str) -> set[str]:
    """A secret and the encodings a log line might show it in."""
    forms = {secret, quote(secret, safe=""), json.dumps(secret)[1:-1]}
    if ":" in secret:  # a Telegram token: its secret half on its own
        forms.add(secret.split(":", 1)[1])
    return {f for f in forms if len(f) >= 8}


async def test_a_full_run_at_debug_logs_no_secret(tmp_path: Path) -> None:
    telegram = FakeTelegram()
    await telegram.start()
    spotify = RecordingSpotify()
    await spotify.start()
    model_key = "sk-custom-" + secrets.token_hex(16)
    api_key = "api-" + secrets.token_hex(16)
    encryption_key = Fernet.generate_key().decode()
    secret_key = secrets.token_hex(20)
    web_port = free_port()
    redirect = f"http://127.0.0.1:{web_port}/auth/callback"
    client_id, client_secret = secrets.token_hex(16), secrets.token_hex(16)
    app = spotify.add_app(client_id, client_secret, (redirect,))
    spotify.add_user("alice", "Alice", [("Miles Davis", ["jazz"])], allow_in=app)
    spotify.login_as = "alice"
    async with FakeDiscord() as discord_fake, FakeOpenAI(api_key=model_key) as model:
        env = {
            "LOG_LEVEL": "DEBUG",
            "DATABASE_FILENAME": str(tmp_path / "echotuner.db"),
            "SECRET_KEY": secret_key, "TOKEN_ENCRYPTION_KEY": encryption_key,
            "TELEGRAM_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.api_url,
            "DISCORD_TOKEN": DISCORD_TOKEN, "DISCORD_API_URL": discord_fake.api_url,
            "SPOTIFY_CLIENT_ID": client_id, "SPOTIFY_CLIENT_SECRET": client_secret,
            "SPOTIFY_REDIRECT_URI": redirect, "SPOTIFY_API_URL": spotify.api_url,
            "SPOTIFY_ACCOUNTS_URL": spotify.accounts_url, "CATALOGUE": "spotify",
            "AI_PROVIDERS": "custom,offline", "CUSTOM_AI_BASE_URL": model.base_url + "/v1",
            "CUSTOM_AI_MODEL": "gpt-4o-mini", "CUSTOM_AI_API_KEY": model_key,
            "REST_API_ENABLED": "true", "API_KEYS": api_key, "WEB_PORT": str(web_port),
        }
        bot = await BotProcess(tmp_path, env).start()
        try:
            await bot.wait_http(f"http://127.0.0.1:{web_port}/health")
            await telegram.wait_for(lambda: telegram.calls_of("getUpdates"), within_s=30)
            await discord_fake.wait_identified(wait_s=30)
            await drive(telegram, spotify, discord_fake, web_port, api_key)
            assert await bot.stop() == 0, bot.text[-3000:]
        finally:
            await bot.close()
            await telegram.close()
            await spotify.close()

    log = bot.text
    assert "DEBUG" in log and len(log) > 10_000, "the run did log, at DEBUG"
    assert spotify.handed_out, "Spotify handed out tokens during the run"
    named = {
        "the Telegram token": telegram.token, "the Discord token": DISCORD_TOKEN,
        "the Spotify client secret": client_secret,
        "the Spotify Basic credentials": base64.b64encode(f"{client_id}:{client_secret}".encode()).decode(),
        "the model API key": model_key, "a REST API key": api_key,
        "the token-encryption key": encryption_key, "the user-key secret": secret_key,
        **{f"a Spotify token or code ({t[:4]}...)": t for t in spotify.handed_out},
    }
    for what, secret in named.items():
        for form in forms_of(secret):
            assert form not in log, f"{what} is in the log:\n" + _around(log, form)


def _around(log: str, needle: str) -> str:
    at = log.find(needle)
    return log[max(0, at - 300): at + 100]


async def drive(telegram: FakeTelegram, spotify: FakeSpotify, discord_fake: FakeDiscord,
                web_port: int, api_key: str) -> None:
    """Everything that handles a secret, once."""
    chat = ALICE_DM["id"]

    def playlist_message() -> Any:
        for message in reversed(telegram.chat_view(chat)):
            if any("Regenerate" in b["text"] for b in message.buttons()):
                return message
        return None

    telegram.user_message(ALICE_DM, ALICE, "relaxing jazz for studying 10")
    await telegram.wait_for(lambda: playlist_message() is not None, within_s=30)
    telegram.user_message(ALICE_DM, ALICE, "/link")
    await telegram.wait_for(lambda: any(m.links and "authorize" in m.links[0]
                                        for m in telegram.chat_view(chat)), within_s=30)
    link = next(m.links[0] for m in telegram.chat_view(chat) if m.links and "authorize" in m.links[0])
    async with aiohttp.ClientSession() as browser:
        async with browser.get(link, allow_redirects=True) as response:
            assert response.status == 200, await response.text()
        await telegram.wait_for(lambda: any("is linked" in m.text for m in telegram.chat_view(chat)))
        message = playlist_message()
        telegram.press(ALICE, message, message.button("Save")["callback_data"])
        await telegram.wait_for(lambda: any("Saved" in m.text for m in telegram.chat_view(chat)),
                                within_s=30)
        spotify.expire_access_tokens()  # the next save refreshes (rotating the refresh token)
        telegram.fail("sendMessage", 500, times=1)  # and Telegram fails once on the way
        telegram.press(ALICE, message, message.button("Save")["callback_data"])
        await telegram.wait_for(lambda: sum("Saved" in m.text for m in telegram.chat_view(chat)) >= 2
                                or len(telegram.calls_of("answerCallbackQuery")) >= 2, within_s=30)
        await asyncio.sleep(0.5)
        async with browser.post(f"http://127.0.0.1:{web_port}/generate-playlist",
                                headers={"X-API-Key": api_key},
                                json={"prompt": "calm piano for sleeping", "device_id": "phone"}) as r:
            assert r.status == 200, await r.text()
    exchange = await discord_fake.send(Interactions().command(
        DISCORD_BOB, "playlist", {"prompt": "upbeat indie rock", "count": 10}))
    await discord_fake.wait_for(lambda: any(buttons(m) for m in exchange.messages()), 30)


def test_every_secret_setting_is_handed_to_the_log_redactor() -> None:
    import dataclasses

    from bot.settings import Settings, load_settings, secret_values

    values = {
        "DATABASE_URL": "postgresql://u:pw-0123456789@h/db", "SECRET_KEY": "s" * 20,
        "OPENAI_API_KEY": "sk-openai-0123456789", "ANTHROPIC_API_KEY": "sk-ant-0123456789",
        "CUSTOM_AI_API_KEY": "sk-custom-0123456789",
        "CUSTOM_AI_HEADERS": '{"Authorization": "Bearer hdr-0123456789"}',
        "SPOTIFY_CLIENT_ID": "c" * 32, "SPOTIFY_CLIENT_SECRET": "secret-0123456789",
        "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "API_KEYS": "key-one-0123456789,key-two-0123456789",
        "DISCORD_TOKEN": "discord-0123456789", "TELEGRAM_TOKEN": "123456:tg-secret-0123456789",
        "TELEGRAM_WEBHOOK_SECRET": "hook-0123456789", "STATUS_TOKEN": "status-0123456789",
        "METRICS_TOKEN": "metrics-0123456789",
    }
    settings = load_settings(values, env_file=None)
    redacted = set(secret_values(settings))
    secret_fields = [f.name.upper() for f in dataclasses.fields(Settings) if f.metadata["secret"]]
    assert set(secret_fields) <= set(values), "a new secret setting needs a value in this test"
    for name in secret_fields:
        for item in values[name].split(",") if name == "API_KEYS" else [values[name]]:
            if name == "CUSTOM_AI_HEADERS":
                item = "Bearer hdr-0123456789"
            assert item in redacted, name
    assert "tg-secret-0123456789" in redacted  # the Telegram token's secret half alone

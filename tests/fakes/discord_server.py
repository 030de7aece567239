"""A fake Discord on 127.0.0.1: the REST API and the gateway websocket, for the real discord.py.

The bot's own discord.py code runs unmodified against it: ``DISCORD_API_URL`` (or
``discord.http.Route.BASE``) points REST here and ``GET /gateway/bot`` names the fake
gateway, which says HELLO, acknowledges heartbeats, answers IDENTIFY with READY and
then pushes ``INTERACTION_CREATE`` dispatches built like Discord's.

REST it serves (``/api/v10``): ``GET /users/@me``, ``GET /oauth2/applications/@me``,
``GET /gateway/bot``, ``PUT`` global and guild command sync, the interaction callback
(``?with_response=1`` answers 200 with ``interaction``/``resource``), followups
(``POST /webhooks/{app}/{token}``), ``GET/PATCH/DELETE .../messages/@original`` and
followup edits, ``POST /users/@me/channels`` (DMs), ``POST /channels/{id}/messages``.

It behaves like Discord where that matters to a bot: an interaction can be answered
once (40060 after that), the first followup after a "thinking" deferral fills that
message in (so a followup meant to be private is not, if sent too early), a closed
DM answers 403 with code 50007, an unknown token answers 401 with 50027.  Switches:
``latency``, ``fail_next`` (any status and code), ``rate_limit_next`` (429 with
``Retry-After``, ``Via`` and a JSON ``retry_after``, which discord.py retries),
``malformed_next`` (a body that is not JSON), ``delay_edits`` (an edit whose content
starts with a prefix is applied and answered late, so a later request can overtake
it).  Every request body is checked against Discord's OpenAPI document
(``spec_errors`` collects problems), and so is every answer the fake gives.

``calls`` records each request; ``Exchange`` objects (one per interaction sent) tell
what the person who clicked would see.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.discord_spec import DiscordSpec, load_spec

TOKEN = "fake-bot-token.discord.test"
APPLICATION_ID = 1_300_000_000_000_000_001
BOT_USER_ID = 1_300_000_000_000_000_001
OWNER_ID = 1_300_000_000_000_000_002
EPHEMERAL = 1 << 6
LOADING = 1 << 7
MANAGE_GUILD = 1 << 5
ADMINISTRATOR = 1 << 3
# What an ordinary member may do in a channel (view, send, embed, read history...).
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 31)

_snowflakes = itertools.count(1_400_000_000_000_000_000)


def snowflake() -> int:
    return next(_snowflakes)


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def user_payload(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    """A user object as Discord sends it."""
    data: dict[str, Any] = {
        "id": str(user_id),
        "username": name,
        "global_name": name.title(),
        "discriminator": "0",
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
        "primary_guild": None,
    }
    if bot:
        data["bot"] = True
    return data


@dataclass(frozen=True)
class Person:
    """Someone pressing buttons; ``permissions`` are what Discord resolves for them."""

    id: int
    name: str
    permissions: int = MEMBER_PERMISSIONS

    def as_admin(self) -> Person:
        return Person(self.id, self.name, self.permissions | MANAGE_GUILD)


@dataclass
class Call:
    """One request the bot made."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int = 0


CALL = web.RequestKey("call", Call)
#: The locales Discord accepts in ``name_localizations`` / ``description_localizations``.
DISCORD_LOCALES = frozenset({
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi",
    "th", "zh-CN", "ja", "zh-TW", "ko",
})


def _localization_problem(item: Mapping[str, Any]) -> str | None:
    """What Discord would refuse in one command's or option's localizations (recursively)."""
    for key, limit in (("name_localizations", 32), ("description_localizations", 100)):
        for locale, text in (item.get(key) or {}).items():
            if locale not in DISCORD_LOCALES:
                return f"{key}: {locale!r} is not a Discord locale"
            if not isinstance(text, str) or not 1 <= len(text) <= limit:
                return f"{key}[{locale}]: must be 1 to {limit} characters"
    for option in item.get("options") or []:
        problem = _localization_problem(option)
        if problem:
            return problem
    return None


@dataclass
class Rule:
    """A switch: the next ``times`` matching requests get this answer instead."""

    method: str
    pattern: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    raw: bytes | None = None


@dataclass
class Exchange:
    """One interaction sent to the bot and everything that answered it."""

    fake: FakeDiscord
    payload: dict[str, Any]
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    original_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    # every state the original message went through (content/embeds per edit)
    original_history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def token(self) -> str:
        return str(self.payload["token"])

    @property
    def user_id(self) -> int:
        member = self.payload.get("member")
        user = member["user"] if member else self.payload["user"]
        return int(user["id"])

    @property
    def callback_type(self) -> int | None:
        return self.callbacks[0]["type"] if self.callbacks else None

    def original(self) -> dict[str, Any] | None:
        if self.original_id is None:
            return None
        return self.fake.messages.get(self.original_id)

    def messages(self) -> list[dict[str, Any]]:
        """Messages this interaction left, oldest first, without deleted ones."""
        ids = ([self.original_id] if self.original_id is not None else []) + self.followup_ids
        found = [self.fake.messages[i] for i in ids if i in self.fake.messages]
        return [m for m in found if not m.get("deleted")]

    def public(self) -> list[dict[str, Any]]:
        return [m for m in self.messages() if not m["flags"] & EPHEMERAL]

    def private(self) -> list[dict[str, Any]]:
        return [m for m in self.messages() if m["flags"] & EPHEMERAL]

    def texts(self) -> list[str]:
        """Everything this user can read: contents and embed text of every message."""
        return [message_text(m) for m in self.messages()]

    def text(self) -> str:
        return "\n".join(self.texts())


def message_text(message: Mapping[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts.append(embed.get("title") or "")
        parts.append(embed.get("description") or "")
        for f in embed.get("fields") or []:
            parts += [f.get("name") or "", f.get("value") or ""]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(p for p in parts if p)


def buttons(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The buttons of a message, in order."""
    found: list[dict[str, Any]] = []

    def walk(components: Iterable[Mapping[str, Any]]) -> None:
        for c in components:
            if c.get("type") == 2:
                found.append(dict(c))
            walk(c.get("components") or [])

    walk(message.get("components") or [])
    return found


class FakeDiscord:
    """REST and gateway on one aiohttp server; use ``async with FakeDiscord() as fake``."""

    def __init__(self, *, token: str = TOKEN, shards: int = 1, check_spec: bool = True) -> None:
        self.token = token
        self.shards = shards
        self.spec: DiscordSpec | None = load_spec() if check_spec else None
        self.spec_errors: list[str] = []
        self.calls: list[Call] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.dm_channels: dict[int, dict[str, Any]] = {}  # by user id
        self.closed_dms: set[int] = set()
        self.departed: set[int] = set()  # users no longer in the server (GET member: 404)
        self.commands: dict[int | None, list[dict[str, Any]]] = {}  # by guild id (None: global)
        self.exchanges: dict[str, Exchange] = {}  # by token
        self.identifies: list[dict[str, Any]] = []
        self.latency = 0.0
        self.heartbeat_interval_ms = 41_250
        self._rules: list[Rule] = []
        self._edit_delays: list[tuple[str, float]] = []  # (content prefix, seconds)
        self._sockets: dict[int, web.WebSocketResponse] = {}
        self._sequence = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.bot_user = user_payload(BOT_USER_ID, "echotuner", bot=True)

    # --- life cycle -----------------------------------------------------------------
    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        api = "/api/v10"
        route = app.router.add_route
        route("GET", api + "/users/@me", self._me)
        route("GET", api + "/oauth2/applications/@me", self._application)
        route("GET", api + "/gateway/bot", self._gateway_bot)
        route("GET", api + "/gateway", self._gateway_plain)
        route("PUT", api + "/applications/{app}/commands", self._sync)
        route("PUT", api + "/applications/{app}/guilds/{guild}/commands", self._sync)
        route("POST", api + "/interactions/{id}/{token}/callback", self._callback)
        route("POST", api + "/webhooks/{app}/{token}", self._followup)
        route("GET", api + "/webhooks/{app}/{token}/messages/{message}", self._get_message)
        route("PATCH", api + "/webhooks/{app}/{token}/messages/{message}", self._edit_message)
        route("DELETE", api + "/webhooks/{app}/{token}/messages/{message}", self._delete_message)
        route("POST", api + "/users/@me/channels", self._create_dm)
        route("POST", api + "/channels/{channel}/messages", self._channel_message)
        route("GET", api + "/guilds/{guild}/members/{user}", self._guild_member)
        app.router.add_get("/gateway", self._gateway)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def close(self) -> None:
        for ws in list(self._sockets.values()):
            with contextlib.suppress(Exception):
                await ws.close(code=1000)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # --- switches -------------------------------------------------------------------
    def fail_next(self, method: str, path: str, status: int, code: int, message: str,
                  *, times: int = 1) -> None:
        """The next ``times`` requests whose path matches regex ``path`` fail like Discord."""
        self._rules.append(Rule(method, re.compile(path), status,
                                {"message": message, "code": code}, times=times))

    def rate_limit_next(self, method: str, path: str, retry_after: float = 0.05,
                        *, times: int = 1) -> None:
        """429 as Discord's edge sends it: discord.py waits ``retry_after`` and retries."""
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
        headers = {"Retry-After": str(retry_after), "Via": "1.1 google",
                   "X-RateLimit-Scope": "user"}
        self._rules.append(Rule(method, re.compile(path), 429, body, headers, times=times))

    def malformed_next(self, method: str, path: str, *, times: int = 1) -> None:
        """A 502 whose body is not JSON (a proxy's error page)."""
        self._rules.append(Rule(method, re.compile(path), 502, None, times=times,
                                raw=b"<html>bad gateway</html>"))

    def delay_edits(self, seconds: float, *, starting_with: str = "⏳") -> None:
        """Every message edit (PATCH) whose content starts with ``starting_with`` is applied
        and answered ``seconds`` after it arrives (a progress edit on a slow connection)."""
        self._edit_delays.append((starting_with, seconds))

    def heal(self) -> None:
        """Forgets every pending ``fail_next``, ``rate_limit_next``, ``malformed_next`` and
        ``delay_edits``."""
        self._rules.clear()
        self._edit_delays.clear()

    # --- what happened ------------------------------------------------------------------
    def requests(self, method: str | None = None, path: str = "") -> list[Call]:
        return [c for c in self.calls if (method is None or c.method == method)
                and re.search(path, c.path)]

    def message_bodies(self) -> list[Any]:
        """Every body the bot sent that creates or edits a message."""
        bodies: list[Any] = []
        for call in self.calls:
            if not isinstance(call.body, dict):
                continue
            if "/callback" in call.path and call.body.get("type") in (4, 7):
                bodies.append(call.body.get("data") or {})
            elif (("/webhooks/" in call.path and call.method in ("POST", "PATCH"))
                  or ("/channels/" in call.path and call.method == "POST")):
                bodies.append(call.body)
        return bodies

    async def wait_for(self, predicate: Callable[[], bool], wait_s: float = 10.0) -> None:
        """Waits until ``predicate()`` holds, re-checking after each request."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), wait_s)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- gateway --------------------------------------------------------------------
    async def wait_identified(self, shards: int | None = None, wait_s: float = 10.0) -> None:
        wanted = self.shards if shards is None else shards
        await self.wait_for(lambda: len(self._sockets) >= wanted, wait_s)

    async def dispatch(self, event: str, data: dict[str, Any], *, shard: int = 0) -> None:
        ws = self._sockets.get(shard)
        if ws is None:
            raise RuntimeError(f"shard {shard} is not connected")
        await ws.send_str(json.dumps({"op": 0, "t": event, "s": next(self._sequence), "d": data}))

    async def send(self, payload: dict[str, Any]) -> Exchange:
        """Sends an interaction as Discord would; returns its (still empty) Exchange."""
        exchange = Exchange(self, payload)
        self.exchanges[exchange.token] = exchange
        guild_id = int(payload["guild_id"]) if payload.get("guild_id") else 0
        shard = (guild_id >> 22) % self.shards if guild_id else 0
        await self.dispatch("INTERACTION_CREATE", payload, shard=shard)
        return exchange

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        shard_id: int | None = None
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                                      "s": None, "t": None}))
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op = frame.get("op")
                if op == 1:
                    await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
                elif op == 2:
                    identify = frame["d"]
                    self.identifies.append(identify)
                    if identify.get("token") != self.token:
                        await ws.close(code=4004, message=b"Authentication failed.")
                        break
                    shard = identify.get("shard") or [0, 1]
                    shard_id = int(shard[0])
                    self._sockets[shard_id] = ws
                    await ws.send_str(json.dumps({
                        "op": 0, "t": "READY", "s": next(self._sequence), "d": self._ready(shard),
                    }))
                    await self._notify()
                elif op == 6:
                    await ws.send_str(json.dumps({"op": 0, "t": "RESUMED",
                                                  "s": next(self._sequence), "d": {}}))
        finally:
            if shard_id is not None and self._sockets.get(shard_id) is ws:
                del self._sockets[shard_id]
        return ws

    def _ready(self, shard: list[int]) -> dict[str, Any]:
        return {
            "v": 10,
            "user": {**self.bot_user, "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [],
            "private_channels": [],
            "relationships": [],
            "session_id": f"fake-session-{shard[0]}",
            "resume_gateway_url": self.gateway_url,
            "shard": shard,
            "application": {"id": str(APPLICATION_ID), "flags": 0},
            "session_type": "normal",
            "geo_ordered_rtc_regions": ["rotterdam"],
        }

    # --- REST plumbing ----------------------------------------------------------------
    def _reply(self, method: str, template: str | None, body: Any, status: int = 200) -> web.Response:
        if self.spec is not None and template is not None:
            for problem in self.spec.response_errors(method, template, status, body):
                self.spec_errors.append(f"fake answer {method} {template}: {problem}")
        if body is None:
            return web.Response(status=204)
        # discord.py parses JSON only when Content-Type is exactly application/json.
        return web.Response(status=status, body=json.dumps(body).encode(),
                            headers={"Content-Type": "application/json"})

    @staticmethod
    def _error(status: int, code: int, message: str) -> web.Response:
        return web.Response(status=status, body=json.dumps({"message": message, "code": code}).encode(),
                            headers={"Content-Type": "application/json"})

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
        call = Call(request.method, request.path, dict(request.query), body)
        self.calls.append(call)
        request[CALL] = call
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            is_gateway = request.path == "/gateway"
            if not is_gateway and not request.path.startswith(("/api/v10/webhooks/",
                                                              "/api/v10/interactions/")):
                if request.headers.get("Authorization") != f"Bot {self.token}":
                    call.status = 401
                    return self._error(401, 0, "401: Unauthorized")
            for rule in self._rules:
                if rule.times > 0 and rule.method == request.method and rule.pattern.search(request.path):
                    rule.times -= 1
                    call.status = rule.status
                    if rule.raw is not None:
                        return web.Response(status=rule.status, body=rule.raw,
                                            headers={"Content-Type": "text/html"})
                    return web.Response(status=rule.status, body=json.dumps(rule.body).encode(),
                                        headers={"Content-Type": "application/json", **rule.headers})
            response: web.StreamResponse = await handler(request)
            call.status = response.status
            return response
        finally:
            await self._notify()

    def _check_request(self, method: str, template: str, body: Any) -> None:
        if self.spec is None:
            return
        for problem in self.spec.request_errors(method, template, body):
            self.spec_errors.append(f"bot request {method} {template}: {problem}")

    def _new_message(self, channel_id: int, body: Mapping[str, Any], *, flags: int = 0,
                     interaction: Exchange | None = None, webhook: bool = False) -> dict[str, Any]:
        message: dict[str, Any] = {
            "id": str(snowflake()),
            "type": 0 if interaction is None else 20,
            "channel_id": str(channel_id),
            "author": self.bot_user,
            "content": body.get("content") or "",
            "embeds": list(body.get("embeds") or []),
            "components": _response_components(body.get("components") or []),
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "flags": flags | int(body.get("flags") or 0),
        }
        if webhook or interaction is not None:
            message["webhook_id"] = str(APPLICATION_ID)
            message["application_id"] = str(APPLICATION_ID)
        self.messages[int(message["id"])] = message
        return message

    def _edit(self, message: dict[str, Any], body: Mapping[str, Any]) -> None:
        for key in ("content", "embeds"):
            if key in body:
                message[key] = body[key] if body[key] is not None else ([] if key == "embeds" else "")
        if "components" in body:
            message["components"] = _response_components(body["components"] or [])
        message["flags"] &= ~LOADING
        message["edited_timestamp"] = now_iso()

    @staticmethod
    def _public(message: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in message.items() if k != "deleted"}

    def _exchange(self, request: web.Request) -> Exchange | web.Response:
        exchange = self.exchanges.get(request.match_info["token"])
        if exchange is None:
            return self._error(401, 50027, "Invalid Webhook Token")
        return exchange

    def _channel_of(self, exchange: Exchange) -> int:
        return int(exchange.payload["channel"]["id"])

    # --- REST handlers ---------------------------------------------------------------
    async def _me(self, request: web.Request) -> web.Response:
        body = {**self.bot_user, "mfa_enabled": False, "verified": True, "email": None,
                "locale": "en-US", "premium_type": 0}
        return self._reply("GET", "/users/@me", body)

    async def _application(self, request: web.Request) -> web.Response:
        owner = user_payload(OWNER_ID, "operator")
        body = {
            "id": str(APPLICATION_ID), "name": "EchoTuner", "icon": None,
            "description": "Playlists from a sentence", "type": None,
            "bot": self.bot_user, "bot_public": True, "bot_require_code_grant": False,
            "verify_key": "0" * 64, "flags": 0, "flags_new": "0", "redirect_uris": [],
            "interactions_endpoint_url": None, "role_connections_verification_url": None,
            "owner": owner, "approximate_guild_count": 1, "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0, "explicit_content_filter": 0,
            "team": None, "eligible_oauth2_scopes": ["applications.commands", "bot"],
            "summary": "", "rpc_origins": [],
        }
        return self._reply("GET", "/oauth2/applications/@me", body)

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        body = {"url": self.gateway_url, "shards": self.shards,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0,
                                        "max_concurrency": 1}}
        return self._reply("GET", "/gateway/bot", body)

    async def _gateway_plain(self, request: web.Request) -> web.Response:
        return self._reply("GET", "/gateway", {"url": self.gateway_url})

    async def _sync(self, request: web.Request) -> web.Response:
        guild = request.match_info.get("guild")
        template = ("/applications/{application_id}/guilds/{guild_id}/commands" if guild
                    else "/applications/{application_id}/commands")
        body = request[CALL].body
        self._check_request("PUT", template, body)
        registered = []
        for command in body or []:
            problem = _localization_problem(command)
            if problem:
                return self._error(400, 50035, f"Invalid Form Body: {problem}")
            registered.append({
                "id": str(snowflake()), "application_id": str(APPLICATION_ID), "version": str(snowflake()),
                "type": command.get("type", 1), "name": command["name"],
                "description": command.get("description", ""),
                "name_localizations": command.get("name_localizations"),
                "description_localizations": command.get("description_localizations"),
                "default_member_permissions": (
                    None if command.get("default_member_permissions") is None
                    else str(command["default_member_permissions"])),
                "options": command.get("options", []),
                "contexts": command.get("contexts"),
                "integration_types": command.get("integration_types", [0]),
                "nsfw": bool(command.get("nsfw", False)),
                **({"guild_id": guild} if guild else {}),
            })
        self.commands[int(guild) if guild else None] = registered
        return self._reply("PUT", template, registered)

    async def _callback(self, request: web.Request) -> web.Response:
        template = "/interactions/{interaction_id}/{interaction_token}/callback"
        body = request[CALL].body
        self._check_request("POST", template, body)
        exchange = self.exchanges.get(request.match_info["token"])
        if exchange is None or str(exchange.id) != request.match_info["id"]:
            return self._error(404, 10062, "Unknown interaction")
        if exchange.callbacks:
            return self._error(400, 40060, "Interaction has already been acknowledged.")
        exchange.callbacks.append(body)
        kind = body["type"]
        data = body.get("data") or {}
        interaction: dict[str, Any] = {"id": str(exchange.id), "type": exchange.payload["type"]}
        resource: dict[str, Any] | None = None
        if kind in (4, 5):
            flags = int(data.get("flags") or 0) | (LOADING if kind == 5 else 0)
            message = self._new_message(self._channel_of(exchange), data if kind == 4 else {},
                                        flags=flags, interaction=exchange)
            exchange.original_id = int(message["id"])
            exchange.original_history.append(dict(message))
            interaction.update(response_message_id=message["id"],
                               response_message_loading=kind == 5,
                               response_message_ephemeral=bool(flags & EPHEMERAL))
            if kind == 4:  # the spec's resource is the created message; a deferral has none
                resource = {"type": kind, "message": self._public(message)}
        elif kind in (6, 7):
            source = exchange.payload.get("message")
            if source is not None:
                exchange.original_id = int(source["id"])
                if kind == 7 and int(source["id"]) in self.messages:
                    message = self.messages[int(source["id"])]
                    self._edit(message, data)
                    resource = {"type": kind, "message": self._public(message)}
        elif kind == 8:
            exchange.choices = list(data.get("choices") or [])
        elif kind == 9:
            exchange.modal = data
        answer: dict[str, Any] = {"interaction": interaction}
        if resource is not None:
            answer["resource"] = resource
        if request.query.get("with_response") not in ("1", "true", "True"):
            return self._reply("POST", template, None, 204)
        return self._reply("POST", template, answer)

    async def _followup(self, request: web.Request) -> web.Response:
        template = "/webhooks/{webhook_id}/{webhook_token}"
        body = request[CALL].body
        self._check_request("POST", template, body)
        found = self._exchange(request)
        if isinstance(found, web.Response):
            return found
        exchange = found
        if not exchange.callbacks:
            return self._error(404, 10015, "Unknown Webhook")
        original = exchange.original()
        if original is not None and original["flags"] & LOADING and not original.get("deleted"):
            # Discord: the first followup after a "thinking" deferral fills that message in,
            # keeping the deferral's visibility.
            self._edit(original, body)
            exchange.original_history.append(dict(original))
            message = original
        else:
            message = self._new_message(self._channel_of(exchange), body, interaction=exchange)
            exchange.followup_ids.append(int(message["id"]))
        return self._reply("POST", template, self._public(message))

    def _find(self, request: web.Request) -> tuple[Exchange, dict[str, Any]] | web.Response:
        found = self._exchange(request)
        if isinstance(found, web.Response):
            return found
        key = request.match_info["message"]
        message_id = found.original_id if key == "@original" else int(key)
        message = self.messages.get(message_id) if message_id is not None else None
        if message is None or message.get("deleted"):
            return self._error(404, 10008, "Unknown Message")
        return found, message

    async def _get_message(self, request: web.Request) -> web.Response:
        found = self._find(request)
        if isinstance(found, web.Response):
            return found
        template = "/webhooks/{webhook_id}/{webhook_token}/messages/" + (
            "@original" if request.match_info["message"] == "@original" else "{message_id}")
        return self._reply("GET", template, self._public(found[1]))

    async def _edit_message(self, request: web.Request) -> web.Response:
        template = "/webhooks/{webhook_id}/{webhook_token}/messages/" + (
            "@original" if request.match_info["message"] == "@original" else "{message_id}")
        body = request[CALL].body
        self._check_request("PATCH", template, body)
        content = str((body or {}).get("content") or "") if isinstance(body, dict) else ""
        held = sum(s for prefix, s in self._edit_delays if content.startswith(prefix))
        if held:
            await asyncio.sleep(held)
        found = self._find(request)
        if isinstance(found, web.Response):
            return found
        exchange, message = found
        self._edit(message, body)
        if int(message["id"]) == exchange.original_id:
            exchange.original_history.append(dict(message))
        return self._reply("PATCH", template, self._public(message))

    async def _delete_message(self, request: web.Request) -> web.Response:
        template = "/webhooks/{webhook_id}/{webhook_token}/messages/" + (
            "@original" if request.match_info["message"] == "@original" else "{message_id}")
        found = self._find(request)
        if isinstance(found, web.Response):
            return found
        found[1]["deleted"] = True
        return self._reply("DELETE", template, None, 204)

    async def _create_dm(self, request: web.Request) -> web.Response:
        body = request[CALL].body
        # discord.py sends the id as a JSON number, which Discord accepts though the spec
        # says string: check the rest of the body with the id as text.
        self._check_request("POST", "/users/@me/channels",
                            {**body, "recipient_id": str(body.get("recipient_id"))})
        user_id = int(body["recipient_id"])
        channel = self.dm_channels.get(user_id)
        if channel is None:
            channel = {"id": str(snowflake()), "type": 1, "flags": 0, "last_message_id": None,
                       "recipients": [user_payload(user_id, f"user{user_id % 1000}")]}
            self.dm_channels[user_id] = channel
        return self._reply("POST", "/users/@me/channels", channel)

    async def _channel_message(self, request: web.Request) -> web.Response:
        template = "/channels/{channel_id}/messages"
        body = request[CALL].body
        self._check_request("POST", template, body)
        channel_id = int(request.match_info["channel"])
        for user_id, channel in self.dm_channels.items():
            if int(channel["id"]) == channel_id and user_id in self.closed_dms:
                return self._error(403, 50007, "Cannot send messages to this user")
        message = self._new_message(channel_id, body)
        return self._reply("POST", template, self._public(message))

    async def _guild_member(self, request: web.Request) -> web.Response:
        user_id = int(request.match_info["user"])
        if user_id in self.departed:
            return self._error(404, 10007, "Unknown Member")
        body = {"user": user_payload(user_id, f"user{user_id % 1000}"), **member_fields(),
                "banner": None}
        return self._reply("GET", "/guilds/{guild_id}/members/{user_id}", body)

    # --- reading DMs and channels ------------------------------------------------------------
    def dms_to(self, user_id: int) -> list[dict[str, Any]]:
        channel = self.dm_channels.get(user_id)
        if channel is None:
            return []
        return [m for m in self.messages.values() if m["channel_id"] == channel["id"]]

    def channel_messages(self, channel_id: int) -> list[dict[str, Any]]:
        return [m for m in self.messages.values()
                if m["channel_id"] == str(channel_id) and "webhook_id" not in m]


def _response_components(components: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Components as Discord echoes them (each with a numeric ``id``)."""
    counter = itertools.count(1)

    def clean(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: clean(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    def walk(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for item in items:
            copy = clean(item)
            copy.setdefault("id", next(counter))
            if "components" in copy:
                copy["components"] = walk(copy["components"])
            out.append(copy)
        return out

    return walk(components)


# --- interactions, built like Discord's ---------------------------------------------------------
class Interactions:
    """Builds ``INTERACTION_CREATE`` payloads: slash commands, buttons, modals, autocomplete."""

    def __init__(self, *, guild_id: int | None = 1_200_000_000_000_000_001,
                 channel_id: int = 1_200_000_000_000_000_101) -> None:
        self.guild_id = guild_id
        self.channel_id = channel_id

    def _base(self, kind: int, person: Person, data: dict[str, Any], *, dm: bool = False,
              message: Mapping[str, Any] | None = None) -> dict[str, Any]:
        interaction_id = snowflake()
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(APPLICATION_ID),
            "type": kind,
            "data": data,
            "token": f"itoken-{interaction_id}",
            "version": 1,
            "locale": "en-GB",
            "attachment_size_limit": 10_485_760,
            "app_permissions": str(MEMBER_PERMISSIONS),
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild_id)} if not dm else {"0": "0"},
        }
        user = user_payload(person.id, person.name)
        if dm or self.guild_id is None:
            channel_id = 1_100_000_000_000_000_000 + person.id % 1_000_000
            payload["channel"] = {"id": str(channel_id), "type": 1, "flags": 0,
                                  "recipients": [user]}
            payload["channel_id"] = str(channel_id)
            payload["user"] = user
            payload["context"] = 1
        else:
            payload["guild_id"] = str(self.guild_id)
            payload["guild"] = {"id": str(self.guild_id), "locale": "en-US", "features": []}
            payload["guild_locale"] = "en-US"
            payload["channel"] = {"id": str(self.channel_id), "type": 0, "name": "music",
                                  "guild_id": str(self.guild_id), "position": 0, "flags": 0,
                                  "permission_overwrites": [], "nsfw": False,
                                  "parent_id": None, "topic": None, "last_message_id": None,
                                  "rate_limit_per_user": 0}
            payload["channel_id"] = str(self.channel_id)
            payload["member"] = {"user": user, **member_fields(),
                                 "permissions": str(person.permissions)}
            payload["context"] = 0
        if message is not None:
            payload["message"] = {k: v for k, v in message.items() if k != "deleted"}
        return payload

    def command(self, person: Person, name: str, options: Mapping[str, Any] | None = None, *,
                sub: str | None = None, dm: bool = False) -> dict[str, Any]:
        """A slash command; ``sub`` names a subcommand (``/profile set``).  A ``Person`` as
        an option's value is a user option, resolved as a member of the server."""
        given = {k: v for k, v in (options or {}).items() if v is not None}
        opts = [_option(k, v) for k, v in given.items()]
        if sub is not None:
            opts = [{"type": 1, "name": sub, "options": opts}]
        data: dict[str, Any] = {"id": str(snowflake()), "name": name, "type": 1, "options": opts}
        people = [v for v in given.values() if isinstance(v, Person)]
        if people:
            data["resolved"] = {
                "users": {str(p.id): user_payload(p.id, p.name) for p in people},
                "members": {str(p.id): {**member_fields(), "permissions": str(p.permissions)}
                            for p in people},
            }
        return self._base(2, person, data, dm=dm)

    def autocomplete(self, person: Person, name: str, focused: str, value: str, *,
                     sub: str | None = None, dm: bool = False) -> dict[str, Any]:
        opts: list[dict[str, Any]] = [{"type": 3, "name": focused, "value": value, "focused": True}]
        if sub is not None:
            opts = [{"type": 1, "name": sub, "options": opts}]
        data = {"id": str(snowflake()), "name": name, "type": 1, "options": opts}
        return self._base(4, person, data, dm=dm)

    def click(self, person: Person, message: Mapping[str, Any], custom_id: str, *,
              dm: bool = False) -> dict[str, Any]:
        """A button press on ``message`` (as the fake stored it)."""
        data = {"custom_id": custom_id, "component_type": 2}
        return self._base(3, person, data, dm=dm, message=message)

    def submit(self, person: Person, custom_id: str, values: Mapping[str, str], *,
               dm: bool = False, message: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """A modal submission; values by text-input custom id (Label layout, as sent today)."""
        components = [
            {"type": 18, "id": n, "component": {"type": 4, "id": n + 100, "custom_id": key,
                                                "value": value}}
            for n, (key, value) in enumerate(values.items(), 1)
        ]
        return self._base(5, person, {"custom_id": custom_id, "components": components},
                          dm=dm, message=message)


def member_fields() -> dict[str, Any]:
    """A guild member's own fields (without its user), as Discord sends them."""
    return {"roles": [], "joined_at": "2025-01-01T00:00:00+00:00", "deaf": False, "mute": False,
            "flags": 0, "pending": False, "nick": None, "avatar": None, "premium_since": None,
            "communication_disabled_until": None}


def _option(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, Person):
        return {"type": 6, "name": name, "value": str(value.id)}
    if isinstance(value, bool):
        kind = 5
    elif isinstance(value, int):
        kind = 4
    elif isinstance(value, float):
        kind = 10
    else:
        kind = 3
    return {"type": kind, "name": name, "value": value}

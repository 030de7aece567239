"""A fake Telegram Bot API on 127.0.0.1 that python-telegram-bot talks to unmodified.

It speaks the wire format PTB uses (``POST {base}/bot{token}/{method}``, form-encoded
parameters with non-string values JSON-encoded, ``{"ok": ..., "result": ...}``
envelopes, errors chosen by HTTP status with ``parameters.retry_after`` on 429) and
behaves like Telegram where our adapter could get it wrong:

* ``getUpdates`` really long-polls (holds up to ``timeout``) and serves scripted updates;
* HTML is parsed like Telegram does: an unsupported or unclosed tag, or a bad entity,
  is a 400 "can't parse entities", and a text over 4096 characters after parsing is
  a 400 "message is too long", so an unescaped prompt or track name shows up as a
  failed send, exactly as it would in production;
* editing a message to what it already shows is 400 "message is not modified", and
  editing a deleted one is 400 "message to edit not found";
* a callback query may be answered once;
* ``delay_edits`` makes an edit slow the way a busy server or network makes it: a
  matching ``editMessageText`` is applied, and answered, only after a delay, so an edit
  sent later on another connection can overtake it (as two of Telegram's can);
* only one long poll at a time: a second ``getUpdates`` ends the one being held with
  409 Conflict ("terminated by other getUpdates request"), and ``getUpdates`` while a
  webhook is set is a 409 too, as when two processes run one bot;
* parameters are checked against the published Bot API spec (``shared/specs``) when
  it is present: unknown or missing required parameters are recorded in ``problems``.

Every call is recorded in ``calls``; ``chat_view`` gives what a person in a chat sees.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from aiohttp import web

SPEC = Path(__file__).resolve().parents[3] / "shared" / "specs" / "telegram-bot-api.json"
BOT_ID = 700_000_001
BOT_USERNAME = "EchoTunerTestBot"
TOKEN = f"{BOT_ID}:AAE-fake-token-for-tests"
MESSAGE_LIMIT = 4096
# Parameters Telegram takes as plain strings (PTB sends them unquoted).
_STRING_PARAMS = {
    "text", "parse_mode", "action", "callback_query_id", "url", "secret_token", "language_code",
    "inline_message_id", "business_connection_id", "message_effect_id", "description",
}
_ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "blockquote", "tg-emoji", "tg-time",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


# Telegram numbers a bot's updates in one increasing series; a fake started again for
# the same bot (a restart test) must not hand out ids the bot's store has seen.
_UPDATE_IDS = itertools.count(1)


class EntityError(ValueError):
    """Telegram's "can't parse entities"."""


class _TelegramHTML(HTMLParser):
    """Telegram's HTML subset: known tags only, properly nested, known entities only."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.text: list[str] = []
        self.stack: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            raise EntityError(f"Unsupported start tag \"{tag}\"")
        if tag == "a":
            href = dict(attrs).get("href")
            if not href:
                raise EntityError("Can't find end tag corresponding to start tag \"a\"")
            self.links.append(href)
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise EntityError(f"Can't find end tag corresponding to start tag \"{tag}\"")
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            raise EntityError("Unexpected character")
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in _NAMED_ENTITIES:
            raise EntityError(f"Unsupported HTML entity \"&{name};\"")
        self.text.append(_NAMED_ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        self.text.append(html.unescape(f"&#{name};"))

    def unknown_decl(self, data: str) -> None:
        raise EntityError("Unsupported declaration")


def parse_html(source: str) -> tuple[str, list[str]]:
    """The visible text and the link targets of a Telegram-HTML string."""
    parser = _TelegramHTML()
    parser.feed(source)
    parser.close()
    if parser.rawdata:  # HTMLParser keeps an unfinished "<tag" here
        raise EntityError("Unclosed start tag")
    if parser.stack:
        raise EntityError(f"Can't find end tag corresponding to start tag \"{parser.stack[-1]}\"")
    return "".join(parser.text), parser.links


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def tg_user(user_id: int, first_name: str = "Alice", username: str | None = None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        user["username"] = username
    return user


def private_chat(user: dict[str, Any]) -> dict[str, Any]:
    return {"id": user["id"], "type": "private", "first_name": user["first_name"]}


def group_chat(chat_id: int = -1001234567890, title: str = "Music Club") -> dict[str, Any]:
    return {"id": chat_id, "type": "supergroup", "title": title}


ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                   "username": "GroupAnonymousBot"}


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200


@dataclass
class SentMessage:
    """A message in a chat, as its members see it now."""

    chat_id: int
    message_id: int
    from_bot: bool
    text: str
    html: str = ""
    links: list[str] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    reply_to: int | None = None
    deleted: bool = False
    edits: int = 0
    raw: dict[str, Any] = field(default_factory=dict)

    def buttons(self) -> list[dict[str, Any]]:
        if not self.reply_markup:
            return []
        return [b for row in self.reply_markup.get("inline_keyboard", []) for b in row]

    def button(self, label_part: str) -> dict[str, Any]:
        for b in self.buttons():
            if label_part.lower() in b["text"].lower():
                return b
        raise KeyError(f"no button with {label_part!r} in {[b['text'] for b in self.buttons()]}")


class FakeTelegram:
    """The fake server; ``await start()`` then point PTB at ``api_url``."""

    def __init__(self, *, token: str = TOKEN, username: str = BOT_USERNAME) -> None:
        self.token = token
        self.bot_user = {
            "id": int(token.split(":", 1)[0]), "is_bot": True, "first_name": "EchoTuner",
            "username": username, "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False, "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.calls: list[Call] = []
        self.problems: list[str] = []
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.members: dict[tuple[int, int], str] = {}
        self.callback_queries: dict[str, bool] = {}  # id -> answered
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.latency = 0.0
        self._rate_limits: dict[str, list[int]] = {}
        self._malformed: dict[str, int] = {}
        self._failures: dict[str, list[int]] = {}  # method -> statuses still to answer
        self._garbled: dict[str, int] = {}
        self._edit_delays: list[tuple[str, float]] = []  # (text prefix, seconds)
        self._updates: list[dict[str, Any]] = []
        self._update_ids = _UPDATE_IDS  # one bot's ids never repeat, even across restarts
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._query_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._spec = json.loads(SPEC.read_text()) if SPEC.is_file() else None
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._poll_generation = 0  # which getUpdates call may hold the long poll
        self.webhook_url = ""
        #: The command menus set, by (scope type, language_code): what a client in that
        #: language shows ("" is the default menu, for languages without one of their own).
        self.command_menus: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.api_url = ""

    # --- life cycle -------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        port = server.sockets[0].getsockname()[1]
        self.api_url = f"http://127.0.0.1:{port}"
        return self.api_url

    async def close(self) -> None:
        self._closing = True  # ends any long poll still held open
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- switches ---------------------------------------------------------------------
    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer 429 with ``retry_after``."""
        self._rate_limits.setdefault(method, []).extend([retry_after] * times)

    def malformed(self, method: str, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer a body that is not JSON."""
        self._malformed[method] = self._malformed.get(method, 0) + times

    def fail(self, method: str, status: int = 500, *, times: int = 1_000_000) -> None:
        """The next ``times`` calls of ``method`` answer ``status`` (a 5xx: Telegram's error body)."""
        self._failures.setdefault(method, []).extend([status] * times)

    def garble(self, method: str, *, times: int = 1_000_000) -> None:
        """The next ``times`` calls of ``method`` answer 200 with a body that is not JSON."""
        self._garbled[method] = self._garbled.get(method, 0) + times

    def delay_edits(self, seconds: float, *, starting_with: str = "⏳", replace: bool = False) -> None:
        """Every ``editMessageText`` whose text starts with ``starting_with`` is applied and
        answered ``seconds`` after it arrives (a progress edit stuck on a slow connection);
        ``replace`` forgets the delays set before."""
        if replace:
            self._edit_delays.clear()
        self._edit_delays.append((starting_with, seconds))

    def heal(self) -> None:
        """Ends every ``fail``, ``garble``, ``malformed``, ``rate_limit`` and ``delay_edits``."""
        self._edit_delays.clear()
        self._failures.clear()
        self._garbled.clear()
        self._malformed.clear()
        self._rate_limits.clear()

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """creator, administrator, member, restricted, left or kicked."""
        self.members[(chat_id, user_id)] = status

    # --- scripted updates ---------------------------------------------------------------
    def _next_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queues a raw update (an update_id is added)."""
        return self._push(update)

    def _push(self, update: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())
        return update

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def user_message(
        self,
        chat: dict[str, Any],
        user: dict[str, Any],
        text: str,
        *,
        reply_to: int | None = None,
        sender_chat: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Queues a message a person sends (entities as Telegram's clients make them)."""
        self.chats[chat["id"]] = chat
        message_id = self._next_message_id(chat["id"])
        message: dict[str, Any] = {
            "message_id": message_id, "from": user, "chat": chat, "date": int(time.time()),
            "text": text,
        }
        entities = []
        command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
        if command:
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command.group())})
        for mention in re.finditer(r"(?<![\w/])@[A-Za-z0-9_]{5,32}", text):
            offset = utf16_len(text[: mention.start()])
            entities.append({"type": "mention", "offset": offset, "length": utf16_len(mention.group())})
        if entities:
            message["entities"] = entities
        if sender_chat is not None:
            message["sender_chat"] = sender_chat
        if reply_to is not None:
            replied = self.messages[(chat["id"], reply_to)]
            message["reply_to_message"] = replied.raw
        self.messages[(chat["id"], message_id)] = SentMessage(
            chat["id"], message_id, False, text, text, raw=message,
        )
        return self._push({"message": message})

    def press(self, user: dict[str, Any], message: SentMessage, data: str) -> tuple[str, int]:
        """Queues a press of an inline button; returns the callback query and update ids."""
        query_id = f"cq{next(self._query_ids)}"
        self.callback_queries[query_id] = False
        update = self._push({"callback_query": {
            "id": query_id, "from": user, "message": message.raw,
            "chat_instance": f"ci{message.chat_id}", "data": data,
        }})
        return query_id, int(update["update_id"])

    # --- what people see ------------------------------------------------------------------
    def chat_view(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in a chat, in order, as they look now."""
        return [m for (c, _), m in sorted(self.messages.items())
                if c == chat_id and m.from_bot and not m.deleted]

    def texts(self, chat_id: int) -> list[str]:
        return [m.text for m in self.chat_view(chat_id)]

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    async def wait_for(self, condition: Callable[[], object], within_s: float = 10.0) -> None:
        """Waits until ``condition()`` holds after some call; fails the test on timeout."""
        async def wait() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: bool(condition()))

        try:
            await asyncio.wait_for(wait(), within_s)
        except TimeoutError:
            raise AssertionError(
                f"timed out; calls so far: {[c.method for c in self.calls]}; "
                f"problems: {self.problems}"
            ) from None

    def delivered(self, update_id: int) -> bool:
        """Whether the bot has fetched the update (it asked for a later offset)."""
        return any(c.method == "getUpdates" and int(c.params.get("offset") or 0) > update_id
                   for c in self.calls)

    async def wait_idle(self, quiet: float = 0.3, within_s: float = 20.0) -> None:
        """Waits until the bot has made no call for ``quiet`` seconds (getUpdates aside)
        and no status message ("⏳ ...") is left showing."""
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            busy = [c for c in self.calls if c.method != "getUpdates"]
            last = busy[-1].at if busy else 0.0
            working = any(m.from_bot and not m.deleted and m.text.startswith("⏳")
                          for m in self.messages.values())
            if time.monotonic() - last >= quiet and not working:
                return
            await asyncio.sleep(quiet / 3)
        raise AssertionError("the bot never went quiet")

    # --- the wire ---------------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            body = await request.json()
            return dict(body) if isinstance(body, dict) else {}
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            text = value if isinstance(value, str) else ""
            if key in _STRING_PARAMS:
                params[key] = text
                continue
            try:
                params[key] = json.loads(text)
            except ValueError:
                params[key] = text
        return params

    def _check_spec(self, method: str, params: dict[str, Any]) -> None:
        if self._spec is None:
            return
        spec = self._spec["methods"].get(method)
        if spec is None:
            self.problems.append(f"{method}: not a Bot API method")
            return
        fields = {f["name"]: f for f in spec.get("fields", [])}
        for name in params:
            if name not in fields:
                self.problems.append(f"{method}: unknown parameter {name!r}")
        for name, f in fields.items():
            if f["required"] and name not in params:
                self.problems.append(f"{method}: missing required parameter {name!r}")

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params, time.monotonic())
        self.calls.append(call)
        await self._notify()  # a waiting test may be looking for this very call
        try:
            if request.match_info["token"] != self.token:
                call.status = 401
                return _error(401, "Unauthorized")
            self._check_spec(method, params)
            if self.latency:
                await asyncio.sleep(self.latency)
            if method == "editMessageText":
                text = str(params.get("text", ""))
                held = sum(s for prefix, s in self._edit_delays if text.startswith(prefix))
                if held:
                    await asyncio.sleep(held)
            waits = self._rate_limits.get(method)
            if waits:
                retry_after = waits.pop(0)
                call.status = 429
                return _error(429, f"Too Many Requests: retry after {retry_after}",
                              {"retry_after": retry_after})
            if self._malformed.get(method):
                self._malformed[method] -= 1
                call.status = 502
                return web.Response(status=502, text="<html>Bad Gateway</html>")
            failures = self._failures.get(method)
            if failures:
                call.status = failures.pop(0)
                return _error(call.status, "Internal Server Error")
            if self._garbled.get(method):
                self._garbled[method] -= 1
                call.status = 299  # answered, but not in a form the client can read
                return web.Response(status=200, text='{"ok": true, "result": {"message_id": ',
                                    content_type="application/json")
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                call.status = 404
                return _error(404, "Not Found: method not found")
            try:
                result = await handler(params)
            except _ApiError as exc:
                call.status = exc.status
                return _error(exc.status, exc.description)
            return web.json_response({"ok": True, "result": result})
        finally:
            await self._notify()

    # --- methods ------------------------------------------------------------------------
    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return self.bot_user

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook_url = ""
        return True

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook_url = str(params.get("url") or "")
        return True

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or not all(
            re.fullmatch(r"[a-z0-9_]{1,32}", c.get("command", "")) and 1 <= len(c.get("description", ""))
            <= 256 for c in commands
        ):
            raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        language = str(params.get("language_code") or "")
        if not re.fullmatch(r"([a-z]{2})?", language):  # the Bot API: ISO 639-1, or empty
            raise _ApiError(400, "Bad Request: invalid language code specified")
        scope = params.get("scope") or {"type": "default"}
        if isinstance(scope, str):
            scope = json.loads(scope)
        self.command_menus[(str(scope.get("type", "default")), language)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook_url:
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                 "use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        self._poll_generation += 1
        mine = self._poll_generation
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

        def ready() -> list[dict[str, Any]]:
            return [u for u in self._updates if u["update_id"] >= offset][:limit]

        if not ready() and timeout > 0:
            async with self._changed:
                try:
                    await asyncio.wait_for(
                        self._changed.wait_for(
                            lambda: self._closing or bool(ready()) or self._poll_generation != mine
                        ),
                        timeout,
                    )
                except TimeoutError:
                    pass
            if self._poll_generation != mine and not ready():
                raise _ApiError(409, "Conflict: terminated by other getUpdates request; make sure "
                                     "that only one bot instance is running")
        return ready()

    def _message_from_bot(self, chat_id: int, text_html: str, params: dict[str, Any]) -> SentMessage:
        text, links = self._render(text_html, params)
        message_id = self._next_message_id(chat_id)
        chat = self.chats.get(chat_id) or {"id": chat_id, "type": "private" if chat_id > 0 else
                                           "supergroup", "first_name": "Someone"}
        raw: dict[str, Any] = {
            "message_id": message_id, "from": self.bot_user, "chat": chat,
            "date": int(time.time()), "text": text,
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            raw["reply_markup"] = markup
        reply_to = None
        parameters = params.get("reply_parameters")
        if isinstance(parameters, dict):
            reply_to = int(parameters["message_id"])
            replied = self.messages.get((chat_id, reply_to))
            if replied is not None:
                raw["reply_to_message"] = replied.raw
        sent = SentMessage(chat_id, message_id, True, text, text_html, links,
                           markup if isinstance(markup, dict) else None, reply_to, raw=raw)
        self.messages[(chat_id, message_id)] = sent
        return sent

    @staticmethod
    def _render(text_html: str, params: dict[str, Any]) -> tuple[str, list[str]]:
        if params.get("parse_mode") == "HTML":
            try:
                text, links = parse_html(text_html)
            except EntityError as exc:
                raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        else:
            text, links = text_html, []
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > MESSAGE_LIMIT:
            raise _ApiError(400, "Bad Request: message is too long")
        return text, links

    def _chat_id(self, params: dict[str, Any]) -> int:
        try:
            return int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            raise _ApiError(400, "Bad Request: chat not found") from None

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        return self._message_from_bot(chat_id, str(params.get("text", "")), params).raw

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        message = self.messages.get((chat_id, int(params.get("message_id") or 0)))
        if message is None or message.deleted:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if not message.from_bot:
            raise _ApiError(400, "Bad Request: message can't be edited")
        text, links = self._render(str(params.get("text", "")), params)
        markup = params.get("reply_markup")
        markup = markup if isinstance(markup, dict) else None
        if text == message.text and markup == message.reply_markup:
            raise _ApiError(400, "Bad Request: message is not modified: specified new message "
                                 "content and reply markup are exactly the same as a current "
                                 "content and reply markup of the message")
        message.text, message.html, message.links = text, str(params.get("text", "")), links
        message.reply_markup = markup
        message.edits += 1
        message.raw = {**message.raw, "text": text, "edit_date": int(time.time())}
        if markup is not None:
            message.raw["reply_markup"] = markup
        else:
            message.raw.pop("reply_markup", None)
        return message.raw

    async def _m_deleteMessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        message = self.messages.get((chat_id, int(params.get("message_id") or 0)))
        if message is None or message.deleted:
            raise _ApiError(400, "Bad Request: message to delete not found")
        message.deleted = True
        return True

    async def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        self._chat_id(params)
        if params.get("action") not in {"typing", "upload_document", "choose_sticker"}:
            raise _ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        query_id = str(params.get("callback_query_id"))
        if self.callback_queries.get(query_id) is not False:
            raise _ApiError(400, "Bad Request: query is too old and response timeout expired or "
                                 "query ID is invalid")
        self.callback_queries[query_id] = True
        self.callback_answers[query_id] = params
        return True

    async def _m_getChatMember(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        user_id = int(params["user_id"])
        status = self.members.get((chat_id, user_id), "member")
        user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "administrator":
            rights = dict.fromkeys((
                "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
                "can_manage_video_chats", "can_restrict_members", "can_promote_members",
                "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                "can_delete_stories",
            ), False)
            rights.update(can_manage_chat=True, can_delete_messages=True)
            return {"status": "administrator", "user": user, **rights}
        if status == "restricted":
            return {"status": "restricted", "user": user, "is_member": True, "until_date": 0,
                    **dict.fromkeys((
                        "can_send_messages", "can_send_audios", "can_send_documents",
                        "can_send_photos", "can_send_videos", "can_send_video_notes",
                        "can_send_voice_notes", "can_send_polls", "can_send_other_messages",
                        "can_add_web_page_previews", "can_change_info", "can_invite_users",
                        "can_pin_messages", "can_manage_topics", "can_edit_tag",
                        "can_react_to_messages",
                    ), False)}
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        return {"status": status, "user": user}


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)

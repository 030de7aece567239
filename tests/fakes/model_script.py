"""What the fake model servers share: scripted behaviours and the aiohttp plumbing.

A test scripts a fake by queueing ``Behaviour`` values (``server.chat.push(...)``);
each request takes the next one, and the script's default answers when the queue is
empty.  Each server renders a behaviour in its own service's wire format, so the
real client library sees exactly what the real service would send.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
import math
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web
from multidict import CIMultiDict

JSON = "application/json"


@dataclass(frozen=True)
class Behaviour:
    """One scripted reaction to a request.

    kind: ``answer`` (``content``: a dict for a structured answer, a str for raw model
    text, or a callable of the request body returning either), ``status`` (an HTTP error
    with the service's error body), ``rate_limited`` (429 with Retry-After), ``hang`` (no
    answer until the server stops), ``malformed_body`` (200 whose body is not JSON),
    ``model_missing``, ``endless`` (valid-looking JSON whose song list never ends, cut at
    the request's output bound, or where the server's context is full, and marked as
    cut the service's way: finish_reason / done_reason "length", stop_reason "max_tokens").
    """

    kind: str
    content: object = None
    status: int = 200
    retry_after: float | None = None
    delay: float = 0.0


def answer(content: object, *, delay: float = 0.0) -> Behaviour:
    """The model answers ``content`` (a dict is sent as JSON / a tool call)."""
    return Behaviour("answer", content=content, delay=delay)


def prose(text: str = "Sure! Here is a lovely playlist: some jazz, some soul, enjoy!") -> Behaviour:
    """The model talks instead of answering JSON."""
    return Behaviour("answer", content=text)


def status(code: int, message: str = "scripted failure") -> Behaviour:
    return Behaviour("status", content=message, status=code)


def rate_limited(retry_after: float = 20.0) -> Behaviour:
    return Behaviour("rate_limited", status=429, retry_after=retry_after)


def hang() -> Behaviour:
    return Behaviour("hang")


def malformed_body() -> Behaviour:
    return Behaviour("malformed_body")


def model_missing() -> Behaviour:
    return Behaviour("model_missing")


def endless() -> Behaviour:
    """The model lists songs until it is stopped (a grammar fixes the shape, not the end)."""
    return Behaviour("endless")


# Token arithmetic of the fakes: about four characters a token, as for English text.
CHARS_PER_TOKEN = 4
# What a server without its own output bound generates at most (llama-server's default
# --ctx-size is 4096, and it generates until the context is full).
DEFAULT_CONTEXT = 4096


def estimate_tokens(text: str) -> int:
    return -(-len(text) // CHARS_PER_TOKEN)


def prompt_tokens(*parts: object) -> int:
    """Tokens of a request's text (message contents, system text), roughly."""
    return sum(estimate_tokens(p if isinstance(p, str) else json.dumps(p)) for p in parts)


def endless_json(tokens: int) -> str:
    """A strategy whose song list goes on and on, cut after ``tokens`` tokens."""
    parts = ['{"title": "Radiohead and Friends", "genres": ["alternative rock"], '
             '"moods": ["melancholic"], "energy": 0.5, "songs": [']
    size, n = len(parts[0]), 0
    while size < tokens * CHARS_PER_TOKEN:
        n += 1
        song = f'{{"title": "Song Number {n}", "artist": "Band Number {n}"}}, '
        parts.append(song)
        size += len(song)
    return "".join(parts)[: tokens * CHARS_PER_TOKEN]


def output_limit(bound: object, context: int | None, used: int) -> int:
    """Tokens a server generates: its request's bound, within what the context has left."""
    room = (context or DEFAULT_CONTEXT) - used
    if isinstance(bound, int) and not isinstance(bound, bool) and bound > 0:
        return max(0, min(bound, room))
    return max(0, room)


# A plan whose songs are in the bundled demo catalogue (real Spotify tracks).
GOOD_STRATEGY: dict[str, Any] = {
    "title": "Late Night Jazz",
    "description": "Smoky classics and gentle vocals.",
    "genres": ["jazz", "soul"],
    "moods": ["relaxed", "warm"],
    "energy": 0.3,
    "valence": 0.5,
    "era": None,
    "seed_artists": ["Miles Davis", "Bill Evans"],
    "avoid_artists": [],
    "songs": [
        {"title": "So What", "artist": "Miles Davis"},
        {"title": "Blue in Green", "artist": "Miles Davis"},
        {"title": "Take Five", "artist": "The Dave Brubeck Quartet"},
        {"title": "My Foolish Heart", "artist": "Bill Evans Trio"},
        {"title": "Skating In Central Park", "artist": "Bill Evans"},
        {"title": "At Last", "artist": "Etta James"},
        {"title": "Come Away With Me", "artist": "Norah Jones"},
        {"title": "What A Wonderful World", "artist": "Louis Armstrong"},
    ],
    "queries": ['genre:"jazz"', 'genre:"jazz" piano', 'artist:"Bill Evans"'],
}


def strategy(**changes: Any) -> dict[str, Any]:
    """``GOOD_STRATEGY`` with some fields changed."""
    return {**GOOD_STRATEGY, **changes}


def good() -> Behaviour:
    return answer(GOOD_STRATEGY)


_WORD = re.compile(r"[a-z0-9]+")


def hashed_embedding(text: str, dims: int = 64) -> list[float]:
    """A deterministic bag-of-words vector: texts sharing words point the same way."""
    vector = [0.0] * dims
    for word in _WORD.findall(text.lower()):
        digest = hashlib.sha256(word.encode()).digest()
        vector[digest[0] % dims] += 1.0 if digest[1] % 2 else -1.0
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


@dataclass
class Script:
    """A queue of behaviours with a default, and a fixed latency before each answer."""

    default: Behaviour
    latency: float = 0.0
    queue: deque[Behaviour] = field(default_factory=deque)

    def push(self, *behaviours: Behaviour) -> None:
        self.queue.extend(behaviours)

    def always(self, behaviour: Behaviour) -> None:
        """Answers ``behaviour`` from now on (clears what was queued)."""
        self.queue.clear()
        self.default = behaviour

    def next(self) -> Behaviour:
        return self.queue.popleft() if self.queue else self.default


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    body: Any
    headers: CIMultiDict[str]  # case-insensitive, as HTTP headers are


class FakeServer:
    """An aiohttp app on 127.0.0.1 (ephemeral port); ``async with`` starts and stops it.

    ``context_size``: the model's context in tokens (None: 4096 for what ``endless``
    generates, and no refusal); a server that knows it refuses oversized requests.
    """

    def __init__(self) -> None:
        self.context_size: int | None = None
        self.chat = Script(default=good())
        self.embeddings = Script(default=answer(None))
        self.embed: Callable[[str], list[float]] = hashed_embedding
        self.requests: list[Recorded] = []
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self.port = 0

    # --- life cycle -------------------------------------------------------------------
    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> Self:
        app = web.Application(middlewares=[self._record])
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        self._stopping.set()  # release hanging handlers first
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- helpers for the servers -------------------------------------------------------
    @web.middleware
    async def _record(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw.decode(errors="replace")
        self.requests.append(Recorded(request.method, request.path, body, CIMultiDict(request.headers)))
        response: web.StreamResponse = await handler(request)
        return response

    def requests_to(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    async def wait(self, script: Script, behaviour: Behaviour) -> None:
        """The scripted latency; a hang lasts until the server stops."""
        delay = script.latency + behaviour.delay
        if behaviour.kind == "hang":
            await self._stopping.wait()
        elif delay:
            await asyncio.sleep(delay)

    @staticmethod
    def json(data: object, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        return web.Response(text=json.dumps(data), status=status, content_type=JSON, headers=headers)

    @staticmethod
    def malformed() -> web.Response:
        return web.Response(text='{"model": "x", "message": {"content": ', content_type=JSON)

    async def content_for(self, behaviour: Behaviour, body: Any) -> str:
        """The answer's text; a callable content is asked, with the request body, per request
        (a benchmark plans each prompt differently, as a real model would)."""
        content = behaviour.content
        if callable(content):
            content = content(body)
            if inspect.isawaitable(content):
                content = await content
        return self.text_of(content)

    @staticmethod
    def text_of(content: object) -> str:
        """A behaviour's content as the model's text."""
        return content if isinstance(content, str) else json.dumps(content)

"""The fake services in a process of their own, driven over stdin/stdout (for benchmarks).

Real Spotify, Ollama and Telegram run on other machines; in a benchmark their fakes should
not share the bot's interpreter (its event loop, its GIL), or the fakes' own work would be
counted as the bot's.  ``FakesProcess`` starts this module as a child: it serves the fakes
on 127.0.0.1 and answers JSON commands, one a line.

Commands: ``set`` an attribute of a fake (latencies), ``get`` one (counters), ``push``
Telegram messages from many people at once, ``answers`` (when each chat got its playlist),
``calls`` (how many Bot API calls the bot made).  Times are ``time.monotonic()``, which is
the same clock in every process on Linux.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SPOTIFY_APP = ("c0ffee00c0ffee00c0ffee00c0ffee00", "5ec2e75ec2e75ec2e75ec2e75ec2e75e")


class Planner:
    """Plans like a good model: real catalogue songs (more than needed) and a few queries."""

    def __init__(self, songs_per_track: float = 1.5) -> None:
        from data.catalogue.demo import shared_catalogue

        self.catalogue = shared_catalogue()
        self.songs_per_track = songs_per_track
        self._plans: dict[tuple[str, int], dict[str, Any]] = {}

    async def plan(self, prompt: str, count: int) -> dict[str, Any]:
        from adapters.ai.offline import plan_prompt
        from core.models import Profile

        key = (prompt, count)
        found = self._plans.get(key)
        if found is None:
            plan = plan_prompt(prompt, Profile())
            queries = [q for q in plan.get("queries", []) if q][:4] or ['genre:"pop"']
            wanted = math.ceil(count * self.songs_per_track)
            songs: list[dict[str, str]] = []
            seen: set[str] = set()
            for query in queries:
                for page in range(6):
                    for track in await self.catalogue.search(query, limit=10, offset=page * 10):
                        if track.id not in seen and len(songs) < wanted:
                            seen.add(track.id)
                            songs.append({"title": track.title, "artist": track.artist})
            found = {**plan, "songs": songs, "queries": queries}
            self._plans[key] = found
        return found

    async def answer(self, body: Any) -> dict[str, Any]:
        """The chat answer for an Ollama request (its user message carries the request)."""
        text = body["messages"][-1]["content"]
        match = re.search(r'"request": ("(?:[^"\\]|\\.)*")', text)
        count = re.search(r"a playlist of (\d+) tracks", text)
        prompt = json.loads(match.group(1)) if match else "relaxing jazz for studying"
        return await self.plan(prompt, int(count.group(1)) if count else 20)


async def serve(names: list[str]) -> None:
    from data.catalogue.demo import shared_catalogue
    from tests.fakes.model_script import answer
    from tests.fakes.ollama_server import FakeOllama
    from tests.fakes.spotify_server import FakeSpotify
    from tests.fakes.telegram_server import FakeTelegram, private_chat, tg_user

    await shared_catalogue().size()
    fakes: dict[str, Any] = {}
    urls: dict[str, str] = {}
    planner = Planner()
    if "ollama" in names:
        fakes["ollama"] = ollama = await FakeOllama().start()
        ollama.chat.always(answer(planner.answer))
        ollama.embed = lambda text: [1.0, 0.0]  # every vague prompt is a music request
        urls["ollama"] = ollama.base_url
    if "spotify" in names:
        fakes["spotify"] = spotify = FakeSpotify(shared_catalogue())
        await spotify.start()
        spotify.add_app(*SPOTIFY_APP)
        urls["spotify_api"], urls["spotify_accounts"] = spotify.api_url, spotify.accounts_url
    if "telegram" in names:
        fakes["telegram"] = telegram = FakeTelegram()
        await telegram.start()
        urls["telegram"], urls["telegram_token"] = telegram.api_url, telegram.token
    print(json.dumps(urls), flush=True)

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        command = json.loads(line)
        op = command["op"]
        result: Any = None
        if op == "set":
            target = fakes[command["fake"]]
            for part in command["attr"].split(".")[:-1]:
                target = getattr(target, part)
            setattr(target, command["attr"].split(".")[-1], command["value"])
        elif op == "get":
            result = getattr(fakes[command["fake"]], command["attr"])
        elif op == "plan":  # warm the planner (its catalogue searches) before a clock starts
            for prompt in command["prompts"]:
                await planner.plan(prompt, command["count"])
        elif op == "push":
            telegram = fakes["telegram"]
            sent = {}
            for n in range(command["users"]):
                person = tg_user(command["first_id"] + n, f"User{n}")
                sent[person["id"]] = time.monotonic()
                prompt = command["prompts"][n % len(command["prompts"])]
                telegram.user_message(private_chat(person), person, f"{prompt} {command['count']}")
            result = sent
        elif op == "answers":
            result = {}
            for call in fakes["telegram"].calls:
                if call.method not in {"sendMessage", "editMessageText"} or call.status != 200:
                    continue
                markup = call.params.get("reply_markup")
                if isinstance(markup, dict) and "Regenerate" in json.dumps(markup):
                    result.setdefault(str(call.params["chat_id"]), call.at)
        elif op == "calls":
            result = sum(1 for c in fakes["telegram"].calls if c.method != "getUpdates")
        elif op == "quit":
            break
        print(json.dumps({"id": command.get("id"), "result": result}), flush=True)
    for fake in fakes.values():
        await (fake.stop() if hasattr(fake, "stop") else fake.close())


class FakesProcess:
    """The parent's handle: ``async with FakesProcess("ollama", "spotify") as fakes``."""

    def __init__(self, *names: str) -> None:
        self.names = names
        self.urls: dict[str, str] = {}
        self._process: asyncio.subprocess.Process | None = None
        self._ids = 0

    async def __aenter__(self) -> FakesProcess:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, __file__, ",".join(self.names),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, limit=2**24,
        )
        assert self._process.stdout is not None
        self.urls = json.loads(await asyncio.wait_for(self._process.stdout.readline(), 60))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._process is not None and self._process.returncode is None:
            await self.send("quit")
            await asyncio.wait_for(self._process.wait(), 30)

    async def send(self, op: str, **fields: Any) -> Any:
        assert self._process is not None and self._process.stdin and self._process.stdout
        self._ids += 1
        self._process.stdin.write((json.dumps({"op": op, "id": self._ids, **fields}) + "\n").encode())
        await self._process.stdin.drain()
        if op == "quit":
            return None
        return json.loads(await asyncio.wait_for(self._process.stdout.readline(), 120))["result"]

    async def set(self, fake: str, attr: str, value: Any) -> None:
        await self.send("set", fake=fake, attr=attr, value=value)

    async def get(self, fake: str, attr: str) -> Any:
        return await self.send("get", fake=fake, attr=attr)


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1].split(",")))

"""Hostile prompts, feedback, counts and profile fields through the engine and the text commands.

Properties: nothing raises but ``EchoTunerError`` (whose message is for the user); what is
stored reads back exactly; no user text ever reaches SQL except as a bound parameter (every
statement SQLite runs is traced, and the user's text may appear only inside a string
literal, which is how SQLite shows a bound value).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.ai.offline import OfflineStrategyProvider
from core.actions import Actions
from core.commands import TextCommands
from core.engine import Engine, EngineConfig
from core.errors import EchoTunerError
from core.identity import UserKeys
from core.models import LimitSettings, Profile, StrategyAnswer, StrategyRequest, Track, UserRef
from core.replies import PlaylistReply, ProfileReply, Reply, TextReply, is_error
from core.text import visible
from core.validation import LexicalValidator
from data.catalogue.demo import shared_catalogue
from data.sqlite_store import SqliteStore
from tests.hostile.strategies import MARKER, counts, hostile_text, music_text

ALICE = UserRef("hostile", "alice", "dm")
# A SQL string literal as SQLite's trace shows a bound text value ('' is an escaped quote).
_LITERAL = re.compile(r"'(?:[^']|'')*'")


def skeleton(statement: str) -> str:
    """A traced statement without its string literals: the SQL the code wrote itself."""
    return _LITERAL.sub("?", statement)


def said(reply: Reply) -> str:
    """The sentence a reply says (empty for a playlist, a profile, ...)."""
    return reply.text if isinstance(reply, TextReply) else ""


def run(scenario: Callable[[Engine, TextCommands, list[str]], Awaitable[None]]) -> list[str]:
    """Runs ``scenario`` on a fresh engine; returns every SQL statement SQLite executed."""

    async def main() -> list[str]:
        traced: list[str] = []
        async with SqliteStore(":memory:") as store:
            conn = store._conn
            assert conn is not None
            await conn.set_trace_callback(traced.append)
            engine = Engine(
                store=store, model=OfflineStrategyProvider(), catalogue=shared_catalogue(),
                validator=LexicalValidator(), keys=UserKeys(b"hostile-input-secret-key-32bytes"),
                config=EngineConfig(defaults=LimitSettings(playlist_limit_enabled=False)),
            )
            await scenario(engine, TextCommands(Actions(engine)), traced)
        return traced

    return asyncio.run(main())


def assert_parameterised(traced: list[str]) -> None:
    leaks = [s for s in traced if MARKER in skeleton(s)]
    assert not leaks, f"user text reached SQL outside a bound parameter: {leaks[:2]}"


async def refused_or(call: Awaitable[object]) -> object | None:
    """The result, or None when the engine refused with a user-facing message."""
    try:
        return await call
    except EchoTunerError as exc:
        assert exc.user_message.strip(), "a refusal always says why"
        return None


@given(prompt=hostile_text(), count=counts())
def test_any_prompt_and_count_gets_a_playlist_or_a_clear_refusal(prompt: str, count: object) -> None:
    async def scenario(engine: Engine, commands: TextCommands, traced: list[str]) -> None:
        playlist = await refused_or(engine.generate(ALICE, prompt, count))
        if playlist is not None:
            draft = await engine.get_playlist(ALICE, playlist.draft_id)  # type: ignore[attr-defined]
            assert draft.prompt == playlist.prompt  # type: ignore[attr-defined]
            assert MARKER not in prompt or MARKER in draft.prompt or len(prompt) > 500
        reply = await commands.handle(ALICE, f"/playlist {prompt}")
        assert is_error(reply) or isinstance(reply, PlaylistReply)
        assert "Something went wrong" not in said(reply), reply

    assert_parameterised(run(scenario))


@given(prompt=music_text(), feedback=hostile_text(), count=counts())
def test_any_feedback_refines_or_is_refused_clearly(prompt: str, feedback: str, count: object) -> None:
    async def scenario(engine: Engine, commands: TextCommands, traced: list[str]) -> None:
        first = await refused_or(engine.generate(ALICE, prompt, 10))
        if first is None:  # the woven-in payload made it too long: refused, fine
            return
        draft_id = first.draft_id  # type: ignore[attr-defined]
        refined = await refused_or(engine.refine(ALICE, feedback, draft_id, count=count))
        if refined is not None:
            assert refined.version == 2  # type: ignore[attr-defined]
        reply = await commands.handle(ALICE, f"/refine {feedback}")
        assert "Something went wrong" not in said(reply), reply

    assert_parameterised(run(scenario))


@given(line=hostile_text(), field=st.sampled_from(("genres", "artists", "disliked", "energy",
                                                   "discovery", "explicit", "bogus")))
def test_any_profile_change_is_saved_and_read_back_or_refused_clearly(line: str, field: str) -> None:
    async def scenario(engine: Engine, commands: TextCommands, traced: list[str]) -> None:
        for text in (f"/profile set {field}=\"{line}\"", f"/profile set {line}", f"/profile {line}"):
            reply = await commands.handle(ALICE, text)
            assert "Something went wrong" not in said(reply), reply
            if isinstance(reply, ProfileReply):
                assert await engine.get_profile(ALICE) == reply.profile
        # A saved profile must not break the next playlist (disliked artists, odd genres).
        playlist = await refused_or(engine.generate(ALICE, "relaxing jazz for studying", 10))
        assert playlist is not None
        assert (await engine.get_profile(ALICE)) is not None or Profile() is not None

    assert_parameterised(run(scenario))


@given(line=hostile_text())
def test_any_line_of_text_gets_an_answer(line: str) -> None:
    async def scenario(engine: Engine, commands: TextCommands, traced: list[str]) -> None:
        for text in (line, "/" + line, f"/limits {line}", f"/status {line}", f"/save {line}"):
            reply = await commands.handle(ALICE, text)
            assert "Something went wrong" not in said(reply), reply

    assert_parameterised(run(scenario))


class RecordingPlanner(OfflineStrategyProvider):
    """The offline planner, keeping every request it was asked (what a model would read)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[StrategyRequest] = []

    async def plan(self, request: StrategyRequest) -> StrategyAnswer:
        self.requests.append(request)
        return await super().plan(request)


@settings(max_examples=15)
@given(feedback=st.one_of(music_text(), hostile_text()),
       titles=st.lists(st.tuples(hostile_text(), hostile_text(60)), min_size=1, max_size=8),
       limit=st.integers(0, 2))
def test_adopting_client_playlists_in_a_loop_never_passes_the_daily_limit(
    feedback: str, titles: list[tuple[str, str]], limit: int
) -> None:
    tracks = [Track(id=f"{n:022d}", title=t, artists=(a,)) for n, (t, a) in enumerate(titles)]

    async def main() -> None:
        async with SqliteStore(":memory:") as store:
            planner = RecordingPlanner()
            engine = Engine(
                store=store, model=planner, catalogue=shared_catalogue(),
                validator=LexicalValidator(), keys=UserKeys(b"hostile-input-secret-key-32bytes"),
                config=EngineConfig(defaults=LimitSettings(max_playlists_per_day=limit)),
            )
            served = [p for p in [await refused_or(engine.adopt(ALICE, feedback, tracks))
                                  for _ in range(limit + 3)] if p is not None]
            assert len(served) <= limit
            status = await engine.limits_status(ALICE)
            assert status.playlists_used_today == len(served)
            conn = store._conn
            assert conn is not None
            async with conn.execute("SELECT COUNT(*) FROM drafts") as cursor:
                row = await cursor.fetchone()
            assert row is not None and row[0] == len(served)  # refusals keep no draft
            for request in planner.requests:  # adopted text reaches the planner clean, bounded
                assert len(request.previous_tracks) <= len(tracks)
                for line in request.previous_tracks:
                    assert len(line) <= 2 * 100 + 3 and line == visible(line)
                    assert "\n" not in line and "\r" not in line

    asyncio.run(main())

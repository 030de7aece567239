"""Hostile data at the doors where it enters: model answers, Spotify's track objects, REST
bodies, and the button data and deep links chat clients send back.

Properties: what gets past a door is fit to store and show (no lone surrogates, no control
characters); what does not is refused with a clear answer, never a crash.
"""

from __future__ import annotations

import asyncio
import io
import json
import unicodedata
from datetime import UTC, datetime

import aiohttp
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.ai.offline import OfflineStrategyProvider
from adapters.discord.views import _MODAL_ID, DraftButton
from adapters.music.spotify_catalogue import track_from_json
from adapters.telegram.keys import KeyBook
from adapters.web.rest_api import ApiConfig, RestApi
from bot.telegram_wiring import key_spaces
from core.engine import Engine, EngineConfig
from core.errors import StrategyInvalid
from core.identity import UserKeys
from core.models import LimitSettings, UserRef
from core.strategy import parse_strategy
from core.validation import LexicalValidator
from data.catalogue.demo import shared_catalogue
from data.sqlite_store import SqliteStore
from tests.hostile.strategies import any_char, counts, hostile_text

ALICE = UserRef("telegram", "1001", "dm")
BOB = UserRef("telegram", "1002", "dm")


def storable(text: str) -> bool:
    """Encodable as UTF-8 and free of control characters."""
    text.encode("utf-8")
    return not any(unicodedata.category(c) == "Cc" for c in text)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), hostile_text(60)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)


@given(title=hostile_text(), artist=hostile_text(), query=hostile_text(), extra=json_values)
def test_any_model_answer_is_a_clean_strategy_or_invalid(
    title: str, artist: str, query: str, extra: object
) -> None:
    answer = {"title": title, "songs": [{"title": title, "artist": artist}, extra],
              "queries": [query, extra], "genres": extra, "energy": extra}
    for data in (answer, json.dumps(answer), {"title": extra}):
        try:
            strategy = parse_strategy(data)
        except StrategyInvalid:
            continue
        texts = [strategy.title, *strategy.queries, *strategy.genres,
                 *(s.title for s in strategy.songs), *(s.artist for s in strategy.songs)]
        assert all(storable(t) for t in texts)


@given(name=hostile_text(), artist=hostile_text(), album=json_values)
def test_any_spotify_track_object_is_a_clean_track_or_skipped(
    name: str, artist: str, album: object
) -> None:
    item = {"type": "track", "id": "4uLU6hMCjMI75M1A2tKUQC", "name": name,
            "artists": [{"name": artist}, {"name": album}], "album": album, "duration_ms": album}
    track = track_from_json(item)
    if track is not None:
        assert all(storable(t) for t in (track.title, track.album, *track.artists))
        assert track.title.strip() and track.artists


@given(data=st.one_of(st.none(), hostile_text(80), st.sampled_from(
    ("k:", "k:" + "A" * 24, "et:regen:1", "et:regen:999999999999999999", "k:../../etc"))))
def test_any_button_data_resolves_to_nothing_or_a_real_button(data: str | None) -> None:
    async def main() -> None:
        async with SqliteStore(":memory:") as store:
            book = KeyBook(key_spaces(store), UserKeys(b"hostile-button-secret-key-32byte"))
            real = await book.button(ALICE, 1, "regenerate", datetime(2099, 1, 1, tzinfo=UTC))
            assert await book.resolve_button(data) is None or data == real
            assert (await book.resolve_button(real)) is not None
            # Deep links: any payload, and a real one of Alice's used by Bob, open nothing.
            assert await book.consume_deep_link(BOB, data or "") is None
            mine = await book.deep_link(ALICE, "link")
            assert await book.consume_deep_link(BOB, mine) is None
            assert await book.consume_deep_link(ALICE, mine) is not None
            assert await book.consume_deep_link(ALICE, mine) is None  # single use

    asyncio.run(main())


@given(custom_id=hostile_text(120))
def test_any_discord_custom_id_is_a_known_button_or_ignored(custom_id: str) -> None:
    template = DraftButton.__discord_ui_compiled_template__  # type: ignore[attr-defined]
    match = template.fullmatch(custom_id)
    if match is not None:
        assert 0 <= int(match["draft"]) < 10**18
    modal = _MODAL_ID.fullmatch(custom_id)
    if modal is not None:
        assert 0 <= int(modal["draft"]) < 10**18


@settings(max_examples=12)  # each example starts a web server and sends two bodies
# Prompts up to 20,000 characters: escaped in JSON that is still past the 64 KB limit (the
# 413 path), without the test client stuck writing megabytes the server refused at once.
@given(prompt=st.one_of(hostile_text().map(lambda text: text[:20_000]), json_values),
       device=st.one_of(hostile_text(40), json_values), count=counts(), extra=json_values)
def test_any_rest_body_gets_a_json_answer_never_a_500(
    prompt: object, device: object, count: object, extra: object
) -> None:
    async def main() -> None:
        async with SqliteStore(":memory:") as store:
            engine = Engine(
                store=store, model=OfflineStrategyProvider(), catalogue=shared_catalogue(),
                validator=LexicalValidator(), keys=UserKeys(b"hostile-rest-api-secret-key-32by"),
                config=EngineConfig(defaults=LimitSettings(playlist_limit_enabled=False)),
            )
            app = web.Application()
            app.router.add_routes(RestApi(engine, ApiConfig()).routes())
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            try:
                async with aiohttp.ClientSession() as http:
                    bodies = [
                        {"prompt": prompt, "device_id": device, "count": count, "user_context": extra},
                        {"prompt": prompt, "device_id": "dev-1", "playlist_id": extra},
                    ]
                    for path, body in zip(("/generate-playlist", "/refine-playlist"), bodies,
                                          strict=True):
                        raw = json.dumps(body, default=str).encode()
                        async with http.post(f"http://127.0.0.1:{port}{path}", data=io.BytesIO(raw),
                                             headers={"Content-Type": "application/json"}) as r:
                            answer = await r.json()
                            assert r.status < 500, answer
                            assert ("error" in answer) == (r.status >= 400)
            finally:
                await runner.cleanup()

    asyncio.run(main())


@given(text=st.text(any_char(), max_size=50))
def test_lone_surrogates_in_json_bodies_are_cleaned_at_the_door(text: str) -> None:
    # JSON may carry a lone surrogate ("\ud800"); nothing stored may.
    from core.guard import clean_text

    raw = json.dumps({"prompt": f"relaxing jazz {text}"})
    prompt = json.loads(raw)["prompt"]
    cleaned = clean_text(prompt, max_length=500)
    assert storable(cleaned)

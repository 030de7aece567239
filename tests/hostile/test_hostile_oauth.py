"""The OAuth callback under attack: forged, expired, replayed and cross-user states, garbage
parameters, and a flood from one address.

Whatever arrives, the callback writes nothing it should not, echoes nothing it was sent
(codes and states are secrets), and answers a page, never a server error; one address is
slowed down after a few attempts.
"""

from __future__ import annotations

import asyncio
import html
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from core.models import Conversation
from tests.hostile.strategies import hostile_text
from tests.integration.spotify_support import ALICE, BOB, spotify_world

# Up to what a browser coming back from Spotify could send; far longer request lines are
# refused by the HTTP parser before any of our code runs (see the last test).
params = st.dictionaries(st.sampled_from(("state", "code", "error", "error_description", "x")),
                         hostile_text(120).map(lambda text: text[:120]), max_size=4)


@settings(max_examples=4)  # each example builds the whole world: twenty requests apiece
@given(attempts=st.lists(params, min_size=20, max_size=20))
def test_garbage_at_the_callback_links_nobody_and_echoes_nothing(
    attempts: list[dict[str, str]]
) -> None:
    async def main() -> None:
        with tempfile.TemporaryDirectory() as folder:
            async with spotify_world(Path(folder), MAX_AUTH_ATTEMPTS_PER_IP="1000") as world:
                real_url = await world.linking.link_start(ALICE, Conversation("chat", "alice"))
                for query in attempts:
                    async with world.http.get(world.redirect_uri, params=query) as response:
                        page = html.unescape(await response.text())
                        assert response.status in {400, 404}, (response.status, page[:300])
                    for value in query.values():
                        if len(value.strip()) >= 8:
                            assert value not in page  # nothing sent is shown back
                assert await world.linking.linked_account(ALICE) is None
                assert world.chat.sent == []  # forged callbacks tell nobody anything
                # The real link still works afterwards: garbage consumed nothing.
                world.fake.login_as = "alice"
                status, _ = await world.authorize(real_url)
                assert status == 200
                assert await world.linking.linked_account(ALICE) is not None

    asyncio.run(main())


async def test_alices_state_completed_in_bobs_browser_links_alice_not_bob(tmp_path: Path) -> None:
    async with spotify_world(tmp_path) as world:
        url = await world.linking.link_start(ALICE, Conversation("chat", "alice"))
        world.fake.login_as = "bob"  # Bob's Spotify account signed in, Alice's link
        status, _ = await world.authorize(url)
        assert status == 200
        assert await world.linking.linked_account(BOB) is None  # Bob gained nothing
        linked = await world.linking.linked_account(ALICE)
        assert linked is not None and linked.display_name == "Bob"  # whoever signed in
        assert [conversation for conversation, _ in world.chat.sent] == ["alice"]


async def test_a_callback_flood_from_one_address_is_slowed_down(tmp_path: Path) -> None:
    async with spotify_world(tmp_path, MAX_AUTH_ATTEMPTS_PER_IP="5") as world:
        statuses = []
        for n in range(12):
            async with world.http.get(world.redirect_uri,
                                      params={"state": f"forged-state-{n:04d}x", "code": "c"}) as r:
                statuses.append(r.status)
                retry_after = r.headers.get("Retry-After")
        assert statuses[:5] == [400] * 5
        assert statuses[5:] == [429] * 7
        assert retry_after is not None and int(retry_after) > 0
        # A real user from that address is slowed down too (it slows guessing): once the
        # window has passed, linking works again; nothing was written meanwhile.
        assert await world.linking.linked_account(ALICE) is None
        await asyncio.sleep(0)


async def test_an_overlong_callback_url_is_refused_as_plain_text_before_our_code(tmp_path: Path) -> None:
    async with spotify_world(tmp_path) as world:
        query = {"state": "<script>alert(1)</script>", "code": "a" * 9000}
        async with world.http.get(world.redirect_uri, params=query) as response:
            assert response.status == 400
            assert response.content_type == "text/plain"  # never rendered as a page
        assert await world.linking.linked_account(ALICE) is None

"""The OAuth landing page names the chat account the Spotify account was linked to (issue 15).

A sign-in link forwarded to someone else links *their* Spotify to the sender's chat account;
the page saying "Linked to @alice on Telegram" is how they notice.
"""

from __future__ import annotations

from pathlib import Path

from core.models import Conversation
from tests.integration.spotify_support import ALICE as SPOTIFY_ALICE
from tests.integration.spotify_support import spotify_world
from tests.integration.telegram_support import ALICE, ALICE_DM, running_bot


async def test_the_landing_page_says_which_telegram_account_was_linked(tmp_path: Path) -> None:
    async with spotify_world(tmp_path) as world, running_bot(tmp_path, app=world.app) as bot:
        world.fake.add_user("alice_sp", "Alice S", allow_in=world.spotify_app)
        await bot.say(ALICE_DM, ALICE, "/link")
        [url] = [link for link in bot.last(ALICE_DM).links
                 if link.startswith(world.fake.accounts_url)]
        world.fake.login_as = "alice_sp"
        status, page = await world.authorize(url)
    assert status == 200
    assert "Linked to @alice on Telegram." in page


async def test_the_chat_account_on_the_landing_page_is_escaped(tmp_path: Path) -> None:
    async with spotify_world(tmp_path) as world:
        world.fake.login_as = "alice"
        url = await world.linking.link_start(SPOTIFY_ALICE, Conversation("discord", "dm:1"),
                                             chat_account='<i>Eve</i> & "Mallory"')
        async with world.http.get(url, allow_redirects=True) as answer:
            raw = await answer.text()
    assert answer.status == 200
    assert "<i>" not in raw and "Eve</i>" not in raw
    assert "Linked to i Eve /i &amp; &#34;Mallory&#34; on Discord." in raw


async def test_a_failed_sign_in_names_no_chat_account(tmp_path: Path) -> None:
    async with spotify_world(tmp_path) as world:
        url = await world.linking.link_start(SPOTIFY_ALICE, Conversation("telegram", "1"),
                                             chat_account="@alice")
        state = url.split("state=", 1)[1].split("&", 1)[0]
        status, page = await world.callback(state=state, error="access_denied")
    assert status == 400 and "@alice" not in page

"""The pages as a person sees them: a real headless Chromium opens each one from the running bot.

OAuth landing pages are reached the way a user reaches them (Spotify's consent at the
fake, then the redirect back); playlist pages come from playlists the real engine made
or from drafts stored with hostile names; the status page is asked for with and without
its token.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.support.wait import WebDriverWait

from core.models import Conversation, DraftVersion, Strategy, Track
from core.sharing import Sharing
from tests.browser import Browser
from tests.integration.pages_support import USER, PagesWorld, pages_world
from tests.integration.spotify_support import ALICE, RecordingChat, World, spotify_world

DISCORD_USER = Conversation("discord", "dm:1001")
XSS_PROMPT = '<script>window.__pwned = 1; alert("prompt")</script>"><img src=x onerror="window.__pwned=2">'
XSS_TITLE = '"><img src=x onerror="window.__pwned=3"><script>alert(1)</script>'


@dataclass
class TelegramChat(RecordingChat):
    """A running Telegram adapter as the landing page sees it: it knows the bot's t.me link."""

    name: str = "telegram"
    chat_url: str = "https://t.me/echotuner_test_bot"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with spotify_world(tmp_path, SPOTIFY_MAX_RETRIES="0") as world:
        world.fake.login_as = "alice"
        yield world


@pytest.fixture
async def pages(tmp_path: Path) -> AsyncIterator[PagesWorld]:
    async with pages_world(tmp_path) as world:
        yield world


async def sign_in(world: World, browser: Browser, notify: Conversation = DISCORD_USER) -> str:
    """Opens a fresh authorisation URL in the browser; returns the callback URL it landed on."""
    url = await world.linking.link_start(ALICE, notify)
    await browser.open(url)
    landed = await browser.url()
    assert landed.startswith(world.redirect_uri), landed
    return landed


async def assert_no_secrets(browser: Browser, landed: str) -> None:
    query = parse_qs(urlsplit(landed).query)
    source = await browser.source()
    for key in ("state", "code"):
        for value in query.get(key, []):
            assert value not in source and html.escape(value) not in source


async def no_alert(browser: Browser) -> bool:
    def check(driver: Any) -> bool:
        try:
            driver.switch_to.alert.dismiss()
        except NoAlertPresentException:
            return True
        return False

    return await browser.run(check)


# --- the OAuth landing page --------------------------------------------------------------
async def test_linked_page_names_the_account_and_sends_the_user_back_to_discord(
    world: World, browser: Browser
) -> None:
    landed = await sign_in(world, browser)
    assert await browser.text("h1") == "Spotify is linked"
    assert await browser.text("#message") == (
        "Linked to Spotify as Alice. You can close this page and go back to the chat.")
    back = await browser.script("return document.getElementById('back').href;")
    assert back == "https://discord.com/app"
    assert await browser.script("return document.documentElement.lang;") == "en"
    await assert_no_secrets(browser, landed)
    assert await browser.console_errors() == []  # no CSP violation, nothing missing


async def test_a_used_link_says_it_was_already_used(world: World, browser: Browser) -> None:
    landed = await sign_in(world, browser)
    await browser.open(landed)  # back button, reload, or a second click in the chat
    assert await browser.text("h1") == "This sign-in link was already used"
    assert await browser.script("return document.querySelector('[data-outcome]').dataset.outcome;") \
        == "used"
    await assert_no_secrets(browser, landed)


async def test_an_expired_link_says_it_expired(world: World, browser: Browser) -> None:
    world.linking.state_ttl = timedelta(0)
    landed = await sign_in(world, browser)
    assert await browser.text("h1") == "This sign-in link has expired"
    assert "/link" in await browser.text("#message")
    await assert_no_secrets(browser, landed)
    assert await world.linking.linked_account(ALICE) is None


async def test_denied_consent_says_nothing_was_linked(world: World, browser: Browser) -> None:
    world.fake.consent = "deny"
    await sign_in(world, browser)
    assert await browser.text("h1") == "You didn't allow access"
    assert "nothing was linked" in await browser.text("#message")


async def test_a_spotify_error_says_so_and_links_nothing(world: World, browser: Browser) -> None:
    world.fake.server_errors = 100  # the token endpoint answers 503
    landed = await sign_in(world, browser)
    assert await browser.text("h1") == "Spotify couldn't complete the sign-in"
    assert "Linking didn't work" in await browser.text("#message")
    await assert_no_secrets(browser, landed)
    assert await world.linking.linked_account(ALICE) is None


async def test_a_telegram_user_gets_the_bots_t_me_link_back(world: World, browser: Browser) -> None:
    world.app.notifier.register(TelegramChat())
    await sign_in(world, browser, Conversation("telegram", "1001"))
    assert await browser.text("#back") == "Open Telegram"
    back = await browser.script("return document.getElementById('back').href;")
    assert back == "https://t.me/echotuner_test_bot"


# --- the playlist page ------------------------------------------------------------------
async def test_a_fifty_track_playlist_page_lists_every_track_with_its_details(
    pages: PagesWorld, browser: Browser
) -> None:
    playlist = await pages.app.engine.generate(USER, "upbeat indie rock for a morning run", 50)
    assert pages.app.sharing is not None
    url = await pages.app.sharing.share_url(playlist.draft_id)
    assert url is not None and len(url.rsplit("/", 1)[1]) == 22  # random, not the draft id
    await browser.open(url)
    assert len(playlist.tracks) == 50
    assert await browser.count("li.track") == 50
    assert await browser.texts(".track-title") == [t.title for t in playlist.tracks]
    assert await browser.texts(".artists") == [", ".join(t.artists) for t in playlist.tracks]
    links = await browser.script(
        "return Array.from(document.querySelectorAll('a.open'), a => a.href);")
    assert links == [t.url for t in playlist.tracks]
    durations = await browser.texts(".duration")
    assert all(":" in d for d in durations)
    # The demo catalogue has no album art: tidy placeholders, and no image requests at all.
    assert await browser.count(".cover.placeholder") == 50 and await browser.count("img") == 0
    assert await browser.text("#title") == playlist.title
    assert await browser.text("#provider") == "offline"
    assert "made" in await browser.text(".meta")
    robots = await browser.script(
        "return document.querySelector('meta[name=robots]').content;")
    assert "noindex" in robots
    assert await browser.console_errors() == []


async def test_hostile_prompts_and_track_names_are_shown_as_text(
    pages: PagesWorld, browser: Browser
) -> None:
    hostile = Track(id="4uLU6hMCjMI75M1A2tKUQC", title=XSS_TITLE, artists=(XSS_TITLE, "Band"),
                    album=XSS_PROMPT, duration_ms=200_000)
    version = DraftVersion(version=1, title=XSS_TITLE, strategy=Strategy(title=XSS_TITLE),
                           tracks=(hostile,), provider='"><script>alert(2)</script>',
                           catalogue="demo", requested_count=1, created_at=datetime.now(UTC))
    store = pages.app.store
    draft_id = await store.create_draft("someone", "dm", XSS_PROMPT, version,
                                        datetime.now(UTC) + timedelta(hours=1))
    assert pages.app.sharing is not None
    url = await pages.app.sharing.share_url(draft_id)
    assert url is not None
    await browser.open(url)
    assert await no_alert(browser)
    assert await browser.script("return window.__pwned === undefined;")
    assert await browser.text("#prompt") == XSS_PROMPT
    assert await browser.text("#title") == XSS_TITLE
    assert await browser.text(".track-title") == XSS_TITLE
    assert await browser.text("#provider") == '"><script>alert(2)</script>'
    assert await browser.count("img") == 0  # no element was injected
    scripts = await browser.script(
        "return Array.from(document.scripts, s => new URL(s.src).pathname);")
    assert scripts == ["/static/copy.js"]
    assert await browser.count("[onerror]") == 0


async def test_copy_all_puts_exactly_the_track_uris_on_the_clipboard(
    pages: PagesWorld, browser: Browser
) -> None:
    playlist = await pages.app.engine.generate(USER, "calm jazz for studying", 20)
    assert pages.app.sharing is not None
    url = await pages.app.sharing.share_url(playlist.draft_id)
    assert url is not None
    await browser.cdp("Browser.grantPermissions", {
        "origin": pages.base_url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
    })
    await browser.open(url)
    await browser.script("navigator.clipboard.writeText('something else');")
    await browser.run(lambda d: d.find_element("id", "copy-all").click())
    await browser.run(lambda d: WebDriverWait(d, 5).until(
        lambda d: d.find_element("id", "copy-status").text))
    copied = await browser.run(lambda d: d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.clipboard.readText().then(done, e => done('ERROR ' + e));"))
    assert copied == "\n".join(t.uri for t in playlist.tracks)
    assert await browser.text("#copy-status") == (
        "Copied 20 track links. Paste them into a playlist in Spotify.")


async def test_with_scripts_off_the_text_box_holds_the_uris_and_the_button_stays_hidden(
    pages: PagesWorld, browser: Browser
) -> None:
    playlist = await pages.app.engine.generate(USER, "calm jazz for studying", 12)
    assert pages.app.sharing is not None
    url = await pages.app.sharing.share_url(playlist.draft_id)
    assert url is not None
    await browser.scripts_enabled(False)
    await browser.open(url)
    visible = await browser.run(lambda d: d.find_element("id", "copy-all").is_displayed())
    value = await browser.run(lambda d: d.find_element("id", "uris").get_attribute("value"))
    label = await browser.run(
        lambda d: d.find_element("css selector", "label[for=uris]").text)
    assert not visible
    assert value == "\n".join(t.uri for t in playlist.tracks)
    assert "one per line" in label


async def test_a_refined_playlist_has_a_version_switcher(pages: PagesWorld, browser: Browser) -> None:
    first = await pages.app.engine.generate(USER, "calm jazz for studying", 10)
    second = await pages.app.engine.refine(USER, "more piano", first.draft_id)
    assert pages.app.sharing is not None
    url = await pages.app.sharing.share_url(first.draft_id)
    assert url is not None
    await browser.open(url)
    assert await browser.texts(".versions a") == ["Version 1", "Version 2 (latest)"]
    assert await browser.text(".versions a[aria-current=page]") == "Version 2 (latest)"
    assert await browser.texts(".track-title") == [t.title for t in second.tracks]
    assert await browser.text("#feedback") == "more piano"
    await browser.run(lambda d: d.find_element("link text", "Version 1").click())
    assert (await browser.url()).endswith("?v=1")
    assert await browser.texts(".track-title") == [t.title for t in first.tracks]
    assert await browser.count("#feedback") == 0  # version 1 was not a refinement


async def test_an_unknown_or_expired_page_answers_404_with_a_friendly_page(
    pages: PagesWorld, browser: Browser
) -> None:
    assert await browser.status_of(f"{pages.base_url}/p/NoSuchPageNoSuchPage00") == 404
    assert await browser.text("h1") == "This playlist page isn't here"
    playlist = await pages.app.engine.generate(USER, "calm jazz for studying", 5)
    sharing = pages.app.sharing
    assert sharing is not None
    url = await sharing.share_url(playlist.draft_id)
    assert url is not None
    assert await browser.status_of(url) == 200
    later = Sharing(pages.app.store, sharing.base_url,
                    clock=lambda: playlist.expires_at + timedelta(seconds=1))
    pages.web.pages.sharing = later  # the same link, once the draft has expired
    assert await browser.status_of(url) == 404
    assert "expired" in await browser.text("main")
    assert await browser.status_of(f"{url}?v=7") == 404


async def test_pages_fit_a_phone_and_show_keyboard_focus(pages: PagesWorld, browser: Browser) -> None:
    playlist = await pages.app.engine.generate(USER, "calm jazz for studying with long names", 15)
    assert pages.app.sharing is not None
    url = await pages.app.sharing.share_url(playlist.draft_id)
    assert url is not None
    await browser.cdp("Emulation.setDeviceMetricsOverride",
                      {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        await browser.open(url)
        width = await browser.script("return document.documentElement.scrollWidth;")
        assert width <= 390
    finally:
        await browser.cdp("Emulation.clearDeviceMetricsOverride", {})
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    await browser.run(lambda d: ActionChains(d).send_keys(Keys.TAB).send_keys(Keys.TAB).perform())
    outline = await browser.script(
        "const e = document.activeElement;"
        "return [e.tagName, getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth];")
    assert outline[0] in {"A", "BUTTON"} and outline[1] == "solid" and outline[2] == "3px"


# --- the status page --------------------------------------------------------------------
async def test_the_status_page_is_refused_without_its_token(tmp_path: Path, browser: Browser) -> None:
    token = "operator-token-0123456789"
    async with pages_world(tmp_path, STATUS_TOKEN=token) as world:
        assert await browser.status_of(f"{world.base_url}/status") == 401
        assert await browser.text("h1") == "This page is for the bot's operator"
        assert await browser.count("table") == 0
        assert await browser.status_of(f"{world.base_url}/status?token=wrong-{token}") == 401
        await world.app.engine.generate(USER, "calm jazz for studying", 5)
        assert await browser.status_of(f"{world.base_url}/status?token={token}") == 200
        assert (await browser.text("h1")).startswith("Status:")
        assert await browser.text("#count-playlists") == "1"
        names = await browser.script(
            "return Array.from(document.querySelectorAll('#models tbody tr'), r => r.dataset.name);")
        assert names == ["offline"]
        services = await browser.texts("#services tbody th")
        assert services[1:] == ["Catalogue", "Database"]
        refresh = await browser.script(
            "return document.querySelector('meta[http-equiv=refresh]').content;")
        assert refresh == "30"

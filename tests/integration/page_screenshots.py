"""Screenshots of every page at desktop (1280x900) and phone (390x844) sizes, run by hand.

    .venv/bin/python -m tests.integration.page_screenshots [--out docs/screenshots]

It starts the real bot (demo catalogue, offline planner) with its web side and the fake
Spotify from the tests, walks each OAuth outcome in a headless Chromium, makes a playlist
and refines it once, then photographs: the landing page for each outcome, the playlist
page, the "not found" page and the status page.  Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from core.models import Conversation, UserRef
from tests.browser import Browser, start_chromium
from tests.integration.spotify_support import World, spotify_world

SIZES = {"desktop": (1280, 900, False), "phone": (390, 844, True)}
USER = UserRef("discord", "1234", "dm")
PROMPT = "sunny indie pop for a morning walk"


async def shoot(browser: Browser, out: Path, name: str,
                go: Callable[[], Awaitable[None]]) -> list[Path]:
    """``name-desktop.png`` and ``name-phone.png``; ``go`` brings the browser to the page."""
    written: list[Path] = []
    for size, (width, height, mobile) in SIZES.items():
        await browser.cdp("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile,
        })
        await go()
        path = out / f"{name}-{size}.png"
        await browser.run(lambda d, p=path: d.save_screenshot(str(p)))
        written.append(path)
    await browser.cdp("Emulation.clearDeviceMetricsOverride", {})
    return written


def page(browser: Browser, url: str) -> Callable[[], Awaitable[None]]:
    async def go() -> None:
        await browser.open(url)

    return go


async def landings(world: World, browser: Browser, out: Path) -> list[Path]:
    """Each OAuth outcome, walked for real in the browser (a callback URL works once)."""
    linking = world.linking
    written: list[Path] = []
    last = [""]

    def sign_in(before: Callable[[], None] = lambda: None) -> Callable[[], Awaitable[None]]:
        async def go() -> None:
            before()
            start = await linking.link_start(USER, Conversation("discord", "dm:1234"))
            await browser.open(start)  # Spotify's consent, then back to /auth/callback
            last[0] = await browser.url()

        return go

    def allow() -> None:
        world.fake.login_as, world.fake.consent, world.fake.server_errors = "alice", "allow", 0

    def deny() -> None:
        world.fake.consent = "deny"

    def fail() -> None:
        allow()
        world.fake.server_errors = 1000

    written += await shoot(browser, out, "landing-linked", sign_in(allow))

    async def replay() -> None:
        await sign_in(allow)()
        await browser.open(last[0])

    written += await shoot(browser, out, "landing-used", replay)
    written += await shoot(browser, out, "landing-denied", sign_in(deny))
    written += await shoot(browser, out, "landing-error", sign_in(fail))
    allow()
    ttl = linking.state_ttl
    linking.state_ttl = timedelta(0)
    written += await shoot(browser, out, "landing-expired", sign_in())
    linking.state_ttl = ttl
    return written


async def main(out: Path) -> list[Path]:
    await asyncio.to_thread(out.mkdir, parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="echotuner-shots-") as tmp:
        tmp_path = Path(tmp)
        driver = start_chromium(tmp_path / "profile")
        browser = Browser(driver)
        try:
            async with spotify_world(tmp_path, AI_PROVIDERS="offline", SPOTIFY_MAX_RETRIES="0",
                                     CATALOGUE="demo") as world:
                sharing = world.app.sharing
                assert sharing is not None
                engine = world.app.engine
                first = await engine.generate(USER, PROMPT, 24)
                await engine.refine(USER, "a bit more upbeat, fewer ballads", first.draft_id)
                share_id = await sharing.share_id(first.draft_id)
                base = world.web.base_url
                written += await landings(world, browser, out)
                written += await shoot(browser, out, "playlist",
                                       page(browser, f"{base}/p/{share_id}"))
                written += await shoot(browser, out, "not-found",
                                       page(browser, f"{base}/p/NoSuchPageNoSuchPage00"))
                written += await shoot(browser, out, "status", page(browser, f"{base}/status"))
        finally:
            await asyncio.to_thread(driver.quit)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"),
                        help="folder for the PNG files (default: docs/screenshots)")
    for path in asyncio.run(main(parser.parse_args().out)):
        print(path)

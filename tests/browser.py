"""A real headless Chromium for the page tests: one per test session, driven by selenium.

Starting Chromium costs about half a second, so the session shares one (the fixtures are
registered in tests/conftest.py), driven through Debian's chromedriver.  Selenium blocks,
and a web server under test runs on the test's own event loop, so every browser call
goes through a worker thread (``Browser``) and the server keeps answering meanwhile.

Chromium may only reach 127.0.0.1: its host resolver maps every other name to nothing
and background networking is off, so no page test can touch the internet (album art
URLs on Spotify's CDN simply fail to load).  When Chromium or chromedriver is missing the
tests FAIL saying how to install them; they are never skipped.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
INSTALL_HINT = (
    "The page tests need a real Chromium and its driver. Install them with\n"
    "    sudo apt-get install -y chromium chromium-driver\n"
    "(.ci/run does this on a clean machine), or point CHROMIUM_BINARY and CHROMEDRIVER at them."
)
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # as root Chromium refuses to start with its sandbox
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    # Nothing but loopback resolves: a page test cannot reach the internet.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)


def find_browser() -> tuple[str, str]:
    """(chromium, chromedriver) paths; fails the test run, saying how to install them."""
    binary = os.environ.get("CHROMIUM_BINARY") or next(
        (p for p in (shutil.which(c) for c in CHROMIUM_CANDIDATES) if p), None
    )
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    missing = [name for name, path in (("chromium", binary), ("chromedriver", driver))
               if not path or not Path(path).exists()]
    if missing:
        pytest.fail(f"{' and '.join(missing)} not found. {INSTALL_HINT}", pytrace=False)
    assert binary is not None and driver is not None
    return binary, driver


def start_chromium(profile: Path, *, width: int = 1280, height: int = 900) -> Any:
    """A fresh headless Chromium with its own profile directory."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = find_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        return webdriver.Chrome(options=options, service=Service(driver))
    except Exception as exc:  # a broken install is a failure too, never a skip
        pytest.fail(f"Chromium did not start ({exc}). {INSTALL_HINT}", pytrace=False)


@pytest.fixture(scope="session", name="chromium")
def chromium_fixture() -> Iterator[Any]:
    """One headless Chromium for the whole test session."""
    with tempfile.TemporaryDirectory(prefix="echotuner-chromium-") as profile:
        driver = start_chromium(Path(profile))
        try:
            yield driver
        finally:
            driver.quit()


class Browser:
    """The session's Chromium, each call run in a worker thread (the server shares our loop)."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver

    async def run(self, action: Callable[[Any], T]) -> T:
        return await asyncio.to_thread(action, self.driver)

    async def open(self, url: str) -> None:
        await self.run(lambda d: d.get(url))

    async def script(self, source: str, *args: Any) -> Any:
        return await self.run(lambda d: d.execute_script(source, *args))

    async def cdp(self, command: str, params: dict[str, Any]) -> Any:
        return await self.run(lambda d: d.execute_cdp_cmd(command, params))

    async def texts(self, selector: str) -> list[str]:
        """The visible text of every element matching a CSS selector."""
        result = await self.script(
            "return Array.from(document.querySelectorAll(arguments[0]), e => e.innerText);",
            selector,
        )
        return [str(t) for t in result]

    async def text(self, selector: str) -> str:
        texts = await self.texts(selector)
        assert texts, f"nothing on the page matches {selector!r}"
        return texts[0]

    async def count(self, selector: str) -> int:
        return int(await self.script("return document.querySelectorAll(arguments[0]).length;",
                                     selector))

    async def source(self) -> str:
        return str(await self.run(lambda d: d.page_source))

    async def url(self) -> str:
        return str(await self.run(lambda d: d.current_url))

    async def status_of(self, url: str) -> int:
        """The HTTP status the browser got for ``url`` (from its navigation timing)."""
        await self.open(url)
        return int(await self.script(
            "const e = performance.getEntriesByType('navigation')[0];"
            "return e ? e.responseStatus : 0;"
        ))

    async def console_errors(self) -> list[str]:
        logs = await self.run(lambda d: d.get_log("browser"))
        return [json.dumps(entry) for entry in logs if entry.get("level") == "SEVERE"]

    async def scripts_enabled(self, on: bool) -> None:
        await self.cdp("Emulation.setScriptExecutionDisabled", {"value": not on})


@pytest.fixture(name="browser")
def browser_fixture(chromium: Any) -> Iterator[Browser]:
    """The session's browser, its console log emptied before and scripts back on after each test."""
    chromium.get_log("browser")  # what earlier tests left behind
    wrapper = Browser(chromium)
    yield wrapper
    chromium.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    chromium.get("about:blank")


__all__ = ["Browser", "browser_fixture", "chromium_fixture", "find_browser", "start_chromium"]

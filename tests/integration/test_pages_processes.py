"""The issue's check, with real processes: ``python -m bot generate --json`` prints a
``share_url`` that ``python -m bot serve`` (same working directory, same database)
answers with a page listing every track, as Chromium shows it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.integration.spotify_support import free_port

ROOT = Path(__file__).resolve().parents[2]


class TrackTitles(HTMLParser):
    """The text of every ``.track-title`` element."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if ("class", "track-title") in attrs:
            self._inside = True
            self.titles.append("")

    def handle_endtag(self, tag: str) -> None:
        self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.titles[-1] += data


def wait_until_up(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.status == 200
                return
        except OSError:
            assert process.poll() is None, process.communicate()[1].decode()
            assert time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.2)


@pytest.mark.slow
def test_generate_prints_a_share_url_that_serve_answers_with_every_track(
    tmp_path: Path, chromium: Any
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({"PYTHONPATH": str(ROOT), "WEB_PORT": str(port), "LOG_LEVEL": "WARNING",
                "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "AI_PROVIDERS": "offline"})
    made = subprocess.run(
        [sys.executable, "-m", "bot", "generate", "relaxing jazz for a rainy sunday", "-n", "15",
         "--json"], cwd=tmp_path, env=env, capture_output=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr.decode()
    playlist = json.loads(made.stdout)
    titles = [t["title"] for t in playlist["tracks"]]
    share_url = playlist["share_url"]
    assert len(titles) == 15 and share_url.startswith(f"http://127.0.0.1:{port}/p/")

    serve = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=tmp_path, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_until_up(serve, f"http://127.0.0.1:{port}/health")
        with urllib.request.urlopen(share_url, timeout=10) as response:
            assert response.status == 200
            parser = TrackTitles()
            parser.feed(response.read().decode())
        assert parser.titles == titles
        chromium.get(share_url)
        shown = chromium.execute_script(
            "return Array.from(document.querySelectorAll('.track-title'), e => e.textContent);")
        uris = chromium.find_element("id", "uris").get_attribute("value")
        assert shown == titles
        assert uris == "\n".join(t["uri"] for t in playlist["tracks"])
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=15) == 0
    finally:
        chromium.get("about:blank")
        if serve.poll() is None:
            serve.kill()
        serve.communicate()

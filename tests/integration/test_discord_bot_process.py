"""The real ``python -m bot`` with ``DISCORD_TOKEN`` and ``DISCORD_API_URL``, driven like a person would.

``tests/integration/discord_drive.py`` starts the process against the fake Discord,
types commands, presses buttons and records what Alice and Bob would see.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core import wording
from tests.fakes.discord_server import TOKEN
from tests.integration.discord_drive import drive


@pytest.mark.slow
async def test_the_bot_process_answers_a_server_like_discord_would_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    run = await drive(tmp_path)
    text = "\n".join(run.transcript)

    assert run.returncode == 0, run.log[-3000:]
    assert run.spec_errors == []
    assert "synced 11 commands" in text  # /blend is the eleventh
    # Alice's playlist: an embed with ten linked tracks and four buttons.
    assert "## Relaxing Jazz for Studying" in text
    assert text.count("](https://open.spotify.com/track/") >= 10
    assert "[Refine] [Regenerate] [Save to Spotify] [Show URIs]" in text
    assert "(only you) ## Spotify URIs: Relaxing Jazz for Studying" in text
    assert f"(only you) {wording.NOT_YOUR_PLAYLIST()}" in text
    assert "(a form opens: Refine this playlist)" in text
    assert "Refined with: *more upbeat, some vocals*" in text and "version 2" in text
    assert "> @\u200beveryone party hip hop" in text
    assert "(only you) Only members with the Manage Server permission" in text
    assert "**2** of 3 playlists left today" in text and "Up to 25 songs per playlist" in text
    assert "Favourite genres: jazz, soul" in text and "Discovery: deep" in text
    assert wording.SPOTIFY_NOT_SET_UP() in text
    assert "(only you) That doesn't look like a music request" in text
    assert "## EchoTuner status: all good" in text
    # The log shows the stop in order and never the token.
    assert "discord stopped" in run.log
    assert TOKEN not in run.log

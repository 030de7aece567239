"""The command line, run as a user runs it: a real process, the demo catalogue, stdin/stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_bot(*args: str, stdin: str = "", cwd: Path, env: dict[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH"}}
    # The terminal's language is the test's to choose: English unless it says otherwise.
    environ.update({"PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING", "LANGUAGE": "",
                    "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
        cwd=cwd, env=environ, timeout=120,
    )


def generate_json(prompt: str, count: int, cwd: Path) -> dict[str, Any]:
    done = run_bot("generate", prompt, "--count", str(count), "--json", cwd=cwd)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_generate_json_gives_exactly_the_count_of_distinct_mostly_jazz_tracks(
    tmp_path: Path,
) -> None:
    result = generate_json("relaxing jazz for studying", 20, tmp_path)
    tracks = result["tracks"]
    assert result["count"] == len(tracks) == 20
    assert len({t["id"] for t in tracks}) == 20
    assert all(t["uri"] == f"spotify:track:{t['id']}" for t in tracks)
    assert {"draft_id", "title", "provider", "catalogue"} <= result.keys()
    assert result["provider"] == "offline" and result["catalogue"] == "demo"
    assert max(Counter(t["artist"] for t in tracks).values()) <= 3
    jazzy = sum(any("jazz" in g for g in t["genres"]) for t in tracks)
    assert jazzy >= 14, [t["genres"] for t in tracks]


def test_hip_hop_for_a_house_party_is_mostly_hip_hop(tmp_path: Path) -> None:
    tracks = generate_json("hip hop for a house party", 20, tmp_path)["tracks"]
    hip_hop = sum(any(g in {"hip-hop", "hip hop"} for g in t["genres"]) for t in tracks)
    assert hip_hop >= 12, [t["genres"] for t in tracks]


def test_a_non_music_prompt_is_refused_on_stderr_with_a_non_zero_exit(tmp_path: Path) -> None:
    done = run_bot("generate", "what is the capital of France", "--json", cwd=tmp_path)
    assert done.returncode != 0
    assert done.stdout == ""
    assert "music" in done.stderr.lower()


def test_a_bad_count_is_refused_clearly(tmp_path: Path) -> None:
    done = run_bot("generate", "calm jazz", "--count", "ten", cwd=tmp_path)
    assert done.returncode != 0 and "ten" in done.stderr


def test_refine_by_draft_id_makes_version_two(tmp_path: Path) -> None:
    first = generate_json("relaxing jazz for studying", 10, tmp_path)
    done = run_bot("refine", str(first["draft_id"]), "more energetic", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    second = json.loads(done.stdout)
    assert (second["draft_id"], second["version"], second["count"]) == (first["draft_id"], 2, 10)


def test_refining_an_unknown_draft_is_refused(tmp_path: Path) -> None:
    done = run_bot("refine", "999", "more energetic", cwd=tmp_path)
    assert done.returncode != 0 and "can't find" in done.stderr


def test_an_unreadable_database_file_gets_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "echotuner.db").write_text("this is not a database\n" * 100)
    done = run_bot("generate", "calm jazz", cwd=tmp_path)
    assert done.returncode != 0
    assert "echotuner.db" in done.stderr and "Traceback" not in done.stderr


def test_a_bad_setting_names_the_variable_and_exits(tmp_path: Path) -> None:
    done = run_bot("generate", "calm jazz", cwd=tmp_path, env={"MAX_SONGS_PER_PLAYLIST": "many"})
    assert done.returncode == 2 and "MAX_SONGS_PER_PLAYLIST" in done.stderr


def test_the_console_serves_commands_from_stdin_until_end_of_input(tmp_path: Path) -> None:
    session = "\n".join([
        "/help",
        "/playlist hip hop for a house party 8",
        "/refine more energetic",
        "what is the capital of France",
        "/profile set genres=jazz energy=0.3",
        "/profile",
        "/limits",
        "/status",
        "/playlist ",
        "",
    ])
    done = run_bot("console", stdin=session, cwd=tmp_path)
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert "/playlist <prompt> [count]" in out
    assert out.count("open.spotify.com/track/") == 16  # 8 tracks, then 8 in version 2
    assert "version 2" in out
    assert "doesn't look like a music request" in out
    assert "Favourite genres: jazz" in out and "Energy: 0.30" in out
    assert "9 of 10 playlists left today" in out  # the refused prompt was not charged
    assert "database: ok" in out
    assert "Tell me what to play" in out


def test_main_command_without_platforms_starts_the_console(tmp_path: Path) -> None:
    done = run_bot(stdin="/limits\n", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "10 of 10 playlists left today" in done.stdout

"""Requests in twenty languages, on the configuration a fresh clone gets (run by hand; JSON).

    python tests/bench/languages.py [--only es,pt] [--show-misses]

Every request of ``tests/bench/languages_set.json`` goes through the real ``Engine``
the way the CLI builds it (``bot.app.build_app``: a temporary SQLite file, no language
model (the offline planner), no embedder (the lexical check), the demo catalogue).
Per language: ``served`` is the share of music requests that got a playlist,
``refused`` the share of everyday requests for something else refused as not about
music, and ``same_kind`` the share of translated requests whose offline plan has the
same moods as their English twin's and mostly the same genres (a Jaccard overlap of
at least ``SAME_GENRES``; word order may break a tie between two equally fitting
genres differently); ``genre_overlap`` is the mean overlap.  ``--show-misses`` lists
the requests that went wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from adapters.ai.offline import plan_prompt  # noqa: E402
from bot.cli import cli_user  # noqa: E402
from core.errors import NotAboutMusic  # noqa: E402
from core.models import Profile  # noqa: E402

SET_FILE = Path(__file__).with_name("languages_set.json")
SAME_GENRES = 0.6


def load_set() -> dict[str, dict[str, Any]]:
    """The test set: language code -> {"music": [...], "other": [...], "twins": [[x, en]]}."""
    languages: dict[str, dict[str, Any]] = json.loads(SET_FILE.read_text("utf-8"))["languages"]
    return languages


def same_kind(translated: str, english: str) -> tuple[bool, float]:
    """Whether two prompts plan the same genres and moods offline, and their genre overlap."""
    a, b = plan_prompt(translated, Profile()), plan_prompt(english, Profile())
    genres_a, genres_b = set(a["genres"]), set(b["genres"])
    overlap = len(genres_a & genres_b) / len(genres_a | genres_b) if genres_a | genres_b else 1.0
    return overlap >= SAME_GENRES and set(a["moods"]) == set(b["moods"]), round(overlap, 3)


async def run(only: set[str] | None, show_misses: bool) -> dict[str, Any]:
    from bot.app import build_app
    from bot.settings import load_settings

    languages = {code: v for code, v in load_set().items() if only is None or code in only}
    report: dict[str, Any] = {}
    misses: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({
            "DATABASE_FILENAME": str(Path(tmp) / "languages.db"), "AI_PROVIDERS": "offline",
            "PLAYLIST_LIMIT_ENABLED": "false",
        }, env_file=None)  # fmt: skip
        async with build_app(settings) as app:
            user = cli_user()
            for code, requests in languages.items():
                served = refused = 0
                for prompt in requests["music"]:
                    try:
                        await app.engine.generate(user, prompt)
                        served += 1
                    except NotAboutMusic:
                        misses.setdefault(code, []).append(f"refused music: {prompt}")
                for prompt in requests["other"]:
                    try:
                        await app.engine.generate(user, prompt)
                        misses.setdefault(code, []).append(f"served other: {prompt}")
                    except NotAboutMusic:
                        refused += 1
                twins = [same_kind(x, en) for x, en in requests.get("twins", [])]
                for (x, en), (same, _) in zip(requests.get("twins", []), twins, strict=True):
                    if not same:
                        misses.setdefault(code, []).append(f"other kind: {x} / {en}")
                report[code] = {
                    "served": round(served / len(requests["music"]), 3),
                    "refused": round(refused / len(requests["other"]), 3),
                    "music": len(requests["music"]),
                    "other": len(requests["other"]),
                    **({"same_kind": round(sum(s for s, _ in twins) / len(twins), 3),
                        "genre_overlap": round(sum(o for _, o in twins) / len(twins), 3)}
                       if twins else {}),
                }  # fmt: skip
    every = list(report.values())
    summary: dict[str, Any] = {
        "min_served": min(r["served"] for r in every),
        "min_refused": min(r["refused"] for r in every),
        "languages": report,
    }
    if show_misses:
        summary["misses"] = misses
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="language codes, comma-separated (all by default)")
    parser.add_argument("--show-misses", action="store_true", help="list what went wrong")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    print(json.dumps(asyncio.run(run(only, args.show_misses)), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

"""The strategy schema: the one shape every chat model must answer in.

The JSON schema is handed to models for structured output; ``parse_strategy``
checks an answer against the same rules without a schema library, because model
output is data: it is checked, clipped and never trusted.
"""

from __future__ import annotations

import json
from typing import Any

from core.errors import StrategyInvalid
from core.models import SongSuggestion, Strategy
from core.text import displayable

MAX_TEXT = 200
MAX_LIST = 60

_STRING_LIST = {"type": "array", "items": {"type": "string", "maxLength": MAX_TEXT}}

STRATEGY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "PlaylistStrategy",
    "additionalProperties": False,
    "required": ["title", "genres", "moods", "energy", "songs", "queries"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 100},
        "description": {"type": "string", "maxLength": 300},
        "genres": _STRING_LIST,
        "moods": _STRING_LIST,
        "energy": {"type": "number", "minimum": 0, "maximum": 1},
        "valence": {"type": "number", "minimum": 0, "maximum": 1},
        "era": {"type": ["string", "null"], "maxLength": 40},
        "seed_artists": _STRING_LIST,
        "avoid_artists": _STRING_LIST,
        "songs": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title", "artist"],
                "properties": {
                    "title": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
                    "artist": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
                },
            },
        },
        "queries": _STRING_LIST,
        "keep": {
            "type": "array",
            "description": "on refinement: numbers of the current tracks to keep",
            "items": {"type": "integer", "minimum": 1},
        },
    },
}


def _text(value: object, field: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise StrategyInvalid(f"{field} must be a string")
    # Model output is data: no lone surrogates (unstorable), controls or bidi tricks.
    text = " ".join(displayable(value).split())
    if required and not text:
        raise StrategyInvalid(f"{field} must not be empty")
    return text[:limit]


def _texts(value: object, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise StrategyInvalid(f"{field} must be a list of strings")
    out: list[str] = []
    for item in value[:MAX_LIST]:
        text = _text(item, field, required=False)
        if text and text not in out:
            out.append(text)
    return tuple(out)


def _unit(value: object, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StrategyInvalid(f"{field} must be a number between 0 and 1")
    number = float(value)
    if number > 1 and number <= 10:  # models sometimes answer on a 0-10 scale
        number /= 10
    if not 0 <= number <= 1:
        raise StrategyInvalid(f"{field} must be between 0 and 1")
    return number


def _numbers(value: object, field: str) -> tuple[int, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise StrategyInvalid(f"{field} must be a list of track numbers")
    out: list[int] = []
    for item in value[:200]:
        if isinstance(item, bool) or not isinstance(item, int) or item < 1:
            raise StrategyInvalid(f"{field} must hold track numbers from 1")
        if item not in out:
            out.append(item)
    return tuple(out)


def parse_strategy(data: object) -> Strategy:
    """Checks a decoded model answer (or its JSON text) and builds a Strategy."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise StrategyInvalid(f"not JSON: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise StrategyInvalid("strategy must be a JSON object")
    songs: list[SongSuggestion] = []
    raw_songs = data.get("songs", [])
    if not isinstance(raw_songs, list):
        raise StrategyInvalid("songs must be a list")
    for raw in raw_songs[: MAX_LIST * 2]:
        if not isinstance(raw, dict):
            raise StrategyInvalid("each song must be an object with title and artist")
        title = _text(raw.get("title"), "songs.title", required=False)
        artist = _text(raw.get("artist"), "songs.artist", required=False)
        if title and artist:
            songs.append(SongSuggestion(title=title, artist=artist))
    strategy = Strategy(
        title=_text(data.get("title"), "title", limit=100),
        description=_text(data.get("description"), "description", required=False, limit=300),
        genres=_texts(data.get("genres"), "genres"),
        moods=_texts(data.get("moods"), "moods"),
        energy=_unit(data.get("energy"), "energy"),
        valence=_unit(data.get("valence"), "valence"),
        era=_text(data.get("era"), "era", required=False, limit=40) or None,
        seed_artists=_texts(data.get("seed_artists"), "seed_artists"),
        avoid_artists=_texts(data.get("avoid_artists"), "avoid_artists"),
        songs=tuple(songs),
        queries=_texts(data.get("queries"), "queries"),
        keep=_numbers(data.get("keep"), "keep"),
    )
    if not (strategy.songs or strategy.queries or strategy.genres or strategy.keep):
        raise StrategyInvalid("strategy has no songs, queries or genres to search")
    return strategy


def strategy_to_dict(strategy: Strategy) -> dict[str, Any]:
    """The JSON form of a strategy (the same shape the schema describes)."""
    return {
        "title": strategy.title,
        "description": strategy.description,
        "genres": list(strategy.genres),
        "moods": list(strategy.moods),
        "energy": strategy.energy,
        "valence": strategy.valence,
        "era": strategy.era,
        "seed_artists": list(strategy.seed_artists),
        "avoid_artists": list(strategy.avoid_artists),
        "songs": [{"title": s.title, "artist": s.artist} for s in strategy.songs],
        "queries": list(strategy.queries),
        "keep": list(strategy.keep),
    }

"""The strategy schema: the one shape every chat model must answer in.

The JSON schema is handed to models for structured output; ``read_strategy``
checks an answer against the same rules without a schema library, because model
output is data: it is checked, clipped and never trusted.

Checking keeps what is usable.  Local servers (llama.cpp, Ollama's ``format``) turn
the schema into a grammar that fixes the shape but not numeric bounds, so a small
model may answer an energy of 1.7 or add a field of its own; such a plan still has
songs and queries worth searching.  An out-of-range number is clamped, an unknown or
wrong-typed optional field is dropped, and each such correction is reported; only a
plan with nothing to search (no songs, queries or genres) is invalid.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from core.errors import StrategyInvalid
from core.models import ARC_NAMES, DISCOVERY_CHOICES, ArcName, Discovery, SongSuggestion, Strategy
from core.targets import TARGET_FEATURES, FeatureTarget, TargetFeature, clamp_target
from core.text import displayable

MAX_TEXT = 200
MAX_LIST = 60
MAX_KEEP = 200

# Bounds handed to the model with the schema.  A grammar-constrained local model
# honours maxItems / maxLength, so they keep its answer short; parsing clips at the
# looser MAX_TEXT / MAX_LIST, so a hosted model that overshoots a little loses nothing.
SCHEMA_NAME_LENGTH = 40  # a genre, a mood, an artist to seed or avoid
SCHEMA_SONG_LENGTH = 100  # a song's title or artist; a search query
SCHEMA_WORDS = 8  # genres, moods
SCHEMA_ARTISTS = 10  # seed and avoided artists
SCHEMA_QUERIES = 8
DEFAULT_TITLE = "EchoTuner Mix"

KNOWN_FIELDS = frozenset({
    "title", "description", "genres", "moods", "energy", "valence", "era",
    "seed_artists", "avoid_artists", "songs", "queries", "keep",
    "targets", "like_artists", "like_tracks", "familiarity", "arc",
    "is_music_request", "reason",
})
SCHEMA_REASON_LENGTH = 200


def _target_schema(feature: str) -> dict[str, Any]:
    scale = {"minimum": 40, "maximum": 220} if feature == "tempo" else {"minimum": 0, "maximum": 1}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["value", "strength"],
        "properties": {
            "value": {"type": "number", **scale},
            "strength": {"type": "number", "minimum": 0, "maximum": 1},
            "direction": {"type": "string", "enum": ["up", "down", "near"]},
        },
    }


def _string_list(max_items: int, max_length: int) -> dict[str, Any]:
    return {"type": "array", "maxItems": max_items,
            "items": {"type": "string", "maxLength": max_length}}


def strategy_schema(*, max_songs: int = MAX_LIST * 2, max_keep: int = MAX_KEEP) -> dict[str, Any]:
    """The JSON schema of a strategy with at most ``max_songs`` suggestions.

    A request asks for about as many songs as its count needs; bounding the array
    stops a grammar-constrained model from listing songs until its context is full.
    """
    return {
        "type": "object",
        "title": "PlaylistStrategy",
        "additionalProperties": False,
        "required": ["title", "genres", "moods", "energy", "songs", "queries"],
        "properties": {
            "title": {"type": "string", "minLength": 1, "maxLength": 100},
            "description": {"type": "string", "maxLength": 300},
            "genres": _string_list(SCHEMA_WORDS, SCHEMA_NAME_LENGTH),
            "moods": _string_list(SCHEMA_WORDS, SCHEMA_NAME_LENGTH),
            "energy": {"type": "number", "minimum": 0, "maximum": 1},
            "valence": {"type": "number", "minimum": 0, "maximum": 1},
            "era": {"type": ["string", "null"], "maxLength": 40},
            "seed_artists": _string_list(SCHEMA_ARTISTS, SCHEMA_NAME_LENGTH),
            "avoid_artists": _string_list(SCHEMA_ARTISTS, SCHEMA_NAME_LENGTH),
            "songs": {
                "type": "array",
                "maxItems": max_songs,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["title", "artist"],
                    "properties": {
                        "title": {"type": "string", "minLength": 1, "maxLength": SCHEMA_SONG_LENGTH},
                        "artist": {"type": "string", "minLength": 1, "maxLength": SCHEMA_SONG_LENGTH},
                    },
                },
            },
            "queries": _string_list(SCHEMA_QUERIES, SCHEMA_SONG_LENGTH),
            "is_music_request": {
                "type": "boolean",
                "description": "when asked: false if the request is not about music at all",
            },
            "reason": {"type": "string", "maxLength": SCHEMA_REASON_LENGTH},
            "keep": {
                "type": "array",
                "description": "on refinement: numbers of the current tracks to keep",
                "maxItems": max_keep,
                "items": {"type": "integer", "minimum": 1},
            },
            "targets": {
                "type": "object",
                "description": "audio features the request implies: value (tempo in BPM) and "
                "strength (how clearly the request says it, 0..1)",
                "additionalProperties": False,
                "properties": {f: _target_schema(f) for f in TARGET_FEATURES},
            },
            "like_artists": _string_list(SCHEMA_ARTISTS, SCHEMA_NAME_LENGTH),
            "like_tracks": {
                "type": "array",
                "description": "on refinement: numbers of the current tracks to sound like",
                "maxItems": SCHEMA_ARTISTS,
                "items": {"type": "integer", "minimum": 1},
            },
            "familiarity": {"type": ["string", "null"], "enum": [*DISCOVERY_CHOICES, None]},
            "arc": {"type": ["string", "null"], "enum": [*ARC_NAMES, None]},
        },
    }


STRATEGY_SCHEMA: dict[str, Any] = strategy_schema()


@dataclass(frozen=True, slots=True)
class StrategyReading:
    """A checked strategy and what checking had to correct (for the operator's log).

    Each correction names a field and what was done ("energy 1.7 clamped to 1"); it
    never quotes the user's prompt (only numbers, field names and types).
    """

    strategy: Strategy
    corrections: tuple[str, ...] = ()


class _Reader:
    """Reads one decoded answer field by field, noting every correction."""

    def __init__(self) -> None:
        self.corrections: list[str] = []

    def note(self, text: str) -> None:
        if text not in self.corrections:
            self.corrections.append(text)

    def text(self, value: object, field: str, *, limit: int = MAX_TEXT) -> str:
        """Clean text, or "" (with a note) when ``value`` is not a string."""
        if value is None:
            return ""
        if not isinstance(value, str):
            self.note(f"dropped {field} ({_kind(value)}, not a string)")
            return ""
        # Model output is data: no lone surrogates (unstorable), controls or bidi tricks.
        return " ".join(displayable(value).split())[:limit]

    def texts(self, value: object, field: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):  # a lone string where a list belongs: a list of one
            self.note(f"read {field} (a string) as a list of one")
            value = [value]
        if not isinstance(value, list):
            self.note(f"dropped {field} ({_kind(value)}, not a list)")
            return ()
        out: list[str] = []
        for item in value[:MAX_LIST]:
            text = self.text(item, f"an item of {field}")
            if text and text not in out:
                out.append(text)
        return tuple(out)

    def unit(self, value: object, field: str) -> float | None:
        """A number in 0..1: a 0-10 scale is rescaled, anything else outside clamped."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.note(f"dropped {field} ({_kind(value)}, not a number)")
            return None
        number = float(value)
        if 1 < number <= 10:  # models sometimes answer on a 0-10 scale
            return number / 10
        clamped = min(max(number, 0.0), 1.0)
        if clamped != number:
            self.note(f"{field} {number:g} out of 0..1, clamped to {clamped:g}")
        return clamped

    def verdict(self, value: object) -> bool | None:
        """The model's music verdict: a boolean, else none given (noted)."""
        if value is None or isinstance(value, bool):
            return value
        self.note(f"dropped is_music_request ({_kind(value)}, not a boolean)")
        return None

    def numbers(self, value: object, field: str) -> tuple[int, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.note(f"dropped {field} ({_kind(value)}, not a list)")
            return ()
        out: list[int] = []
        for item in value[:MAX_KEEP]:
            if isinstance(item, bool) or not isinstance(item, int) or item < 1:
                self.note(f"dropped an item of {field} (not a track number)")
            elif item not in out:
                out.append(item)
        return tuple(out)

    def targets(self, value: object) -> tuple[FeatureTarget, ...]:
        """Feature targets: unknown features and unusable numbers dropped, values clamped."""
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.note(f"dropped targets ({_kind(value)}, not an object)")
            return ()
        out: list[FeatureTarget] = []
        for feature in TARGET_FEATURES:
            raw = value.get(feature)
            if raw is None:
                continue
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                raw = {"value": raw}  # a bare number: the value, at a middling strength
            if not isinstance(raw, dict):
                self.note(f"dropped the {feature} target ({_kind(raw)}, not an object)")
                continue
            goal = self._target(feature, raw)
            if goal is not None:
                out.append(goal)
        unknown = [k for k in value if k not in TARGET_FEATURES]
        if unknown:
            self.note(f"dropped {len(unknown)} unknown target(s)")
        return tuple(out)

    def _target(self, feature: TargetFeature, raw: dict[str, Any]) -> FeatureTarget | None:
        number = raw.get("value")
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            self.note(f"dropped the {feature} target (no number)")
            return None
        if feature == "tempo":
            value = clamp_target("tempo", float(number))
        else:
            unit = self.unit(number, f"the {feature} target")
            if unit is None:
                return None
            value = clamp_target(feature, unit)
        strength = self.unit(raw.get("strength", 0.5), f"the {feature} target's strength")
        direction = raw.get("direction", "")
        return FeatureTarget(feature, value, 0.5 if strength is None else strength,
                             direction if direction in ("up", "down", "near") else "")

    def choice(self, value: object, field: str, choices: tuple[str, ...]) -> str | None:
        """One of ``choices``, or None (noted when something else was given)."""
        if value is None:
            return None
        if isinstance(value, str) and value.strip().lower() in choices:
            return value.strip().lower()
        self.note(f"dropped {field} (not one of {', '.join(choices)})")
        return None

    def songs(self, value: object) -> tuple[SongSuggestion, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.note(f"dropped songs ({_kind(value)}, not a list)")
            return ()
        songs: list[SongSuggestion] = []
        for raw in value[: MAX_LIST * 2]:
            if not isinstance(raw, dict):
                self.note("dropped a song that is not an object")
                continue
            title = self.text(raw.get("title"), "a song's title")
            artist = self.text(raw.get("artist"), "a song's artist")
            if title and artist:
                songs.append(SongSuggestion(title=title, artist=artist))
        return tuple(songs)


def _kind(value: object) -> str:
    """A JSON type name for logs (never the value: it may echo the user's words)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _field_name(key: object) -> str:
    """An unknown field's name, short and printable, for the log."""
    name = " ".join(displayable(str(key)).split())
    return repr(name[:40] + ("..." if len(name) > 40 else ""))


def read_strategy(data: object) -> StrategyReading:
    """Checks a decoded model answer (or its JSON text), keeping what is usable.

    Raises ``StrategyInvalid`` only when the answer is not a JSON object or has nothing
    to search for (no songs, queries, genres or kept tracks): then a repair is worth it.
    """
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise StrategyInvalid(f"not JSON: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise StrategyInvalid("strategy must be a JSON object")
    reader = _Reader()
    unknown = sorted(_field_name(k) for k in data if k not in KNOWN_FIELDS)
    if unknown:
        reader.note(f"dropped unknown field(s) {', '.join(unknown[:5])}")
    genres = reader.texts(data.get("genres"), "genres")
    title = reader.text(data.get("title"), "title", limit=100)
    if not title:
        title = _fallback_title(genres)
        reader.note(f"no usable title; named it {title!r}")
    strategy = Strategy(
        title=title,
        description=reader.text(data.get("description"), "description", limit=300),
        genres=genres,
        moods=reader.texts(data.get("moods"), "moods"),
        energy=reader.unit(data.get("energy"), "energy"),
        valence=reader.unit(data.get("valence"), "valence"),
        era=reader.text(data.get("era"), "era", limit=40) or None,
        seed_artists=reader.texts(data.get("seed_artists"), "seed_artists"),
        avoid_artists=reader.texts(data.get("avoid_artists"), "avoid_artists"),
        songs=reader.songs(data.get("songs")),
        queries=reader.texts(data.get("queries"), "queries"),
        keep=reader.numbers(data.get("keep"), "keep"),
        targets=reader.targets(data.get("targets")),
        like_artists=reader.texts(data.get("like_artists"), "like_artists"),
        like_tracks=reader.numbers(data.get("like_tracks"), "like_tracks"),
        familiarity=_discovery(reader.choice(data.get("familiarity"), "familiarity",
                                             DISCOVERY_CHOICES)),
        arc=_arc(reader.choice(data.get("arc"), "arc", ARC_NAMES)),
        is_music_request=reader.verdict(data.get("is_music_request")),
        reason=reader.text(data.get("reason"), "reason", limit=SCHEMA_REASON_LENGTH),
    )
    if strategy.is_music_request is False:
        return StrategyReading(strategy, tuple(reader.corrections))  # a refusal plans nothing
    if not (strategy.songs or strategy.queries or strategy.genres or strategy.keep):
        raise StrategyInvalid("strategy has no songs, queries or genres to search")
    return StrategyReading(strategy, tuple(reader.corrections))


def _discovery(value: str | None) -> Discovery | None:
    return next((d for d in DISCOVERY_CHOICES if d == value), None)


def _arc(value: str | None) -> ArcName | None:
    return next((a for a in ARC_NAMES if a == value), None)


def parse_strategy(data: object) -> Strategy:
    """Checks a decoded model answer (or its JSON text) and builds a Strategy.

    The same rules as ``read_strategy``, without the list of corrections.
    """
    return read_strategy(data).strategy


def _fallback_title(genres: tuple[str, ...]) -> str:
    """A title for a plan that came without one: its first genres, or a plain name."""
    if not genres:
        return DEFAULT_TITLE
    return " & ".join(g.title() for g in genres[:2])[:100]


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
        "targets": {
            t.feature: {"value": t.value, "strength": t.strength,
                        **({"direction": t.direction} if t.direction else {})}
            for t in strategy.targets
        },
        "like_artists": list(strategy.like_artists),
        "like_tracks": list(strategy.like_tracks),
        "familiarity": strategy.familiarity,
        "arc": strategy.arc,
        # a verdict only when one was given: stored plans keep their shape
        **({"is_music_request": strategy.is_music_request, "reason": strategy.reason}
           if strategy.is_music_request is not None else {}),
    }

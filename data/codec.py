"""How core values are written to and read back from storage.

Everything the store keeps as JSON text goes through here, so the SQLite store
and a later PostgreSQL store share one format.  Stored JSON is treated as data:
it is type-checked on the way back and a bad value raises ``CodecError``
instead of producing a half-built object.  Missing optional keys fall back to
the dataclass defaults, so rows written before a field existed still load.

Timestamps: SQLite keeps them as UTC text in one fixed-width ISO-8601 form
(``2026-05-09T07:35:25.000000Z``, ``encode_time``/``decode_time``); because the
width never varies, comparing the text in SQL compares the instants.
PostgreSQL keeps ``timestamptz`` instants (``utc_instant``/``decode_instant``).
Both refuse naive datetimes the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from core.errors import StrategyInvalid
from core.models import (
    DISCOVERY_CHOICES,
    DraftVersion,
    LimitSettings,
    Profile,
    SongSuggestion,
    Strategy,
    Track,
)
from core.strategy import parse_strategy, strategy_to_dict

__all__ = [
    "CodecError",
    "decode_instant",
    "decode_time",
    "draft_version_from_dict",
    "draft_version_from_json",
    "draft_version_to_dict",
    "draft_version_to_json",
    "encode_time",
    "limit_settings_from_json",
    "limit_settings_to_json",
    "profile_from_json",
    "profile_to_json",
    "strategy_from_json",
    "strategy_to_json",
    "track_from_dict",
    "track_to_dict",
    "tracks_from_json",
    "tracks_to_json",
    "utc_instant",
]

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class CodecError(ValueError):
    """Stored data could not be decoded (corrupt row or an unknown shape)."""


# --- timestamps -----------------------------------------------------------------


def utc_instant(moment: datetime) -> datetime:
    """A timezone-aware datetime converted to UTC (how PostgreSQL is given times).

    Naive datetimes are refused: guessing their zone would silently shift
    expiry times, and every caller in the engine has an aware clock.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("timestamps given to the store must be timezone-aware")
    return moment.astimezone(UTC)


def encode_time(moment: datetime) -> str:
    """A timezone-aware datetime as fixed-width UTC text (how SQLite keeps times)."""
    return utc_instant(moment).strftime(_TIME_FORMAT)


def decode_time(text: object) -> datetime:
    """Stored UTC text back to an aware UTC datetime."""
    if not isinstance(text, str):
        raise CodecError(f"timestamp must be text, got {type(text).__name__}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CodecError(f"bad timestamp {text!r}") from exc
    if moment.tzinfo is None:  # written by hand or by an older tool: it is UTC by contract
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def decode_instant(value: object) -> datetime:
    """A ``timestamptz`` value as the driver hands it back, as an aware UTC datetime."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise CodecError(f"timestamp column held {value!r}")
    return value.astimezone(UTC)


# --- small typed readers for decoded JSON ------------------------------------------


def _loads(text: str | bytes, what: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        raise CodecError(f"{what} is not valid JSON") from exc


def _dumps(value: object) -> str:
    # Compact and deterministic; ensure_ascii=False keeps titles readable in the file.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _object(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise CodecError(f"{what} must be a JSON object")
    return value


def _str(data: Mapping[str, Any], key: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise CodecError(f"{key} must be a string")
    return value


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise CodecError(f"{key} must be a string or null")
    return value


def _int(data: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CodecError(f"{key} must be an integer")
    return value


def _opt_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise CodecError(f"{key} must be an integer or null")
    return value


def _opt_float(data: Mapping[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CodecError(f"{key} must be a number or null")
    return float(value)


def _bool(data: Mapping[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise CodecError(f"{key} must be true or false")
    return value


def _strs(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CodecError(f"{key} must be a list of strings")
    return tuple(value)


# --- strategy ------------------------------------------------------------------------


def strategy_to_json(strategy: Strategy) -> str:
    """A strategy in the same JSON shape models answer in."""
    return _dumps(strategy_to_dict(strategy))


def strategy_from_json(text: str | bytes) -> Strategy:
    """Reads a stored strategy back, checked by ``core.strategy.parse_strategy``."""
    return _strategy_from_data(_loads(text, "strategy"))


def _strategy_from_data(data: object) -> Strategy:
    try:
        return parse_strategy(data)
    except StrategyInvalid:
        # parse_strategy also insists a strategy has something to search for.  A
        # strategy the engine built itself (say, seed artists only) was stored as
        # given, so read it back field by field rather than lose the draft.
        pass
    fields = _object(data, "strategy")
    raw_songs = fields.get("songs", [])
    if not isinstance(raw_songs, list):
        raise CodecError("songs must be a list")
    songs: list[SongSuggestion] = []
    for raw in raw_songs:
        song = _object(raw, "song")
        songs.append(SongSuggestion(title=_str(song, "title"), artist=_str(song, "artist")))
    return Strategy(
        title=_str(fields, "title"),
        description=_str(fields, "description", ""),
        genres=_strs(fields, "genres"),
        moods=_strs(fields, "moods"),
        energy=_opt_float(fields, "energy"),
        valence=_opt_float(fields, "valence"),
        era=_opt_str(fields, "era"),
        seed_artists=_strs(fields, "seed_artists"),
        avoid_artists=_strs(fields, "avoid_artists"),
        songs=tuple(songs),
        queries=_strs(fields, "queries"),
        keep=tuple(n for n in fields.get("keep", ()) if isinstance(n, int) and not isinstance(n, bool)),
    )


# --- tracks --------------------------------------------------------------------------


def track_to_dict(track: Track) -> dict[str, Any]:
    """Every field of a track, tuples as lists."""
    return {
        "id": track.id,
        "title": track.title,
        "artists": list(track.artists),
        "album": track.album,
        "duration_ms": track.duration_ms,
        "explicit": track.explicit,
        "popularity": track.popularity,
        "genres": list(track.genres),
        "image_url": track.image_url,
        "energy": track.energy,
        "valence": track.valence,
        "danceability": track.danceability,
        "tempo": track.tempo,
        "acousticness": track.acousticness,
        "instrumentalness": track.instrumentalness,
    }


def track_from_dict(data: object) -> Track:
    """A track from its stored dict; lists come back as tuples."""
    fields = _object(data, "track")
    return Track(
        id=_str(fields, "id"),
        title=_str(fields, "title"),
        artists=_strs(fields, "artists"),
        album=_str(fields, "album", ""),
        duration_ms=_int(fields, "duration_ms", 0),
        explicit=_bool(fields, "explicit", False),
        popularity=_opt_int(fields, "popularity"),
        genres=_strs(fields, "genres"),
        image_url=_opt_str(fields, "image_url"),
        energy=_opt_float(fields, "energy"),
        valence=_opt_float(fields, "valence"),
        danceability=_opt_float(fields, "danceability"),
        tempo=_opt_float(fields, "tempo"),
        acousticness=_opt_float(fields, "acousticness"),
        instrumentalness=_opt_float(fields, "instrumentalness"),
    )


def tracks_to_json(tracks: Iterable[Track]) -> str:
    """An ordered list of tracks as a JSON array."""
    return _dumps([track_to_dict(track) for track in tracks])


def tracks_from_json(text: str | bytes) -> tuple[Track, ...]:
    """The tracks of a stored JSON array, in order."""
    data = _loads(text, "tracks")
    if not isinstance(data, list):
        raise CodecError("tracks must be a JSON array")
    return tuple(track_from_dict(item) for item in data)


# --- draft versions --------------------------------------------------------------------


def draft_version_to_dict(version: DraftVersion) -> dict[str, Any]:
    """A whole draft version as one JSON-ready dict (for exports and caches)."""
    return {
        "version": version.version,
        "title": version.title,
        "strategy": strategy_to_dict(version.strategy),
        "tracks": [track_to_dict(track) for track in version.tracks],
        "provider": version.provider,
        "catalogue": version.catalogue,
        "requested_count": version.requested_count,
        "created_at": encode_time(version.created_at),
        "feedback": version.feedback,
        "note": version.note,
    }


def draft_version_from_dict(data: object) -> DraftVersion:
    """The inverse of ``draft_version_to_dict``."""
    fields = _object(data, "draft version")
    raw_tracks = fields.get("tracks", [])
    if not isinstance(raw_tracks, list):
        raise CodecError("tracks must be a list")
    return DraftVersion(
        version=_int(fields, "version"),
        title=_str(fields, "title"),
        strategy=_strategy_from_data(fields.get("strategy")),
        tracks=tuple(track_from_dict(item) for item in raw_tracks),
        provider=_str(fields, "provider"),
        catalogue=_str(fields, "catalogue"),
        requested_count=_int(fields, "requested_count"),
        created_at=decode_time(fields.get("created_at")),
        feedback=_opt_str(fields, "feedback"),
        note=_opt_str(fields, "note"),
    )


def draft_version_to_json(version: DraftVersion) -> str:
    """``draft_version_to_dict`` as JSON text."""
    return _dumps(draft_version_to_dict(version))


def draft_version_from_json(text: str | bytes) -> DraftVersion:
    """``draft_version_from_dict`` from JSON text."""
    return draft_version_from_dict(_loads(text, "draft version"))


# --- profiles and limit settings -----------------------------------------------------------


def profile_to_json(profile: Profile) -> str:
    """A user's taste profile as JSON text."""
    return _dumps(
        {
            "favourite_genres": list(profile.favourite_genres),
            "favourite_artists": list(profile.favourite_artists),
            "disliked_artists": list(profile.disliked_artists),
            "energy": profile.energy,
            "discovery": profile.discovery,
            "explicit_ok": profile.explicit_ok,
            "language": profile.language,
        }
    )


def profile_from_json(text: str | bytes) -> Profile:
    """A stored profile; an unknown discovery value is refused rather than guessed."""
    fields = _object(_loads(text, "profile"), "profile")
    discovery = _str(fields, "discovery", "balanced")
    for choice in DISCOVERY_CHOICES:  # narrows str to the Discovery literal for mypy
        if discovery == choice:
            break
    else:
        raise CodecError(f"discovery must be one of {', '.join(DISCOVERY_CHOICES)}")
    return Profile(
        favourite_genres=_strs(fields, "favourite_genres"),
        favourite_artists=_strs(fields, "favourite_artists"),
        disliked_artists=_strs(fields, "disliked_artists"),
        energy=_opt_float(fields, "energy"),
        discovery=choice,
        explicit_ok=_bool(fields, "explicit_ok", True),
        language=_str(fields, "language", ""),
    )


def limit_settings_to_json(settings: LimitSettings) -> str:
    """A scope's limits as JSON text."""
    return _dumps(
        {
            "playlist_limit_enabled": settings.playlist_limit_enabled,
            "max_playlists_per_day": settings.max_playlists_per_day,
            "refinement_limit_enabled": settings.refinement_limit_enabled,
            "max_refinements_per_playlist": settings.max_refinements_per_playlist,
            "max_songs": settings.max_songs,
            "blends_enabled": settings.blends_enabled,
            "max_blend_members": settings.max_blend_members,
        }
    )


def limit_settings_from_json(text: str | bytes) -> LimitSettings:
    """Stored limits; keys missing from older rows take today's defaults."""
    fields = _object(_loads(text, "limit settings"), "limit settings")
    defaults = LimitSettings()
    return LimitSettings(
        playlist_limit_enabled=_bool(
            fields, "playlist_limit_enabled", defaults.playlist_limit_enabled
        ),
        max_playlists_per_day=_int(fields, "max_playlists_per_day", defaults.max_playlists_per_day),
        refinement_limit_enabled=_bool(
            fields, "refinement_limit_enabled", defaults.refinement_limit_enabled
        ),
        max_refinements_per_playlist=_int(
            fields, "max_refinements_per_playlist", defaults.max_refinements_per_playlist
        ),
        max_songs=_int(fields, "max_songs", defaults.max_songs),
        blends_enabled=_bool(fields, "blends_enabled", defaults.blends_enabled),
        max_blend_members=_int(fields, "max_blend_members", defaults.max_blend_members),
    )

"""The bundled demo catalogue: real Spotify tracks searchable with no account.

``DemoCatalogue`` implements ``core.ports.MusicCatalogue`` over the demo part of
``data/catalogue/dataset.npz`` (see ``data/catalogue/SOURCE.md``), so the whole
pipeline runs offline.  It understands Spotify's query syntax
(``data.catalogue.spotify_query``) and answers like Spotify would, with the audio
features and popularity Spotify no longer gives new apps.

The pack holds the catalogue as numpy arrays, word index included (built by
``data.catalogue.build_knowledge``): loading reads arrays, with no Python object per
track, and strings are decoded only for the tracks a search returns.  A catalogue CSV
file (the columns of ``data.catalogue.COLUMNS``, plain or gzipped: a test fixture) is
turned into the same arrays in memory.

Matching rules:

* ``track:``, ``artist:`` and ``album:`` match normalised words.  Every word of the
  filter must occur in the field (for ``artist:``, in the track's artists taken
  together); the closer the match, the higher the rank: the whole field equal to the
  filter (for ``artist:``, any one artist), then the title or album without its
  version suffix (``"So What - Remastered"``, ``"So What (Live)"``), then the filter
  as a contiguous phrase, then the words in any order.
* ``genre:`` matches the track's genre set, ignoring case, spaces and punctuation
  (``hip hop`` = ``hip-hop`` = ``hiphop``; ``r&b`` = ``r-n-b``); a value naming no
  genre matches the genres whose names contain all its words (``minimal`` ->
  ``minimal-techno``).
* ``year:`` is accepted and ignored: the dataset has no release year.
* Free words score by where they hit, genre (4) > artist (3) > title (2) > album (1),
  summed over words; common words ("the", "songs", ...) are skipped unless they are
  all there is.  Without a text filter a track must match at least one free word;
  with one, free words only rank.

Ranking: relevance, then (when ``target`` has values) closeness of the track's
features to it (mean absolute difference, in steps of 0.05 so similar tracks are
ordered by popularity), then popularity, then track id.
"""

from __future__ import annotations

import asyncio
import csv
import gzip
import io
import os
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from core.errors import CatalogueError
from core.models import AudioTarget, DependencyStatus, Track
from data.catalogue import COLUMNS, FEATURES
from data.catalogue.pack_arrays import (
    ALBUM,
    ARTIST,
    FIELD_NAMES,
    GENRE,
    GENRE_ALIASES,
    TITLE,
    UNKNOWN_UNIT,
    Arrays,
    Texts,
    compact,
    is_stopword,
    lines,
    search_arrays,
    track_arrays,
    undelta,
    version_base,
)
from data.catalogue.pack_format import FORMAT_VERSION, TEMPO_SCALE, UNIT_FEATURES, UNIT_SCALE
from data.catalogue.source import SourceTrack
from data.catalogue.spotify_query import SpotifyQuery, normalise, parse_query

__all__ = ["MAX_LIMIT", "MAX_OFFSET", "DemoCatalogue", "default_path", "shared_catalogue"]

MAX_LIMIT = 10  # Spotify's search limit for apps since 2026
MAX_OFFSET = 1000  # Spotify refuses offsets past 1000

IntArray = npt.NDArray[np.int64]

_REQUIRED_COLUMNS = COLUMNS
# Column order of the feature matrix.
_FEATURES = FEATURES
_TARGET_COLUMNS = {
    "energy": 0,
    "valence": 1,
    "danceability": 2,
    "acousticness": 4,
    "instrumentalness": 5,
}

# Fields of the word index, weakest first (free-word weights are 1..4 in this order).
_ALBUM, _TITLE, _ARTIST, _GENRE = ALBUM, TITLE, ARTIST, GENRE
_FREE_WEIGHTS = ((_ALBUM, 1), (_TITLE, 2), (_ARTIST, 3), (_GENRE, 4))

# Match tiers of a text filter.
_EXACT, _BASE, _PHRASE, _WORDS = 4, 3, 2, 1
_FILTER_WEIGHT = 100  # filter tiers outrank any free-word score
_MAX_FREE_SCORE = _FILTER_WEIGHT - 1
_RELEVANCE_CEILING = 10_000
_DISTANCE_STEPS = 20  # closeness to the target in steps of 1/20

_GENRE_ALIASES = GENRE_ALIASES
# The pack's arrays the catalogue reads (it also holds the knowledge's).
_PACK_KEYS = (
    "format", "track_ids", "track_unit", "track_tempo", "track_popularity", "track_explicit",
    "track_duration_ms", "track_artist_starts", "track_artists", "track_genre_starts",
    "track_genres", "genre_names", "artist_names", "demo_rows", "demo_album_of",
    "demo_titles_data", "demo_titles_offsets", "demo_albums_data", "demo_albums_offsets",
    "demo_words_data", "demo_words_offsets", "demo_titles_words", "demo_titles_base_words",
    "demo_albums_words", "demo_albums_base_words",
    *(f"demo_{name}_{part}" for name in FIELD_NAMES for part in ("starts", "postings")),
)  # fmt: skip


def default_path() -> Traversable:
    """The packaged data file, ``data/catalogue/dataset.npz`` (its demo part)."""
    return resources.files("data.catalogue").joinpath("dataset.npz")


def _compact(text: str) -> str:
    return compact(text)


def _base_title(title: str) -> str:
    """A title without its version suffix: ``"So What - Remastered"`` -> ``"So What"``."""
    return version_base(title)


def _contains_phrase(text: str, phrase: str) -> bool:
    return f" {phrase} " in f" {text} "


@dataclass(frozen=True, slots=True)
class _Postings:
    """A word -> sorted track indices map for one field, stored as one flat array."""

    starts: npt.NDArray[np.int64]
    data: npt.NDArray[np.int32]

    def get(self, word_id: int) -> npt.NDArray[np.int32]:
        return self.data[self.starts[word_id] : self.starts[word_id + 1]]


@dataclass(frozen=True, slots=True)
class _Index:
    """The loaded catalogue: numeric columns, strings as byte arrays, word indexes.

    Row ``i`` is the catalogue's ``i``-th track in id order (so an index comparison is
    an id comparison).  Immutable once built.
    """

    ids: npt.NDArray[np.bytes_]
    titles: Texts
    albums: Texts  # distinct album names; ``album_of[i]`` is row i's
    album_of: npt.NDArray[np.int32]
    # Words in each normalised title (album), whole and without its version suffix.
    title_words: npt.NDArray[np.uint8]
    title_base_words: npt.NDArray[np.uint8]
    album_words: npt.NDArray[np.uint8]
    album_base_words: npt.NDArray[np.uint8]
    artist_names: list[str]  # distinct names; rows point into it
    artist_starts: npt.NDArray[np.int64]
    artist_flat: npt.NDArray[np.int32]
    genre_starts: npt.NDArray[np.int64]
    genre_flat: npt.NDArray[np.uint8]  # into ``all_genres``
    all_genres: tuple[str, ...]
    popularity: npt.NDArray[np.int64]
    explicit: npt.NDArray[np.bool_]
    duration_ms: npt.NDArray[np.int64]
    # (6, n): one row per feature in _FEATURES order, NaN = unknown.  Stored by feature
    # (fast column gathers when ranking).
    feature_columns: npt.NDArray[np.float64]
    vocabulary: Texts  # sorted words
    postings: tuple[_Postings, ...]  # indexed by _ALBUM, _TITLE, _ARTIST, _GENRE
    genre_names: tuple[str, ...]  # sorted, the genres some track carries
    genre_by_compact: dict[str, int]
    genre_words: tuple[frozenset[str], ...]
    genre_members: tuple[npt.NDArray[np.int32], ...]

    @property
    def size(self) -> int:
        return len(self.ids)

    def word_id(self, word: str) -> int | None:
        return self.vocabulary.find(word)

    def artists_of(self, i: int) -> tuple[str, ...]:
        start, stop = int(self.artist_starts[i]), int(self.artist_starts[i + 1])
        return tuple(self.artist_names[a] for a in self.artist_flat[start:stop].tolist())

    def genres_of(self, i: int) -> tuple[str, ...]:
        start, stop = int(self.genre_starts[i]), int(self.genre_starts[i + 1])
        return tuple(self.all_genres[g] for g in self.genre_flat[start:stop].tolist())

    def album(self, i: int) -> str:
        return self.albums[int(self.album_of[i])]

    def track(self, i: int) -> Track:
        tempo = float(self.feature_columns[3, i])
        return Track(
            id=self.ids[i].decode("ascii"),
            title=self.titles[i],
            artists=self.artists_of(i),
            album=self.album(i),
            duration_ms=int(self.duration_ms[i]),
            explicit=bool(self.explicit[i]),
            popularity=int(self.popularity[i]),
            genres=self.genres_of(i),
            image_url=None,
            energy=self._feature(i, 0),
            valence=self._feature(i, 1),
            danceability=self._feature(i, 2),
            tempo=tempo if tempo > 0 else None,
            acousticness=self._feature(i, 4),
            instrumentalness=self._feature(i, 5),
        )

    def _feature(self, i: int, column: int) -> float | None:
        value = float(self.feature_columns[column, i])
        return None if np.isnan(value) else value


# --- loading -------------------------------------------------------------------------


def _read_bytes(source: Path | Traversable) -> bytes:
    with source.open("rb") as handle:
        return handle.read()


def _text_of(raw: bytes) -> io.TextIOWrapper:
    """A catalogue CSV as text, gunzipped when it is gzipped (by content)."""
    stream: io.BytesIO | gzip.GzipFile = io.BytesIO(raw)
    if raw[:2] == b"\x1f\x8b":
        stream = gzip.GzipFile(fileobj=stream, mode="rb")
    return io.TextIOWrapper(stream, encoding="utf-8", newline="")


def _column_positions(header: list[str]) -> dict[str, int]:
    """Where each required column sits in the header; a missing one is a CatalogueError."""
    missing = [c for c in _REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CatalogueError(f"Demo catalogue file lacks columns: {', '.join(missing)}")
    return {name: header.index(name) for name in _REQUIRED_COLUMNS}


def _csv_tracks(reader: Iterator[list[str]]) -> list[SourceTrack]:
    """The CSV rows as tracks, in file order; rows without an id, title or artist are
    skipped, an empty feature is unknown (NaN; tempo 0)."""
    at = _column_positions(next(reader, []))
    nan = float("nan")
    tracks: list[SourceTrack] = []
    for row in reader:
        if not row:
            continue
        track_id, title = row[at["id"]].strip(), row[at["title"]].strip()
        names = tuple(a.strip() for a in row[at["artists"]].split(";") if a.strip())
        if not track_id or not title or not names:
            continue
        features = {
            name: float(row[at[name]]) if row[at[name]].strip() else nan for name in _FEATURES
        }
        features.update(speechiness=nan, liveness=nan, loudness=0.0, key=-1.0, mode=0.0)
        tracks.append(
            SourceTrack(
                id=track_id,
                title=title,
                artists=names,
                album=row[at["album"]].strip(),
                popularity=int(row[at["popularity"]] or 0),
                explicit=row[at["explicit"]].strip().lower() in ("1", "true"),
                duration_ms=int(row[at["duration_ms"]] or 0),
                features=features,
                genres={g.strip() for g in row[at["genres"]].split(";")} - {""},
            )
        )
    return tracks


def _csv_arrays(raw: bytes) -> Arrays:
    """A catalogue CSV file as the pack's arrays (every row in the catalogue)."""
    with _text_of(raw) as text:
        tracks = sorted(_csv_tracks(csv.reader(text)), key=lambda t: t.id)
    names = sorted({a for t in tracks for a in t.artists})
    return {**track_arrays(tracks, names), **search_arrays(tracks, range(len(tracks)))}


def _pack_arrays(raw: bytes) -> Arrays:
    """The demo catalogue's arrays from the pack file."""
    with np.load(io.BytesIO(raw), allow_pickle=False) as pack:
        arrays = {name: pack[name] for name in _PACK_KEYS}
    if int(arrays["format"][0]) != FORMAT_VERSION:
        raise CatalogueError(f"Demo catalogue pack has format {int(arrays['format'][0])}")
    return arrays


def _rows_of(
    starts: npt.NDArray[np.generic], flat: npt.NDArray[np.generic], rows: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.generic]]:
    """The CSR lists of ``rows`` only, as a CSR of their own."""
    begin = starts[rows].astype(np.int64)
    lengths = starts[rows + 1].astype(np.int64) - begin
    new_starts = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=new_starts[1:])
    picks = np.repeat(begin - new_starts[:-1], lengths) + np.arange(new_starts[-1])
    return new_starts, flat[picks]


def _feature_columns(arrays: Arrays, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """(6, n) features in _FEATURES order, NaN = unknown, tempo in BPM (0 = unknown)."""
    unit = arrays["track_unit"][rows]
    columns = np.empty((len(_FEATURES), len(rows)), dtype=np.float64)
    for k, name in enumerate(_FEATURES):
        if name == "tempo":
            tempo = arrays["track_tempo"][rows].astype(np.float64) / TEMPO_SCALE
            tempo[tempo <= 0] = np.nan  # tempo 0 means unknown
            columns[k] = tempo
            continue
        values = unit[:, UNIT_FEATURES.index(name)]
        columns[k] = np.where(
            values == UNKNOWN_UNIT, np.nan, values.astype(np.float64) / UNIT_SCALE
        )
    return columns


def _genre_tables(
    names: list[str], starts: npt.NDArray[np.int64], flat: npt.NDArray[np.generic]
) -> tuple[tuple[str, ...], tuple[npt.NDArray[np.int32], ...]]:
    """The genres some row carries (sorted) and, for each, its rows (sorted)."""
    row_of = np.repeat(np.arange(len(starts) - 1, dtype=np.int32), np.diff(starts))
    order = np.argsort(flat, kind="stable")
    counts = np.bincount(flat.astype(np.int64), minlength=len(names))
    bounds = np.concatenate(([0], np.cumsum(counts)))
    present = [k for k in range(len(names)) if counts[k]]
    members = tuple(
        np.ascontiguousarray(row_of[order[bounds[k] : bounds[k + 1]]]) for k in present
    )
    return tuple(names[k] for k in present), members


def _index_from(arrays: Arrays) -> _Index:
    """The searchable index over the arrays (pack or CSV alike)."""
    rows = arrays["demo_rows"].astype(np.int64)
    artist_starts, artist_flat = _rows_of(
        arrays["track_artist_starts"], arrays["track_artists"], rows
    )
    genre_starts, genre_flat = _rows_of(arrays["track_genre_starts"], arrays["track_genres"], rows)
    all_genres = lines(arrays["genre_names"])
    genre_names, genre_members = _genre_tables(all_genres, genre_starts, genre_flat)
    postings = tuple(
        _Postings(
            starts=arrays[f"demo_{name}_starts"].astype(np.int64),
            data=undelta(arrays[f"demo_{name}_postings"], arrays[f"demo_{name}_starts"]),
        )
        for name in FIELD_NAMES
    )
    return _Index(
        ids=arrays["track_ids"][rows].astype(np.bytes_),
        titles=Texts.of(arrays, "demo_titles"),
        albums=Texts.of(arrays, "demo_albums"),
        album_of=arrays["demo_album_of"].astype(np.int32),
        title_words=arrays["demo_titles_words"].astype(np.uint8),
        title_base_words=arrays["demo_titles_base_words"].astype(np.uint8),
        album_words=arrays["demo_albums_words"].astype(np.uint8),
        album_base_words=arrays["demo_albums_base_words"].astype(np.uint8),
        artist_names=lines(arrays["artist_names"]),
        artist_starts=artist_starts,
        artist_flat=artist_flat.astype(np.int32),
        genre_starts=genre_starts,
        genre_flat=genre_flat.astype(np.uint8),
        all_genres=tuple(all_genres),
        popularity=arrays["track_popularity"][rows].astype(np.int64),
        explicit=arrays["track_explicit"][rows].astype(np.bool_),
        duration_ms=arrays["track_duration_ms"][rows].astype(np.int64),
        feature_columns=_feature_columns(arrays, rows),
        vocabulary=Texts.of(arrays, "demo_words"),
        postings=postings,
        genre_names=genre_names,
        genre_by_compact={_compact(name): k for k, name in enumerate(genre_names)},
        genre_words=tuple(frozenset(normalise(name).split()) for name in genre_names),
        genre_members=genre_members,
    )


def _load(source: Path | Traversable) -> _Index:
    """Reads the catalogue file (the pack, or a catalogue CSV) and builds its index
    (runs in a worker thread); a missing or bad file is a ``CatalogueError``."""
    try:
        raw = _read_bytes(source)
        if raw[:4] == b"PK\x03\x04":  # a zip: the .npz pack
            return _index_from(_pack_arrays(raw))
        return _index_from(_csv_arrays(raw))
    except CatalogueError:
        raise
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile, csv.Error) as exc:
        raise CatalogueError(f"Demo catalogue could not be read: {exc}") from exc
    except (zipfile.BadZipFile, KeyError, IndexError, ValueError) as exc:
        raise CatalogueError(f"Demo catalogue file is malformed: {exc}") from exc


# --- searching -----------------------------------------------------------------------


def _all_words(index: _Index, field: int, words: Sequence[str]) -> npt.NDArray[np.int32]:
    """Tracks whose ``field`` contains every word (sorted indices)."""
    lists: list[npt.NDArray[np.int32]] = []
    for word in words:
        word_id = index.word_id(word)
        if word_id is None:
            return np.zeros(0, dtype=np.int32)
        lists.append(index.postings[field].get(word_id))
    if not lists:
        return np.zeros(0, dtype=np.int32)
    lists.sort(key=len)
    found = lists[0]
    for other in lists[1:]:
        found = np.intersect1d(found, other, assume_unique=True)
        if not len(found):
            break
    return found


def _tiers(
    index: _Index, field: int, phrase: str, rows: npt.NDArray[np.int32]
) -> IntArray:
    """How closely each row's ``field`` matches a filter's normalised ``phrase``.

    Every row holds all the phrase's words (the posting lists said so), so a one-word
    phrase is at least a phrase match; only rows whose title (album) has as many words
    as the phrase, whole or without its version suffix, can match it exactly.  Strings
    are decoded and normalised for those rows only.
    """
    if field == _ARTIST:
        return np.array([_artist_tier(index, phrase, i) for i in rows.tolist()], dtype=np.int64)
    width = len(phrase.split())
    if field == _TITLE:
        words, base_words = index.title_words[rows], index.title_base_words[rows]
    else:
        albums = index.album_of[rows]
        words, base_words = index.album_words[albums], index.album_base_words[albums]
    tiers = np.full(len(rows), _PHRASE if width == 1 else _WORDS, dtype=np.int64)
    check = (words == width) | (base_words == width) if width == 1 else np.ones(len(rows), bool)
    for k in np.flatnonzero(check).tolist():
        i = int(rows[k])
        raw = index.titles[i] if field == _TITLE else index.album(i)
        text = normalise(raw)
        if text == phrase:
            tiers[k] = _EXACT
            continue
        base = _base_title(raw)
        if base != raw and normalise(base) == phrase:
            tiers[k] = _BASE
        elif _contains_phrase(text, phrase):
            tiers[k] = _PHRASE
        else:
            tiers[k] = _WORDS
    return tiers


def _artist_tier(index: _Index, phrase: str, i: int) -> int:
    names = tuple(normalise(name) for name in index.artists_of(i))
    if phrase in names:
        return _EXACT
    if any(_contains_phrase(name, phrase) for name in names):
        return _PHRASE
    return _WORDS


def _genre_filter(index: _Index, value: str) -> npt.NDArray[np.int32]:
    """Tracks in the genre named by ``value`` (or in every genre containing its words)."""
    exact = index.genre_by_compact.get(_compact(value))
    if exact is not None:
        return index.genre_members[exact]
    words = set(normalise(value).split())
    if not words:
        return np.zeros(0, dtype=np.int32)
    chosen = [index.genre_members[k] for k, gw in enumerate(index.genre_words) if words <= gw]
    if not chosen:
        return np.zeros(0, dtype=np.int32)
    return np.unique(np.concatenate(chosen))


def _free_words(index: _Index, terms: Sequence[str]) -> list[str]:
    """Free words, with spelled-out genres joined (``hip hop`` -> ``hiphop``), minus filler."""
    words = normalise(" ".join(terms)).split()
    joined: list[str] = []
    k = 0
    while k < len(words):
        for width in (3, 2, 1):
            if k + width > len(words):
                continue
            compact = _GENRE_ALIASES.get("".join(words[k : k + width]))
            compact = compact or "".join(words[k : k + width])
            if compact in index.genre_by_compact and (width > 1 or compact != words[k]):
                joined.append(compact)
                k += width
                break
        else:
            joined.append(words[k])
            k += 1
    meaningful = [w for w in joined if not is_stopword(w)]
    return meaningful or joined


def _free_scores(index: _Index, words: Sequence[str]) -> IntArray:
    """Per track: the sum over words of the weight of the best field each word hits."""
    scores = np.zeros(index.size, dtype=np.int64)
    hit = np.zeros(index.size, dtype=np.int64)
    for word in words:
        word_id = index.word_id(word)
        if word_id is None:
            continue
        hit.fill(0)
        for field, weight in _FREE_WEIGHTS:  # weakest first: the best field wins
            hit[index.postings[field].get(word_id)] = weight
        scores += hit
    return scores


def _distance_steps(
    index: _Index, candidates: npt.NDArray[np.int32], target: AudioTarget | None
) -> IntArray:
    """Closeness of each candidate to ``target`` in steps of 1/20 (0 = closest)."""
    if target is None or target.is_empty():
        return np.zeros(len(candidates), dtype=np.int64)
    distance = np.zeros(len(candidates), dtype=np.float64)
    dimensions = 0
    for name, column in _TARGET_COLUMNS.items():
        goal = getattr(target, name)
        if goal is None:
            continue
        values = index.feature_columns[column][candidates]
        gap = np.abs(values - min(1.0, max(0.0, float(goal))))
        distance += np.where(np.isnan(gap), 1.0, gap)  # unknown counts as far
        dimensions += 1
    distance /= dimensions
    steps: IntArray = np.minimum(
        np.floor(distance * _DISTANCE_STEPS + 1e-9), _DISTANCE_STEPS
    ).astype(np.int64)
    return steps


# Candidate rows (index order) and the tier each matched its field filters with.
_Matches = tuple[npt.NDArray[np.int32], IntArray]


def _filtered(index: _Index, query: SpotifyQuery) -> _Matches | None:
    """The rows passing the query's field filters and the sum of their match tiers; None
    when the query has no filter.

    Every ``track:``/``artist:``/``album:`` word must occur in its field (an
    intersection of posting lists, stopping at the first filter that leaves nothing);
    the tiers are then computed for the rows that passed them all.
    """
    filters = [
        (field, normalise(value))
        for field, value in ((_TITLE, query.track), (_ARTIST, query.artist), (_ALBUM, query.album))
        if value is not None
    ]
    if not filters and query.genre is None:
        return None
    rows: npt.NDArray[np.int32] | None = None
    for field, phrase in filters:
        found = _all_words(index, field, phrase.split())
        rows = found if rows is None else np.intersect1d(rows, found, assume_unique=True)
        if not len(rows):
            return rows, np.zeros(0, dtype=np.int64)
    if query.genre is not None:
        in_genre = _genre_filter(index, query.genre)  # a genre has no tiers
        rows = in_genre if rows is None else np.intersect1d(rows, in_genre, assume_unique=True)
    if rows is None:  # not reached: a text filter or a genre was given
        return None
    tiers = np.zeros(len(rows), dtype=np.int64)
    for field, phrase in filters:
        tiers += _tiers(index, field, phrase, rows)
    return rows, tiers


def _unfiltered(index: _Index, query: SpotifyQuery, scores: IntArray | None) -> _Matches | None:
    """Without a field filter, the rows a free word hits; every row for a bare ``year:``
    (which the data cannot check); None for free text of punctuation only."""
    if scores is not None:
        candidates = np.flatnonzero(scores > 0).astype(np.int32)
    elif query.year_from is not None:
        candidates = np.arange(index.size, dtype=np.int32)
    else:
        return None
    return candidates, np.zeros(len(candidates), dtype=np.int64)


def _sort_keys(
    index: _Index, matches: _Matches, scores: IntArray | None, target: AudioTarget | None
) -> IntArray:
    """One int per candidate ordering it by relevance, closeness to ``target``, popularity,
    then id (index order is id order)."""
    candidates, tiers = matches
    relevance = tiers * _FILTER_WEIGHT
    if scores is not None:
        relevance = relevance + np.minimum(scores[candidates], _MAX_FREE_SCORE)
    relevance = np.minimum(relevance, _RELEVANCE_CEILING)
    steps = _distance_steps(index, candidates, target)
    unpopularity = 100 - np.clip(index.popularity[candidates], 0, 100)
    shift = max(1, index.size.bit_length())
    keys = (
        ((_RELEVANCE_CEILING - relevance) * (_DISTANCE_STEPS + 1) + steps) * 101 + unpopularity
    ) << shift
    keys |= candidates.astype(np.int64)
    return keys


def _page(
    index: _Index, candidates: npt.NDArray[np.int32], keys: IntArray, offset: int, limit: int
) -> list[Track]:
    """The ``limit`` best after the first ``offset``, sorting only as far as needed."""
    wanted = offset + limit
    if wanted < len(keys):
        top = np.argpartition(keys, wanted - 1)[:wanted]
        top = top[np.argsort(keys[top])]
    else:
        top = np.argsort(keys)
    page = candidates[top[offset:wanted]]
    return [index.track(int(i)) for i in page]


def _search(
    index: _Index, query: SpotifyQuery, limit: int, offset: int, target: AudioTarget | None
) -> list[Track]:
    """Matches, ranks and pages; pure CPU work on the loaded index."""
    matches = _filtered(index, query)
    if matches is not None and not len(matches[0]):
        return []
    words = _free_words(index, query.free_terms)
    scores = _free_scores(index, words) if words else None
    if matches is None:  # no text filter: at least one free word must hit
        matches = _unfiltered(index, query, scores)
    if matches is None or offset >= len(matches[0]):
        return []
    return _page(index, matches[0], _sort_keys(index, matches, scores, target), offset, limit)


class DemoCatalogue:
    """A ``MusicCatalogue`` over the bundled real-track dataset; no account needed.

    Creating one does no I/O: the file is parsed once, in a worker thread, on first
    use (``search``, ``genres``, ``size`` or ``health``).  ``path`` points at another
    catalogue file of the same columns (plain or gzipped CSV), e.g. a test fixture.
    """

    name = "demo"

    def __init__(self, path: str | os.PathLike[str] | Traversable | None = None) -> None:
        self._source: Path | Traversable
        if path is None:
            self._source = default_path()
        elif isinstance(path, str | os.PathLike):
            self._source = Path(path)
        else:
            self._source = path
        self._index: _Index | None = None
        self._lock = asyncio.Lock()

    @property
    def is_loaded(self) -> bool:
        """Whether the catalogue file has been read."""
        return self._index is not None

    async def _loaded(self) -> _Index:
        if self._index is None:
            async with self._lock:
                if self._index is None:
                    self._index = await asyncio.to_thread(_load, self._source)
        return self._index

    async def search(
        self, query: str, *, limit: int = 10, offset: int = 0, target: AudioTarget | None = None
    ) -> list[Track]:
        """Tracks matching ``query`` (Spotify syntax), best first, one page.

        ``limit`` is 1..10 and ``offset`` 0..1000 as on Spotify; anything else raises
        ``CatalogueError``, as does an empty query.  ``target`` ranks tracks with
        closer audio features first among equally relevant ones.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise CatalogueError("Invalid limit")
        if (
            isinstance(offset, bool)
            or not isinstance(offset, int)
            or not 0 <= offset <= MAX_OFFSET
        ):
            raise CatalogueError("Invalid offset")
        parsed = parse_query(query)
        if parsed.is_empty:
            raise CatalogueError("No search query")
        index = await self._loaded()
        return _search(index, parsed, limit, offset, target)

    async def genres(self) -> list[str]:
        """Every genre name of the catalogue, sorted (e.g. ``"hip-hop"``)."""
        return list((await self._loaded()).genre_names)

    async def size(self) -> int:
        """How many tracks the catalogue holds."""
        return (await self._loaded()).size

    async def get_track(self, track_id: str) -> Track | None:
        """The track with this Spotify id, or None (tracks are stored in id order)."""
        index = await self._loaded()
        try:
            key = track_id.encode("ascii")
        except UnicodeEncodeError:
            return None
        at = int(np.searchsorted(index.ids, key))
        if at < index.size and index.ids[at] == key:
            return index.track(at)
        return None

    async def health(self) -> DependencyStatus:
        """Loads the catalogue if needed and reports whether it is usable."""
        try:
            index = await self._loaded()
        except CatalogueError as exc:
            return DependencyStatus(name="catalogue", ok=False, detail=str(exc))
        return DependencyStatus(
            name="catalogue",
            ok=index.size > 0,
            detail=f"demo: {index.size} tracks, {len(index.genre_names)} genres",
        )


_shared: DemoCatalogue | None = None


def shared_catalogue() -> DemoCatalogue:
    """The packaged catalogue, one per process.

    It is read-only once loaded and loading it costs about 0.1 s and 25 MB, so every app
    built in a process (the bot, a one-shot command, each test) shares the one copy.
    """
    global _shared
    if _shared is None:
        _shared = DemoCatalogue()
    return _shared

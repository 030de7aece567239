"""The bundled demo catalogue: real Spotify tracks searchable with no account.

``DemoCatalogue`` implements ``core.ports.MusicCatalogue`` over
``data/catalogue/tracks.csv.gz`` (see ``data/catalogue/SOURCE.md``), so the whole
pipeline runs offline.  It understands Spotify's query syntax
(``data.catalogue.spotify_query``) and answers like Spotify would, with the audio
features and popularity Spotify no longer gives new apps.

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
import bisect
import csv
import gzip
import io
import os
from array import array
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
_ALBUM, _TITLE, _ARTIST, _GENRE = 0, 1, 2, 3
_FREE_WEIGHTS = ((_ALBUM, 1), (_TITLE, 2), (_ARTIST, 3), (_GENRE, 4))

# Match tiers of a text filter.
_EXACT, _BASE, _PHRASE, _WORDS = 4, 3, 2, 1
_FILTER_WEIGHT = 100  # filter tiers outrank any free-word score
_MAX_FREE_SCORE = _FILTER_WEIGHT - 1
_RELEVANCE_CEILING = 10_000
_DISTANCE_STEPS = 20  # closeness to the target in steps of 1/20

_STOPWORDS = frozenset(
    "a an the and or of for to in on with by at from my your our me i is it its this "
    "that some like song songs music track tracks playlist playlists".split()
)
# Other spellings of a genre, in compact form (normalised, spaces removed).
_GENRE_ALIASES = {
    "randb": "rnb",
    "rhythmandblues": "rnb",
    "rockandroll": "rocknroll",
    "drumnbass": "drumandbass",
    "dnb": "drumandbass",
}
_VERSION_MARKERS = (" - ", " (", " [")


def default_path() -> Traversable:
    """The packaged catalogue file, ``data/catalogue/tracks.csv.gz``."""
    return resources.files("data.catalogue").joinpath("tracks.csv.gz")


def _compact(text: str) -> str:
    compact = normalise(text).replace(" ", "")
    return _GENRE_ALIASES.get(compact, compact)


def _base_title(title: str) -> str:
    """A title without its version suffix: ``"So What - Remastered"`` -> ``"So What"``."""
    cut = len(title)
    for marker in _VERSION_MARKERS:
        found = title.find(marker)
        if 0 < found < cut:
            cut = found
    return title[:cut]


def _contains_phrase(text: str, phrase: str) -> bool:
    return f" {phrase} " in f" {text} "


@dataclass(frozen=True, slots=True)
class _Postings:
    """A word -> sorted track indices map for one field, stored as one flat array."""

    starts: npt.NDArray[np.int64]
    data: npt.NDArray[np.int32]

    def get(self, word_id: int) -> npt.NDArray[np.int32]:
        return self.data[self.starts[word_id] : self.starts[word_id + 1]]


def _postings(word_ids: array[int], track_ids: array[int], vocabulary_size: int) -> _Postings:
    words = np.frombuffer(word_ids, dtype=np.int32)
    tracks = np.frombuffer(track_ids, dtype=np.int32)
    order = np.lexsort((tracks, words))
    counts = np.bincount(words, minlength=vocabulary_size)
    starts = np.zeros(vocabulary_size + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return _Postings(starts=starts, data=np.ascontiguousarray(tracks[order]))


@dataclass(frozen=True, slots=True)
class _Index:
    """The loaded catalogue: columns, normalised text and word indexes (immutable)."""

    ids: list[str]
    titles: list[str]
    artists: list[tuple[str, ...]]
    albums: list[str]
    genres: list[tuple[str, ...]]
    popularity: npt.NDArray[np.int64]
    explicit: npt.NDArray[np.bool_]
    duration_ms: npt.NDArray[np.int64]
    # (6, n): one row per feature in _FEATURES order, NaN = unknown.  Stored by feature
    # (fast column gathers when ranking), once: a second, by-track copy cost 3 MB for nothing.
    feature_columns: npt.NDArray[np.float64]
    title_norm: list[str]
    title_base_norm: list[str]
    album_norm: list[str]
    album_base_norm: list[str]
    artist_norm: list[tuple[str, ...]]
    vocabulary: dict[str, int]
    postings: tuple[_Postings, ...]  # indexed by _ALBUM, _TITLE, _ARTIST, _GENRE
    genre_names: tuple[str, ...]  # sorted
    genre_by_compact: dict[str, int]
    genre_words: tuple[frozenset[str], ...]
    genre_members: tuple[npt.NDArray[np.int32], ...]

    @property
    def size(self) -> int:
        return len(self.ids)

    def track(self, i: int) -> Track:
        tempo = float(self.feature_columns[3, i])
        return Track(
            id=self.ids[i],
            title=self.titles[i],
            artists=self.artists[i],
            album=self.albums[i],
            duration_ms=int(self.duration_ms[i]),
            explicit=bool(self.explicit[i]),
            popularity=int(self.popularity[i]),
            genres=self.genres[i],
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


def _open_text(source: Path | Traversable) -> io.TextIOWrapper:
    """The catalogue file as text, gunzipped when it is gzipped (by content)."""
    with source.open("rb") as handle:
        raw = handle.read()
    stream: io.BytesIO | gzip.GzipFile = io.BytesIO(raw)
    if raw[:2] == b"\x1f\x8b":
        stream = gzip.GzipFile(fileobj=stream, mode="rb")
    return io.TextIOWrapper(stream, encoding="utf-8", newline="")


class _Strings:
    """One object per distinct string, raw or normalised (artists and albums repeat a lot)."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._norms: dict[str, str] = {}

    def intern(self, text: str) -> str:
        return self._texts.setdefault(text, text)

    def norm(self, text: str) -> str:
        """``normalise(text)``, computed once per distinct text."""
        found = self._norms.get(text)
        if found is None:
            found = self._norms[text] = self.intern(normalise(text))
        return found


@dataclass(frozen=True, slots=True)
class _Rows:
    """The parsed catalogue file: one entry per track in each column."""

    ids: list[str]
    titles: list[str]
    artists: list[tuple[str, ...]]
    albums: list[str]
    genres: list[tuple[str, ...]]
    numbers: npt.NDArray[np.int64]  # (n, 3): popularity, explicit, duration_ms
    features: npt.NDArray[np.float64]  # (n, 6) in _FEATURES order, NaN = unknown


def _column_positions(header: list[str]) -> dict[str, int]:
    """Where each required column sits in the header; a missing one is a CatalogueError."""
    missing = [c for c in _REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CatalogueError(f"Demo catalogue file lacks columns: {', '.join(missing)}")
    return {name: header.index(name) for name in _REQUIRED_COLUMNS}


def _parse(source: Path | Traversable, strings: _Strings) -> _Rows:
    """Reads the catalogue file into id-ordered columns; bad files raise ``CatalogueError``."""
    try:
        with _open_text(source) as text:
            rows = _read_rows(csv.reader(text), strings)
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile, csv.Error) as exc:
        raise CatalogueError(f"Demo catalogue could not be read: {exc}") from exc
    except (IndexError, ValueError) as exc:
        raise CatalogueError(f"Demo catalogue file is malformed: {exc}") from exc
    return _in_id_order(rows)


def _read_rows(reader: Iterator[list[str]], strings: _Strings) -> _Rows:
    """The CSV rows as columns, in file order; rows without an id, title or artist are skipped."""
    intern = strings.intern
    ids: list[str] = []
    titles: list[str] = []
    artists: list[tuple[str, ...]] = []
    albums: list[str] = []
    genres: list[tuple[str, ...]] = []
    numbers = array("q")  # popularity, explicit, duration_ms per track
    features = array("d")  # _FEATURES per track, NaN when empty
    nan = float("nan")
    at = _column_positions(next(reader, []))
    feature_at = [at[name] for name in _FEATURES]
    for row in reader:
        if not row:
            continue
        track_id, title = row[at["id"]].strip(), row[at["title"]].strip()
        names = tuple(intern(a.strip()) for a in row[at["artists"]].split(";") if a.strip())
        if not track_id or not title or not names:
            continue
        ids.append(track_id)
        titles.append(title)
        artists.append(names)
        albums.append(intern(row[at["album"]].strip()))
        genres.append(
            tuple(sorted({intern(g.strip()) for g in row[at["genres"]].split(";")} - {""}))
        )
        numbers.append(int(row[at["popularity"]] or 0))
        numbers.append(1 if row[at["explicit"]].strip().lower() in ("1", "true") else 0)
        numbers.append(int(row[at["duration_ms"]] or 0))
        features.extend(float(row[k]) if row[k].strip() else nan for k in feature_at)
    return _Rows(
        ids=ids,
        titles=titles,
        artists=artists,
        albums=albums,
        genres=genres,
        numbers=np.frombuffer(numbers, dtype=np.int64).reshape(-1, 3),
        features=np.frombuffer(features, dtype=np.float64).reshape(-1, len(_FEATURES)),
    )


def _in_id_order(rows: _Rows) -> _Rows:
    """The rows sorted by track id (so an index comparison is an id comparison), tempo 0 unknown."""
    order = sorted(range(len(rows.ids)), key=rows.ids.__getitem__)
    features = rows.features[order]
    features[features[:, 3] <= 0, 3] = np.nan  # tempo 0 means unknown
    return _Rows(
        ids=[rows.ids[i] for i in order],
        titles=[rows.titles[i] for i in order],
        artists=[rows.artists[i] for i in order],
        albums=[rows.albums[i] for i in order],
        genres=[rows.genres[i] for i in order],
        numbers=rows.numbers[order],
        features=features,
    )


@dataclass(frozen=True, slots=True)
class _NormalisedText:
    """Per track, the normalised fields the text filters compare against."""

    title: list[str]
    title_base: list[str]
    album: list[str]
    album_base: list[str]
    artists: list[tuple[str, ...]]


def _normalised_text(rows: _Rows, strings: _Strings) -> _NormalisedText:
    norm = strings.norm
    return _NormalisedText(
        title=[norm(title) for title in rows.titles],
        title_base=[norm(_base_title(title)) for title in rows.titles],
        album=[norm(album) for album in rows.albums],
        album_base=[norm(_base_title(album)) for album in rows.albums],
        artists=[tuple(norm(a) for a in names) for names in rows.artists],
    )


class _Vocabulary:
    """Word ids and, per distinct normalised text, its distinct word ids."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self._texts: dict[str, tuple[int, ...]] = {}

    def words(self, text: str) -> tuple[int, ...]:
        found = self._texts.get(text)
        if found is None:
            ids = self.ids
            found = tuple(dict.fromkeys(ids.setdefault(w, len(ids)) for w in text.split()))
            self._texts[text] = found
        return found


def _genre_search_words(name: str) -> str:
    """The words a genre is found by: its meaningful words and its compact form."""
    kept = [w for w in normalise(name).split() if len(w) > 1 and w not in _STOPWORDS]
    return " ".join((*kept, _compact(name)))


def _word_index(
    rows: _Rows, text: _NormalisedText
) -> tuple[dict[str, int], tuple[_Postings, ...]]:
    """Word ids and, per field (_ALBUM, _TITLE, _ARTIST, _GENRE), word -> tracks postings."""
    vocabulary = _Vocabulary()
    word_ids = tuple(array("i") for _ in range(4))
    track_ids = tuple(array("i") for _ in range(4))
    genre_words: dict[str, str] = {}

    def add(field: int, i: int, words: tuple[int, ...]) -> None:
        word_ids[field].extend(words)
        track_ids[field].extend([i] * len(words))

    for i, track_genres in enumerate(rows.genres):
        for genre in track_genres:
            if genre not in genre_words:
                genre_words[genre] = _genre_search_words(genre)
        add(_TITLE, i, vocabulary.words(text.title[i]))
        add(_ALBUM, i, vocabulary.words(text.album[i]))
        add(_ARTIST, i, vocabulary.words(" ".join(text.artists[i])))
        add(_GENRE, i, vocabulary.words(" ".join(genre_words[g] for g in track_genres)))
    size = len(vocabulary.ids)
    return vocabulary.ids, tuple(_postings(word_ids[f], track_ids[f], size) for f in range(4))


def _genre_members(
    genres: list[tuple[str, ...]],
) -> tuple[tuple[str, ...], tuple[npt.NDArray[np.int32], ...]]:
    """The sorted genre names and, for each, the tracks in it (sorted indices)."""
    names = tuple(sorted({g for gs in genres for g in gs}))
    position = {name: k for k, name in enumerate(names)}
    members: list[list[int]] = [[] for _ in names]
    for i, track_genres in enumerate(genres):
        for genre in track_genres:
            members[position[genre]].append(i)
    return names, tuple(np.array(m, dtype=np.int32) for m in members)


def _build_index(rows: _Rows, strings: _Strings) -> _Index:
    """The searchable index over parsed rows: normalised text, postings, genre tables."""
    text = _normalised_text(rows, strings)
    vocabulary, postings = _word_index(rows, text)
    genre_names, genre_members = _genre_members(rows.genres)
    return _Index(
        ids=rows.ids,
        titles=rows.titles,
        artists=rows.artists,
        albums=rows.albums,
        genres=rows.genres,
        popularity=np.ascontiguousarray(rows.numbers[:, 0]),
        explicit=rows.numbers[:, 1].astype(np.bool_),
        duration_ms=np.ascontiguousarray(rows.numbers[:, 2]),
        feature_columns=np.ascontiguousarray(rows.features.T),
        title_norm=text.title,
        title_base_norm=text.title_base,
        album_norm=text.album,
        album_base_norm=text.album_base,
        artist_norm=text.artists,
        vocabulary=vocabulary,
        postings=postings,
        genre_names=genre_names,
        genre_by_compact={_compact(name): k for k, name in enumerate(genre_names)},
        genre_words=tuple(frozenset(normalise(name).split()) for name in genre_names),
        genre_members=genre_members,
    )


def _load(source: Path | Traversable) -> _Index:
    """Parses the catalogue file and builds its indexes (runs in a worker thread)."""
    strings = _Strings()
    return _build_index(_parse(source, strings), strings)


# --- searching -----------------------------------------------------------------------


def _all_words(index: _Index, field: int, words: Sequence[str]) -> npt.NDArray[np.int32]:
    """Tracks whose ``field`` contains every word (sorted indices)."""
    lists: list[npt.NDArray[np.int32]] = []
    for word in words:
        word_id = index.vocabulary.get(word)
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


def _text_filter(
    index: _Index, field: int, value: str
) -> tuple[npt.NDArray[np.int32], IntArray]:
    """Tracks matching a ``track:``/``album:``/``artist:`` filter and their match tiers."""
    phrase = normalise(value)
    found = _all_words(index, field, phrase.split())
    tiers = np.empty(len(found), dtype=np.int64)
    for k, i in enumerate(found.tolist()):
        if field == _ARTIST:
            names = index.artist_norm[i]
            if phrase in names:
                tiers[k] = _EXACT
            elif any(_contains_phrase(name, phrase) for name in names):
                tiers[k] = _PHRASE
            else:
                tiers[k] = _WORDS
            continue
        if field == _TITLE:
            text, base = index.title_norm[i], index.title_base_norm[i]
        else:
            text, base = index.album_norm[i], index.album_base_norm[i]
        if text == phrase:
            tiers[k] = _EXACT
        elif base == phrase:
            tiers[k] = _BASE
        elif _contains_phrase(text, phrase):
            tiers[k] = _PHRASE
        else:
            tiers[k] = _WORDS
    return found, tiers


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
    meaningful = [w for w in joined if w not in _STOPWORDS]
    return meaningful or joined


def _free_scores(index: _Index, words: Sequence[str]) -> IntArray:
    """Per track: the sum over words of the weight of the best field each word hits."""
    scores = np.zeros(index.size, dtype=np.int64)
    hit = np.zeros(index.size, dtype=np.int64)
    for word in words:
        word_id = index.vocabulary.get(word)
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


def _both(first: _Matches, second: _Matches) -> _Matches:
    """Rows in both, their tiers added."""
    candidates, left, right = np.intersect1d(
        first[0], second[0], assume_unique=True, return_indices=True
    )
    return candidates, first[1][left] + second[1][right]


def _filtered(index: _Index, query: SpotifyQuery) -> _Matches | None:
    """The rows passing the query's field filters; None when it has none (stops early
    at the first filter that leaves nothing)."""
    matches: _Matches | None = None
    for field, value in ((_TITLE, query.track), (_ARTIST, query.artist), (_ALBUM, query.album)):
        if value is None:
            continue
        found = _text_filter(index, field, value)
        matches = found if matches is None else _both(matches, found)
        if not len(matches[0]):
            return matches
    if query.genre is not None:
        in_genre = _genre_filter(index, query.genre)
        found = (in_genre, np.zeros(len(in_genre), dtype=np.int64))  # a genre has no tiers
        matches = found if matches is None else _both(matches, found)
    return matches


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
        at = bisect.bisect_left(index.ids, track_id)
        if at < index.size and index.ids[at] == track_id:
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

    It is read-only once loaded and loading it costs about 1.4 s and 80 MB, so every app
    built in a process (the bot, a one-shot command, each test) shares the one copy.
    """
    global _shared
    if _shared is None:
        _shared = DemoCatalogue()
    return _shared

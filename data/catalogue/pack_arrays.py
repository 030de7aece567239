"""Tracks and the demo catalogue's search index as numpy arrays (the pack's columns).

One code path makes them for the shipped pack (``build_knowledge``, from the public
dataset) and for a catalogue CSV file given to ``DemoCatalogue`` (a test fixture), so the
reader sees the same shapes either way.  Strings are stored as one UTF-8 byte array plus
offsets (``Texts``), lists per track as CSR pairs (starts, flat values): loading is a
handful of array reads, with no Python object per track.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.text import normalise
from data.catalogue.pack_format import LOUDNESS_SCALE, TEMPO_SCALE, UNIT_FEATURES, UNIT_SCALE
from data.catalogue.source import SourceTrack

Arrays = dict[str, npt.NDArray[np.generic]]
UNKNOWN_UNIT = np.iinfo(np.uint16).max  # a 0..1 feature a catalogue file left empty

# Fields of the word index, weakest first (free-word weights are 1..4 in this order).
ALBUM, TITLE, ARTIST, GENRE = 0, 1, 2, 3
FIELD_NAMES: tuple[str, ...] = ("album", "title", "artist", "genre")

_STOPWORDS = frozenset(
    "a an the and or of for to in on with by at from my your our me i is it its this "
    "that some like song songs music track tracks playlist playlists".split()
)
# Other spellings of a genre, in compact form (normalised, spaces removed).
GENRE_ALIASES = {
    "randb": "rnb",
    "rhythmandblues": "rnb",
    "rockandroll": "rocknroll",
    "drumnbass": "drumandbass",
    "dnb": "drumandbass",
}


_VERSION_MARKERS = (" - ", " (", " [")


def version_base(title: str) -> str:
    """A title without its version suffix: ``"So What - Remastered"`` -> ``"So What"``."""
    cut = len(title)
    for marker in _VERSION_MARKERS:
        found = title.find(marker)
        if 0 < found < cut:
            cut = found
    return title[:cut]


def _word_count(text: str) -> int:
    return min(255, len(normalise(text).split()))


def is_stopword(word: str) -> bool:
    """Common words free-text search skips ("the", "songs"...)."""
    return word in _STOPWORDS


def compact(text: str) -> str:
    """A genre name reduced for comparison: ``"Hip Hop"`` -> ``"hiphop"``, ``"r&b"`` -> ``"rnb"``."""
    joined = normalise(text).replace(" ", "")
    return GENRE_ALIASES.get(joined, joined)


def genre_search_words(name: str) -> str:
    """The words a genre is found by: its meaningful words and its compact form."""
    kept = [w for w in normalise(name).split() if len(w) > 1 and w not in _STOPWORDS]
    return " ".join((*kept, compact(name)))


# --- strings as arrays ------------------------------------------------------------------


def texts_arrays(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """Strings as (UTF-8 bytes, offsets): string k is ``data[offsets[k]:offsets[k + 1]]``."""
    encoded = [t.encode("utf-8") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()
    return data, offsets


@dataclass(frozen=True, slots=True)
class Texts(Sequence[str]):
    """A read-only sequence of strings kept as one byte array (decoded on access)."""

    data: npt.NDArray[np.uint8]
    offsets: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, k: int) -> str:  # type: ignore[override]
        start, stop = int(self.offsets[k]), int(self.offsets[k + 1])
        return self.data[start:stop].tobytes().decode("utf-8")

    def find(self, text: str) -> int | None:
        """The position of ``text`` in a sorted ``Texts``, or None."""
        at = bisect.bisect_left(self, text)
        return at if at < len(self) and self[at] == text else None

    @classmethod
    def of(cls, arrays: Arrays, name: str) -> Texts:
        data = arrays[f"{name}_data"]
        offsets = arrays[f"{name}_offsets"]
        return cls(data=data.view(np.uint8), offsets=offsets.astype(np.int64, copy=False))


def lines_array(texts: Sequence[str]) -> npt.NDArray[np.uint8]:
    """Short strings without newlines (names) as one newline-joined UTF-8 byte array."""
    return np.frombuffer("\n".join(texts).encode("utf-8"), dtype=np.uint8).copy()


def lines(array: npt.NDArray[np.generic]) -> list[str]:
    """The strings of a ``lines_array``."""
    text = array.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def _put_texts(out: Arrays, name: str, texts: Sequence[str]) -> None:
    out[f"{name}_data"], out[f"{name}_offsets"] = texts_arrays(texts)


def csr(rows: Iterable[Sequence[int]], dtype: type[np.generic]) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.generic]
]:
    """Rows of ints as (starts, flat values): row k is ``flat[starts[k]:starts[k + 1]]``."""
    materialised = [list(r) for r in rows]
    starts = np.zeros(len(materialised) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in materialised], out=starts[1:])
    flat = np.array([v for r in materialised for v in r], dtype=dtype)
    return starts, flat


# --- tracks -------------------------------------------------------------------------------


def track_arrays(tracks: Sequence[SourceTrack], artist_names: Sequence[str]) -> Arrays:
    """Per-track columns of ``tracks`` (sorted by id): ids, quantised features,
    popularity, credited artists (indices into ``artist_names``, sorted) and genres."""
    artist_at = {name: k for k, name in enumerate(artist_names)}
    genre_names = sorted({g for t in tracks for g in t.genres})
    genre_at = {name: k for k, name in enumerate(genre_names)}
    # Rounded to the source's 3 decimals first, as Python rounds (0.0935 -> 0.093).
    unit = np.array(
        [[round(t.features[n], 3) for n in UNIT_FEATURES] for t in tracks], dtype=np.float64
    ).reshape(len(tracks), len(UNIT_FEATURES))
    tempo = np.array(
        [round(t.features["tempo"], 3) if t.features["tempo"] > 0 else 0.0 for t in tracks],
        dtype=np.float64,
    )
    loudness = np.array([t.features["loudness"] for t in tracks], dtype=np.float64)
    out: Arrays = {
        "track_ids": np.array([t.id.encode("ascii") for t in tracks], dtype=np.bytes_),
        # an empty (unknown) 0..1 feature is UNKNOWN_UNIT
        "track_unit": np.where(
            np.isnan(unit), UNKNOWN_UNIT, np.round(np.clip(unit, 0, 1) * UNIT_SCALE)
        ).astype(np.uint16),
        # tempo 0 or empty in the source means unknown, 0 here
        "track_tempo": np.round(
            np.clip(np.nan_to_num(tempo, nan=0.0), 0, 4000) * TEMPO_SCALE
        ).astype(np.uint32),
        "track_loudness": np.round(np.clip(loudness, -300, 300) * LOUDNESS_SCALE).astype(
            np.int16
        ),
        "track_key": np.array([int(t.features["key"]) for t in tracks], dtype=np.int8),
        "track_mode": np.array([int(t.features["mode"]) for t in tracks], dtype=np.int8),
        "track_popularity": np.array([t.popularity for t in tracks], dtype=np.uint8),
        "track_explicit": np.array([t.explicit for t in tracks], dtype=np.bool_),
        "track_duration_ms": np.array([t.duration_ms for t in tracks], dtype=np.uint32),
    }
    out["track_artist_starts"], out["track_artists"] = csr(
        ([artist_at[a] for a in t.artists] for t in tracks), np.int32
    )
    out["track_genre_starts"], out["track_genres"] = csr(
        (sorted(genre_at[g] for g in t.genres) for t in tracks), np.uint8
    )
    out["genre_names"] = lines_array(genre_names)
    out["artist_names"] = lines_array(artist_names)
    return out


# --- the demo catalogue's search index ----------------------------------------------


def search_arrays(tracks: Sequence[SourceTrack], rows: Sequence[int]) -> Arrays:
    """The demo catalogue over ``tracks[rows]`` (rows increasing): titles, albums and the
    word index (per field, word -> catalogue positions), words sorted."""
    chosen = [tracks[i] for i in rows]
    albums = sorted({t.album for t in chosen})
    album_at = {name: k for k, name in enumerate(albums)}
    out: Arrays = {
        "demo_rows": np.array(rows, dtype=np.int32),
        "demo_album_of": np.array([album_at[t.album] for t in chosen], dtype=np.int32),
    }
    _put_texts(out, "demo_titles", [t.title for t in chosen])
    _put_texts(out, "demo_albums", albums)
    # Normalised word counts of each title and album, whole and without version suffix:
    # a filter phrase of n words can only equal the ones of n words.
    for name, texts in (("titles", [t.title for t in chosen]), ("albums", albums)):
        out[f"demo_{name}_words"] = np.array([_word_count(t) for t in texts], dtype=np.uint8)
        out[f"demo_{name}_base_words"] = np.array(
            [_word_count(version_base(t)) for t in texts], dtype=np.uint8
        )

    genre_words = {g: genre_search_words(g) for g in {g for t in chosen for g in t.genres}}
    field_words: list[list[list[str]]] = [[], [], [], []]
    for track in chosen:
        field_words[ALBUM].append(_distinct_words(normalise(track.album)))
        field_words[TITLE].append(_distinct_words(normalise(track.title)))
        field_words[ARTIST].append(
            _distinct_words(" ".join(normalise(a) for a in track.artists))
        )
        field_words[GENRE].append(
            _distinct_words(" ".join(genre_words[g] for g in sorted(track.genres)))
        )
    vocabulary = sorted({w for field in field_words for words in field for w in words})
    word_at = {w: k for k, w in enumerate(vocabulary)}
    _put_texts(out, "demo_words", vocabulary)
    for field, name in enumerate(FIELD_NAMES):
        pairs = [(word_at[w], pos) for pos, words in enumerate(field_words[field]) for w in words]
        word_ids = np.array([p[0] for p in pairs], dtype=np.int64)
        positions = np.array([p[1] for p in pairs], dtype=np.int64)
        order = np.lexsort((positions, word_ids))
        starts = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(np.bincount(word_ids, minlength=len(vocabulary)), out=starts[1:])
        out[f"demo_{name}_starts"] = starts.astype(np.int32)
        out[f"demo_{name}_postings"] = _deltas(positions[order], starts)
    return out


def _distinct_words(text: str) -> list[str]:
    return list(dict.fromkeys(text.split()))


def _deltas(values: npt.NDArray[np.int64], starts: npt.NDArray[np.int64]) -> npt.NDArray[
    np.generic
]:
    """Sorted lists stored as gaps (the first of each list as is): small numbers, which
    deflate packs far better than raw positions."""
    gaps = np.diff(values, prepend=0)
    firsts = starts[:-1][starts[:-1] < starts[1:]]
    gaps[firsts] = values[firsts]
    return gaps.astype(np.int32)


def undelta(gaps: npt.NDArray[np.generic], starts: npt.NDArray[np.generic]) -> npt.NDArray[
    np.int32
]:
    """The inverse of the gap encoding: the sorted positions of every list, concatenated."""
    running = np.cumsum(gaps.astype(np.int64))
    bounds: npt.NDArray[np.int64] = starts.astype(np.int64)
    begins = bounds[:-1]
    lengths: npt.NDArray[np.int64] = bounds[1:] - bounds[:-1]
    nonempty = lengths > 0
    # Subtract, over each list, the running total before it.
    before = np.zeros(len(begins), dtype=np.int64)
    before[nonempty] = np.where(begins[nonempty] > 0, running[begins[nonempty] - 1], 0)
    return (running - np.repeat(before, lengths)).astype(np.int32)

"""What the bundled dataset knows about tracks and artists: ``core.ports.MusicKnowledge``.

``DatasetKnowledge`` reads ``data/catalogue/dataset.npz``, built by
``data.catalogue.build_knowledge`` from the public "Spotify Tracks Dataset" (see
``SOURCE.md``): numpy arrays only, loaded in a few tens of milliseconds, no Python
object per track.  It covers all 89,740 tracks of the dataset (not only the demo
catalogue's), so a live Spotify result is found by id, or by normalised title and
primary artist when Spotify returns another release of the same song.

An artist's ``popularity`` is the mean popularity of their three most popular tracks
(the mean over all of them sinks famous artists under re-releases).

Names in a prompt (``artists_named_in``): an artist is recognised by their full name,
case, accents and punctuation ignored, or by a distinctive album title ("OK Computer").
A name that is also an everyday or music word ("Yes", "Air", "Low", "Love", "Chill",
"Jazz") counts only after a word that introduces an artist ("like", "by",
"artists such as"...), right after another name in a list ("daft punk and justice"), or
before a possessive or "deep cuts", and then only when written with a capital letter;
a one-word name needs the same introduction unless it is distinctive and the artist
well known.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np

from core.knowledge import ArtistProfile, SoundFeatures
from core.models import Track
from core.text import normalise
from core.vocabulary.lexicon import EVERYDAY_WORDS, LEXICON
from data.catalogue.pack_arrays import lines
from data.catalogue.pack_format import (
    FORMAT_VERSION,
    LOUDNESS_SCALE,
    POPULARITY_SCALE,
    SHARE_SCALE,
    TEMPO_SCALE,
    UNIT_SCALE,
)
from data.catalogue.text_keys import song_key

__all__ = ["DatasetKnowledge", "default_knowledge_path", "shared_knowledge"]

# Words that introduce an artist's name ("songs like X", "music by X").
_TRIGGERS: frozenset[tuple[str, ...]] = frozenset(
    tuple(phrase.split())
    for phrase in (
        "like", "by", "from", "such as", "similar to", "sounds like", "style of", "fans of",
        "fan of", "reminiscent of", "inspired by", "the likes of", "listen to",
        "listening to", "play", "featuring", "feat", "ft", "artist", "band", "singer",
        "rapper", "dj",
    )
)  # fmt: skip
# Of those, the ones that still introduce a name that is also an everyday word ("songs
# like Air", "music by Low"; not "music from Brazil", "play Music").
_STRONG_TRIGGERS = _TRIGGERS - {("from",), ("play",)}
# Words joining a list of names: a name right after "X and", "X, " continues the list
# ("like daft punk and justice"), but "and" alone introduces nothing ("rock and Love").
_LIST_WORDS = frozenset({"and", "or", "plus", "with", "vs", "x"})
# Words after a name that make it one ("Taylor Swift deep cuts")...
_AFTER_NAME: frozenset[tuple[str, ...]] = frozenset(
    tuple(phrase.split()) for phrase in ("deep cuts", "deep cut", "b sides", "rarities", "discography")
)
# ... and words that hint at one, too weak for a common word ("love songs").
_WEAK_AFTER_NAME: frozenset[tuple[str, ...]] = frozenset(
    tuple(phrase.split())
    for phrase in ("songs", "tracks", "hits", "album", "albums", "type", "style", "vibes")
)
_MAX_NAME_WORDS = 6
# A one-word name is recognised untriggered from this mean popularity and track count.
_PROMINENT_POPULARITY = 50.0
_PROMINENT_TRACKS = 3
# Words that are never a name on their own, whatever follows them.
_NEVER_ALONE: frozenset[str] = frozenset(
    "a an the and or of for to in on with by at from my your our me i is it its this that "
    "some like more less no not very so all any one two you we he she they them us his her "
    "their be are was do does did just only really also too please song songs music track "
    "tracks playlist artist artists band bands album albums new old good best top".split()
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# Letters that ``normalise`` keeps (no decomposition) but people type without: "Kizilirmak".
_FOLD = str.maketrans({"ı": "i", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l"})


def _fold(text: str) -> str:
    """``normalise`` plus the letters it leaves alone, for matching names as typed."""
    return normalise(text).translate(_FOLD)


# The arrays the knowledge reads (the pack also holds the demo catalogue's).
_KEYS = (
    "format", "scene_names", "genre_names", "artist_names", "artist_norm_names",
    "track_ids", "track_unit", "track_tempo", "track_loudness", "track_key", "track_mode",
    "track_popularity", "song_keys", "song_track", "artist_tracks", "artist_popularity",
    "artist_scene", "artist_genre_starts", "artist_genres", "artist_genre_shares",
    "artist_unit", "artist_tempo", "artist_loudness", "artist_key", "artist_mode",
    "artist_similar", "common_words", "plain_common_words", "album_phrases", "album_artists",
)  # fmt: skip


def default_knowledge_path() -> Traversable:
    """The packaged data file, ``data/catalogue/dataset.npz``."""
    return resources.files("data.catalogue").joinpath("dataset.npz")


_strings = lines


@dataclass(frozen=True, slots=True)
class _Word:
    """One word of a prompt: normalised, whether capitalised, whether a possessive."""

    norm: str
    capitalised: bool
    possessive: bool


def _prompt_words(text: str) -> list[_Word]:
    words: list[_Word] = []
    for match in _WORD.finditer(text):
        raw = match.group(0)
        possessive = bool(re.search(r"['’]s$", raw, re.IGNORECASE))
        stem = raw[:-2] if possessive else raw
        for k, part in enumerate(_fold(stem).split()):
            words.append(_Word(part, k == 0 and raw[:1].isupper(), False))
        if possessive and words:
            words[-1] = _Word(words[-1].norm, words[-1].capitalised, True)
    return words


class DatasetKnowledge:
    """``MusicKnowledge`` over the prebuilt arrays of ``dataset.npz``."""

    def __init__(self, path: str | Path | Traversable | None = None) -> None:
        source: Path | Traversable = (
            default_knowledge_path() if path is None else Path(path) if isinstance(path, str) else path
        )
        with source.open("rb") as handle, np.load(handle, allow_pickle=False) as pack:
            arrays = {name: pack[name] for name in _KEYS}
        if int(arrays["format"][0]) != FORMAT_VERSION:
            raise ValueError(f"knowledge pack format {int(arrays['format'][0])} is not {FORMAT_VERSION}")
        self._a = arrays
        self._genres = _strings(arrays["genre_names"])
        self._scenes = _strings(arrays["scene_names"])
        self._artist_names = _strings(arrays["artist_names"])

    # --- names ---------------------------------------------------------------------

    @cached_property
    def _by_norm(self) -> dict[str, int]:
        """Normalised name -> artist; of artists sharing one, the one with most tracks."""
        counts = self._a["artist_tracks"]
        found: dict[str, int] = {}
        for a, normalised in enumerate(_strings(self._a["artist_norm_names"])):
            norm = normalised.translate(_FOLD)
            if not norm:
                continue
            held = found.get(norm)
            if held is None or counts[a] > counts[held]:
                found[norm] = a
        return found

    @cached_property
    def _albums(self) -> dict[str, int]:
        phrases = (p.translate(_FOLD) for p in _strings(self._a["album_phrases"]))
        return {
            phrase: artist
            for phrase, artist in zip(phrases, self._a["album_artists"].tolist(), strict=True)
            # "Deep Cuts" (The Knife) is also how people ask for anyone's rarities.
            if tuple(phrase.split()) not in _AFTER_NAME | _WEAK_AFTER_NAME | _TRIGGERS
        }

    @cached_property
    def _common(self) -> frozenset[str]:
        """Words in the titles of many artists, in any language ("love", "nas", "amor")."""
        return frozenset(_strings(self._a["common_words"]))

    @cached_property
    def _plain_common(self) -> frozenset[str]:
        """Words in the titles of many artists of no regional scene: everyday English."""
        return frozenset(_strings(self._a["plain_common_words"]))

    def _index(self, name: str) -> int | None:
        return self._by_norm.get(_fold(name))

    # --- MusicKnowledge ------------------------------------------------------------

    def artist(self, name: str) -> ArtistProfile | None:
        """The artist of that name (case, accents and punctuation ignored), if known."""
        a = self._index(name)
        return None if a is None else self._profile(a)

    def features(self, track: Track) -> SoundFeatures | None:
        """The track's features: by Spotify id, else by normalised title and primary artist."""
        i = self._track_by_id(track.id)
        if i is None and track.artists:
            i = self._track_by_song(track.title, track.artists[0])
        return None if i is None else self._track_features(i)

    def similar_artists(self, name: str, limit: int = 10) -> tuple[str, ...]:
        """Artists nearest to ``name`` (shared genres and scene, sound, collaborations)."""
        a = self._index(name)
        if a is None or limit <= 0:
            return ()
        row = self._a["artist_similar"][a]
        return tuple(self._artist_names[b] for b in row[:limit].tolist() if b >= 0)

    def artists_named_in(self, text: str) -> tuple[str, ...]:
        """Canonical names of the known artists a free-text prompt names, in order."""
        words = _prompt_words(text)
        found: list[int] = []
        k = 0
        last_end = -2  # where the last name found ended (a list may continue there)
        while k < len(words):
            listed = k == last_end or (k == last_end + 1 and words[k - 1].norm in _LIST_WORDS)
            hit = self._name_at(words, k, listed)
            if hit is None:
                k += 1
                continue
            artist, width = hit
            if artist not in found:
                found.append(artist)
            k += width
            last_end = k
        return tuple(self._artist_names[a] for a in found)

    # --- tracks --------------------------------------------------------------------

    def _track_by_id(self, track_id: str) -> int | None:
        ids = self._a["track_ids"]
        try:
            key = track_id.encode("ascii")
        except UnicodeEncodeError:
            return None
        at = int(np.searchsorted(ids, key))
        if at < len(ids) and ids[at] == key:
            return at
        return None

    def _track_by_song(self, title: str, artist: str) -> int | None:
        keys = self._a["song_keys"]
        key = song_key(title, artist)
        at = int(np.searchsorted(keys, key))
        if at < len(keys) and int(keys[at]) == key:
            return int(self._a["song_track"][at])
        return None

    def _track_features(self, i: int) -> SoundFeatures:
        return self._sound("track", i, int(self._a["track_popularity"][i]))

    def _sound(self, table: str, i: int, popularity: int) -> SoundFeatures:
        """Row ``i`` of the ``track_*`` or ``artist_*`` feature arrays, unquantised."""
        a = self._a
        unit = a[f"{table}_unit"][i].tolist()
        tempo = int(a[f"{table}_tempo"][i])
        return SoundFeatures(
            energy=unit[0] / UNIT_SCALE,
            valence=unit[1] / UNIT_SCALE,
            danceability=unit[2] / UNIT_SCALE,
            acousticness=unit[3] / UNIT_SCALE,
            instrumentalness=unit[4] / UNIT_SCALE,
            speechiness=unit[5] / UNIT_SCALE,
            tempo=tempo / TEMPO_SCALE if tempo else None,
            loudness=int(a[f"{table}_loudness"][i]) / LOUDNESS_SCALE,
            key=int(a[f"{table}_key"][i]),
            mode=int(a[f"{table}_mode"][i]),
            popularity=popularity,
        )

    # --- artists -------------------------------------------------------------------

    def _profile(self, a: int) -> ArtistProfile:
        arrays = self._a
        start, stop = int(arrays["artist_genre_starts"][a]), int(arrays["artist_genre_starts"][a + 1])
        genres = tuple(
            (self._genres[g], share / SHARE_SCALE)
            for g, share in zip(
                arrays["artist_genres"][start:stop].tolist(),
                arrays["artist_genre_shares"][start:stop].tolist(),
                strict=True,
            )
        )
        scene = int(arrays["artist_scene"][a])
        popularity = int(arrays["artist_popularity"][a]) / POPULARITY_SCALE
        sound = self._sound("artist", a, round(popularity))
        return ArtistProfile(
            name=self._artist_names[a],
            genres=genres,
            scene=self._scenes[scene] if scene >= 0 else None,
            sound=sound,
            popularity=popularity,
            tracks=int(arrays["artist_tracks"][a]),
        )

    # --- names in a prompt ---------------------------------------------------------

    def _name_at(self, words: Sequence[_Word], k: int, listed: bool) -> tuple[int, int] | None:
        """The longest known name starting at word ``k`` that counts here, and its width
        (``listed``: the word continues a list of names)."""
        for width in range(min(_MAX_NAME_WORDS, len(words) - k), 0, -1):
            span = words[k : k + width]
            phrase = " ".join(w.norm for w in span)
            # A possessive ends a name: "Radiohead's OK Computer" is not one phrase.
            if any(w.possessive for w in span[:-1]):
                continue
            artist = self._by_norm.get(phrase)
            if artist is not None and self._counts(words, k, width, artist, listed):
                return artist, width
            album = self._albums.get(phrase)
            if album is not None and width >= 2 and not self._is_everyday(span):
                return album, width
        return None

    def _counts(
        self, words: Sequence[_Word], k: int, width: int, artist: int, listed: bool
    ) -> bool:
        """Whether the name at words[k:k+width] is meant as an artist's name here."""
        span = words[k : k + width]
        if all(w.norm in _NEVER_ALONE for w in span):
            return False
        if self._is_everyday(span):
            # "Low", "Air", "Yes", "Love", "Rainy Day": introduced and written as a name.
            strong = listed or self._introduced(words, k, width, _STRONG_TRIGGERS)
            return strong and span[0].capitalised
        introduced = listed or self._introduced(words, k, width, _TRIGGERS)
        if width >= 2:
            return True
        if span[0].norm in self._common:
            return introduced  # "songs by nas" ("nas" is Portuguese for "in the")
        return introduced or self._hinted(words, k + width) or self._prominent(artist)

    @staticmethod
    def _introduced(
        words: Sequence[_Word], k: int, width: int, triggers: frozenset[tuple[str, ...]]
    ) -> bool:
        """A word before the name introduces one ("like", "by"), or a possessive or
        "deep cuts" follows it."""
        if words[k + width - 1].possessive:
            return True
        before = tuple(w.norm for w in words[max(0, k - 3) : k])
        if any(before[-n:] in triggers for n in (1, 2, 3) if len(before) >= n):
            return True
        after = tuple(w.norm for w in words[k + width : k + width + 2])
        return any(after[:n] in _AFTER_NAME for n in (1, 2) if len(after) >= n)

    @staticmethod
    def _hinted(words: Sequence[_Word], end: int) -> bool:
        after = tuple(w.norm for w in words[end : end + 1])
        return after in _WEAK_AFTER_NAME

    def _is_everyday(self, span: Sequence[_Word]) -> bool:
        """Whether the span is music vocabulary or everyday English: every word a lexicon,
        everyday or filler word, or a common word of English-language titles."""
        return all(
            w.norm in EVERYDAY_WORDS
            or (w.norm,) in LEXICON
            or w.norm in _NEVER_ALONE
            or w.norm in self._plain_common
            for w in span
        )

    def _prominent(self, artist: int) -> bool:
        return (
            int(self._a["artist_popularity"][artist]) / POPULARITY_SCALE >= _PROMINENT_POPULARITY
            and int(self._a["artist_tracks"][artist]) >= _PROMINENT_TRACKS
        )


_shared: DatasetKnowledge | None = None
_shared_lock = threading.Lock()


def shared_knowledge() -> DatasetKnowledge:
    """The packaged knowledge, loaded once per process (read-only, shared by every app)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = DatasetKnowledge()
        return _shared

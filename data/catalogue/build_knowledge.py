"""Build the shipped knowledge pack from the public "Spotify Tracks Dataset".

Run by hand when the source changes (see ``data/catalogue/SOURCE.md``)::

    python -m data.catalogue.build_knowledge /work/shared/data/spotify_tracks.csv

It writes ``data/catalogue/dataset.npz``: numpy arrays only (no pickles), byte for
byte the same from the same input, read by ``data.catalogue.knowledge`` and
``data.catalogue.demo``:

* every distinct track (89,740): Spotify id, quantised features, artists, genres, and
  a song key (normalised title without version marker + primary artist);
* every artist: genre distribution, scene, median sound, popularity, track count and
  the ~15 most similar artists;
* the words too common in titles to be taken for an artist's name on their own, and the
  distinctive album titles that name an artist ("OK Computer" -> Radiohead);
* the demo catalogue (the 723 most popular tracks of each genre, 67,020 tracks): titles,
  albums, durations and its word index (``data.catalogue.pack_arrays``).
"""

from __future__ import annotations

import argparse
import io
import math
import sys
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from core.text import normalise
from core.vocabulary.genres import CATALOGUE_GENRES
from core.vocabulary.scenes import SCENES, scene_of_genre
from data.catalogue.pack_arrays import Arrays, csr, lines, lines_array, search_arrays, track_arrays
from data.catalogue.pack_format import (
    FORMAT_VERSION,
    POPULARITY_SCALE,
    SHARE_SCALE,
    UNIT_FEATURES,
    UNIT_SCALE,
)
from data.catalogue.scene_text import NONE, SceneTextModel, artist_text_scores, text_tokens
from data.catalogue.source import SourceTrack, read_source
from data.catalogue.text_keys import base_title, song_key

OUTPUT = Path(__file__).with_name("dataset.npz")
SIMILAR = 15  # neighbours kept per artist
_TOP_TRACKS = 3  # an artist's popularity is the mean of their most popular tracks
# The demo catalogue keeps the most popular tracks of each genre: 723 is the cap it has
# shipped with since the 4 MiB CSV (67,020 tracks), kept so searches answer as before.
DEMO_PER_GENRE = 723

# Scene decision (see ``_decide_scene``).
_LABEL_MAJORITY = 0.5  # share of an artist's tracks carrying the scene's labels
_SOUND_MAJORITY = 0.35  # share carrying one sound (non-regional) label
_TEXT_SCENE_LEAD = 0.3  # mean evidence of a scene over "no scene" that makes it clear
_TEXT_NONE_LEAD = 0.2  # and of "no scene" over the labels' scene
_TEXT_MIN_TEXTS = 2  # texts that said anything
_INSTRUMENTAL = 0.5  # median instrumentalness of an artist without words

# A word used in the titles of this many distinct artists is an everyday word there.
_COMMON_WORD_ARTISTS = 12
# An album title names its artist when it is this distinctive and popular.
_ALBUM_MIN_WORDS = 2
_ALBUM_MIN_POPULARITY = 45
_COMPILATION_WORDS = frozenset(
    "greatest hits best collection anthology essential essentials vol volume edition "
    "deluxe remastered remaster live soundtrack original motion picture ost compilation "
    "mix playlist songs music hits".split()
)


@dataclass(frozen=True, slots=True)
class _Artists:
    """Artists (sorted by name) and, per track, the indices of its credited artists."""

    names: list[str]
    index: dict[str, int]
    of_track: list[list[int]]


def _artists(tracks: Sequence[SourceTrack]) -> _Artists:
    names = sorted({a for t in tracks for a in t.artists})
    index = {name: k for k, name in enumerate(names)}
    return _Artists(names, index, [[index[a] for a in t.artists] for t in tracks])


def _tracks_by_artist(artists: _Artists) -> list[list[int]]:
    members: list[list[int]] = [[] for _ in artists.names]
    for i, credited in enumerate(artists.of_track):
        for a in dict.fromkeys(credited):
            members[a].append(i)
    return members


def _genre_counts(tracks: Sequence[SourceTrack], members: list[list[int]]) -> npt.NDArray[np.float64]:
    """(artists, genres): how many of each artist's tracks carry each genre."""
    position = {g: k for k, g in enumerate(CATALOGUE_GENRES)}
    counts = np.zeros((len(members), len(CATALOGUE_GENRES)), dtype=np.float64)
    for a, own in enumerate(members):
        for i in own:
            for genre in tracks[i].genres:
                counts[a, position[genre]] += 1
    return counts


def _track_scene_labels(track: SourceTrack) -> set[str]:
    return {s for s in (scene_of_genre(g) for g in track.genres) if s is not None}


def _label_shares(tracks: Sequence[SourceTrack], own: list[int]) -> dict[str, float]:
    """Per scene, the share of the artist's tracks carrying one of its labels; ``NONE``:
    the share carrying no regional label."""
    counts: Counter[str] = Counter()
    for i in own:
        scenes = _track_scene_labels(tracks[i])
        counts.update(scenes or {NONE})
    return {scene: n / len(own) for scene, n in counts.items()}


def _sound_share(tracks: Sequence[SourceTrack], own: list[int]) -> float:
    """The largest share of the artist's tracks carrying one sound (non-regional) label."""
    counts: Counter[str] = Counter()
    for i in own:
        counts.update(g for g in tracks[i].genres if scene_of_genre(g) is None)
    return max(counts.values(), default=0) / len(own)


def _artist_texts(tracks: Sequence[SourceTrack], own: list[int]) -> list[str]:
    """What an artist's language shows in: their titles and album names."""
    return [text for i in own for text in (tracks[i].title, tracks[i].album)]


def _name_words(name: str) -> frozenset[str]:
    """The words of an artist's name, left out of their texts ("ABBA Gold" says "Gold")."""
    return frozenset(text_tokens(name))


# Scenes whose labels hold much music of other languages ("k-pop" holds Tamil film
# songs, "j-pop" English jazz): their titles teach the first round only when written
# in the scene's own script.
_SCRIPT_OF_SCENE: Mapping[str, frozenset[str]] = {
    "k-pop": frozenset({"<hangul>"}),
    "j-pop": frozenset({"<kana>", "<han>"}),
    "mandopop": frozenset({"<han>"}),
    "cantopop": frozenset({"<han>"}),
}


def _first_round_examples(track: SourceTrack) -> list[tuple[str, list[str]]]:
    """The track's texts as examples of its one regional label, or of no scene.

    A track under a regional label *and* a sound label (Norah Jones under "jazz" and
    "j-pop") or under two scenes is no clean example of anything.
    """
    regional = _track_scene_labels(track)
    sounds = [g for g in track.genres if scene_of_genre(g) is None]
    if len(regional) + (1 if sounds else 0) != 1:
        return []
    label = next(iter(regional), NONE)
    skip = frozenset().union(*(_name_words(a) for a in track.artists))
    tokens = [text_tokens(text, skip) for text in (track.title, track.album)]
    script = _SCRIPT_OF_SCENE.get(label)
    if script is not None and not any(script & set(t) for t in tokens):
        return []
    return [(label, t) for t in tokens]


# Country labels that also hold the country's English-language pop, dance producers and
# film composers (ABBA, Zedd, Robin Schulz, M83, Hans Zimmer): they make a scene only
# when the titles are in the country's language.
_LANGUAGE_CHECKED = frozenset({"french", "german", "swedish", "spanish"})


@dataclass(frozen=True, slots=True)
class _Verdict:
    """An artist's scene and whether their texts support it (examples for round 2)."""

    scene: str
    supported: bool


def _decide_scene(
    labels: Mapping[str, float],
    sound_share: float,
    scores: Mapping[str, float],
    texts: int,
    instrumental: bool,
) -> _Verdict:
    """An artist's scene from their labels and the language of their texts.

    * Music without words belongs to no language scene (Bach and Hans Zimmer under
      "german"); sung Carnatic music under "classical" keeps its scene.
    * Texts clearly in a scene's language decide (Sertab Erener under "jazz" and "j-pop"
      writes in Turkish; Yuvan Shankar Raja under "k-pop" in Tamil; Joan Sebastian
      under "r-n-b" in Spanish), unless the labels' own scene reads almost as well
      (close languages: the labels choose).
    * Otherwise a majority of regional labels decides, unless the texts read as no
      scene and either the label is a country's (``_LANGUAGE_CHECKED``) or the artist
      also carries a sound label widely: Norah Jones (English, "jazz") under "j-pop" and
      Jack Harlow (English, "hip-hop") under "k-pop" are no scene; BTS (only "k-pop",
      English titles) stays k-pop.
    """
    if instrumental:
        return _Verdict(NONE, False)
    label_scene = max((s for s in labels if s != NONE), key=lambda s: (labels[s], s), default=NONE)
    if labels.get(label_scene, 0.0) < _LABEL_MAJORITY:
        label_scene = NONE
    said = texts >= _TEXT_MIN_TEXTS
    none_score = scores.get(NONE, 0.0)
    best = max(SCENES, key=lambda s: (scores[s], s))
    if said and scores[best] - none_score >= _TEXT_SCENE_LEAD:
        if label_scene != NONE and scores[label_scene] >= scores[best] - _TEXT_SCENE_LEAD:
            return _Verdict(label_scene, True)
        return _Verdict(best, True)
    if label_scene == NONE:
        return _Verdict(NONE, said and none_score > scores[best])
    reads_as_none = said and none_score - scores[label_scene] >= _TEXT_NONE_LEAD
    if reads_as_none and (label_scene in _LANGUAGE_CHECKED or sound_share >= _SOUND_MAJORITY):
        return _Verdict(NONE, True)
    return _Verdict(label_scene, False)


def _scenes(
    tracks: Sequence[SourceTrack],
    names: Sequence[str],
    members: list[list[int]],
    instrumental: Sequence[bool],
) -> list[str]:
    """Every artist's scene ("" for none), in two rounds of the text model (see module)."""
    labels = [_label_shares(tracks, own) for own in members]
    sound = [_sound_share(tracks, own) for own in members]
    texts = [_artist_texts(tracks, own) for own in members]
    skips = [_name_words(name) for name in names]
    # Round 1: each text is an example of its track's regional label (or of no scene).
    documents = [example for track in tracks for example in _first_round_examples(track)]
    verdicts = _assign(SceneTextModel(documents), labels, sound, texts, skips, instrumental)
    # Round 2: each text is an example of its artist's scene where their texts support
    # it: Punjabi titles filed under "hip-hop" no longer teach "no scene".
    documents = [
        (verdicts[a].scene, text_tokens(text, skips[a]))
        for a in range(len(members))
        if verdicts[a].supported
        for text in dict.fromkeys(texts[a])
    ]
    verdicts = _assign(SceneTextModel(documents), labels, sound, texts, skips, instrumental)
    return [v.scene for v in verdicts]


def _assign(
    model: SceneTextModel,
    labels: list[dict[str, float]],
    sound: list[float],
    texts: list[list[str]],
    skips: list[frozenset[str]],
    instrumental: Sequence[bool],
) -> list[_Verdict]:
    out: list[_Verdict] = []
    for a in range(len(labels)):
        scores, counted = artist_text_scores(model, texts[a], skips[a])
        for scene in SCENES:
            scores.setdefault(scene, -math.inf)
        out.append(_decide_scene(labels[a], sound[a], scores, counted, instrumental[a]))
    return out


def _song_keys(tracks: Sequence[SourceTrack]) -> dict[str, npt.NDArray[np.generic]]:
    """Song keys sorted, each with the most popular track of that song (ties by id)."""
    best: dict[int, int] = {}
    for i, track in enumerate(tracks):
        key = song_key(track.title, track.artist)
        held = best.get(key)
        if held is None or tracks[held].popularity < track.popularity:
            best[key] = i  # tracks are in id order: the first of equals is kept
    keys = np.array(sorted(best), dtype=np.int64)
    return {
        "song_keys": keys,
        "song_track": np.array([best[int(k)] for k in keys], dtype=np.int32),
    }


def _medians(arrays: Arrays, members: list[list[int]]) -> Arrays:
    """Each artist's typical sound: the median of each feature over their tracks."""
    unit = arrays["track_unit"].astype(np.float64)
    tempo = arrays["track_tempo"].astype(np.float64)
    tempo[tempo == 0] = np.nan
    loudness = arrays["track_loudness"].astype(np.float64)
    key = arrays["track_key"].astype(np.int64)
    mode = arrays["track_mode"].astype(np.int64)
    out_unit = np.zeros((len(members), unit.shape[1]), dtype=np.uint16)
    out_tempo = np.zeros(len(members), dtype=np.uint32)
    out_loud = np.zeros(len(members), dtype=np.int16)
    out_key = np.full(len(members), -1, dtype=np.int8)
    out_mode = np.zeros(len(members), dtype=np.int8)
    for a, own in enumerate(members):
        rows = np.array(own)
        out_unit[a] = np.round(np.median(unit[rows], axis=0)).astype(np.uint16)
        known = tempo[rows][~np.isnan(tempo[rows])]
        out_tempo[a] = round(float(np.median(known))) if len(known) else 0
        out_loud[a] = round(float(np.median(loudness[rows])))
        keys = np.bincount(key[rows][key[rows] >= 0], minlength=12)
        out_key[a] = int(np.argmax(keys)) if keys.any() else -1
        out_mode[a] = 1 if mode[rows].mean() >= 0.5 else 0
    return {
        "artist_unit": out_unit,
        "artist_tempo": out_tempo,
        "artist_loudness": out_loud,
        "artist_key": out_key,
        "artist_mode": out_mode,
    }


def _similar(
    shares: npt.NDArray[np.float64],
    scenes: Sequence[str],
    sound: npt.NDArray[np.float64],
    popularity: npt.NDArray[np.float64],
    tracks: npt.NDArray[np.float64],
    co_credits: Sequence[Counter[int]],
) -> npt.NDArray[np.signedinteger[Any]]:
    """The ``SIMILAR`` nearest artists of each artist (-1 padded), best first.

    Score: cosine of the genre distributions, plus a bonus for artists credited on the
    same tracks, minus the distance of their typical sound, plus a little for
    popularity and catalogue presence (a neighbour a listener can place); an artist of
    another scene is never a neighbour.
    """
    count = len(scenes)
    norms = np.linalg.norm(shares, axis=1)
    unit_shares = (shares / np.maximum(norms, 1e-9)[:, None]).astype(np.float32)
    sound32 = sound.astype(np.float32)
    prominence = (0.15 * popularity / 100 + 0.05 * np.minimum(tracks, 10) / 10).astype(np.float32)
    scene_ids = np.unique(np.array(scenes), return_inverse=True)[1]
    out = np.full((count, SIMILAR), -1, dtype=np.int16 if count < 2**15 else np.int32)
    chunk = 512
    for start in range(0, count, chunk):
        stop = min(count, start + chunk)
        score = unit_shares[start:stop] @ unit_shares.T
        distance = np.abs(sound32[start:stop, None, :] - sound32[None, :, :]).mean(axis=2)
        score -= distance
        score += prominence[None, :]
        for row, a in enumerate(range(start, stop)):
            for b, n in co_credits[a].items():
                score[row, b] += min(0.5, 0.2 * n)
        score[scene_ids[start:stop, None] != scene_ids[None, :]] = -np.inf
        score[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        top = np.argpartition(-score, SIMILAR, axis=1)[:, :SIMILAR]
        for row in range(stop - start):
            picked = top[row][np.isfinite(score[row, top[row]])]
            order = sorted(picked.tolist(), key=lambda b: (-score[row, b], b))
            out[start + row, : len(order)] = order
    return out


def _common_words(tracks: Sequence[SourceTrack]) -> list[str]:
    """Normalised words found in the titles of many distinct artists, sorted."""
    users: dict[str, set[str]] = {}
    for track in tracks:
        for word in set(normalise(track.title).split()):
            users.setdefault(word, set()).add(track.artist)
    return sorted(w for w, who in users.items() if len(who) >= _COMMON_WORD_ARTISTS)


def _albums(
    tracks: Sequence[SourceTrack], artists: _Artists, common: set[str]
) -> tuple[list[str], list[int]]:
    """Distinctive album titles (normalised) and the artist each names.

    Kept: at least two words, not all common title words, no compilation words, one
    primary artist, a popular track on it; titles two artists share are dropped.
    """
    owners: dict[str, Counter[str]] = {}
    peak: Counter[str] = Counter()
    for track in tracks:
        phrase = normalise(base_title(track.album))
        words = phrase.split()
        if len(words) < _ALBUM_MIN_WORDS or _COMPILATION_WORDS & set(words):
            continue
        if all(w in common for w in words):
            continue
        owners.setdefault(phrase, Counter())[track.artist] += 1
        peak[phrase] = max(peak[phrase], track.popularity)
    phrases: list[str] = []
    owner_ids: list[int] = []
    for phrase in sorted(owners):
        if len(owners[phrase]) != 1 or peak[phrase] < _ALBUM_MIN_POPULARITY:
            continue
        (artist,) = owners[phrase]
        phrases.append(phrase)
        owner_ids.append(artists.index[artist])
    return phrases, owner_ids


def _popularity(tracks: Sequence[SourceTrack], own: list[int]) -> float:
    """An artist's popularity: the mean of their ``_TOP_TRACKS`` most popular tracks.

    The mean over every track would sink a famous artist under re-releases and
    compilation copies (Coldplay's 16 tracks average 17; their best three, 80+).
    """
    best = sorted((tracks[i].popularity for i in own), reverse=True)[:_TOP_TRACKS]
    return float(np.mean(best))


def demo_rows(tracks: Sequence[SourceTrack], per_genre: int) -> list[int]:
    """The demo catalogue's tracks: the ``per_genre`` most popular of each genre (ties by
    id; a track kept for one genre keeps all its genres), as positions in ``tracks``."""
    by_genre: dict[str, list[int]] = {}
    for i, track in enumerate(tracks):
        for genre in track.genres:
            by_genre.setdefault(genre, []).append(i)
    kept: set[int] = set()
    for members in by_genre.values():
        members.sort(key=lambda i: (-tracks[i].popularity, tracks[i].id))
        kept.update(members[:per_genre])
    return sorted(kept)


def build(source: Path, per_genre: int = DEMO_PER_GENRE) -> Arrays:
    """Every array of the pack, from the source CSV."""
    tracks = sorted(read_source(source).values(), key=lambda t: t.id)
    artists = _artists(tracks)
    members = _tracks_by_artist(artists)
    arrays = track_arrays(tracks, artists.names)
    if lines(arrays["genre_names"]) != list(CATALOGUE_GENRES):
        raise ValueError("the source's genres are not core.vocabulary.genres.CATALOGUE_GENRES")
    genre_counts = _genre_counts(tracks, members)
    track_counts = np.array([len(own) for own in members], dtype=np.float64)
    shares = genre_counts / track_counts[:, None]
    medians = _medians(arrays, members)
    instrumentalness = medians["artist_unit"].astype(np.float64)[
        :, UNIT_FEATURES.index("instrumentalness")
    ]
    instrumental = (instrumentalness >= _INSTRUMENTAL * UNIT_SCALE).tolist()
    scenes = _scenes(tracks, artists.names, members, instrumental)
    popularity = np.array([_popularity(tracks, own) for own in members], dtype=np.float64)
    co_credits: list[Counter[int]] = [Counter() for _ in members]
    for credited in artists.of_track:
        for a in set(credited):
            co_credits[a].update(b for b in set(credited) if b != a)
    sound = medians["artist_unit"].astype(np.float64) / UNIT_SCALE
    similar = _similar(shares, scenes, sound, popularity, track_counts, co_credits)

    genre_rows = []
    share_rows = []
    for a in range(len(members)):
        order = sorted(np.flatnonzero(genre_counts[a]).tolist(), key=lambda g: (-shares[a, g], g))
        genre_rows.append(order)
        share_rows.append([round(shares[a, g] * SHARE_SCALE) for g in order])
    genre_starts, genre_flat = csr(genre_rows, np.uint8)
    _, share_flat = csr(share_rows, np.uint8)
    common = _common_words(tracks)
    plain_common = _common_words([t for t in tracks if scenes[artists.index[t.artist]] == NONE])
    album_phrases, album_artists = _albums(tracks, artists, set(common))
    scene_index = {scene: k for k, scene in enumerate(SCENES)}
    return {
        "format": np.array([FORMAT_VERSION], dtype=np.int32),
        "scene_names": lines_array(SCENES),
        **arrays,
        **_song_keys(tracks),
        "artist_norm_names": lines_array([normalise(n) for n in artists.names]),
        "artist_tracks": track_counts.astype(np.uint16),
        "artist_popularity": np.round(popularity * POPULARITY_SCALE).astype(np.uint16),
        "artist_scene": np.array([scene_index.get(s, -1) for s in scenes], dtype=np.int8),
        "artist_genre_starts": genre_starts.astype(np.int32),
        "artist_genres": genre_flat,
        "artist_genre_shares": share_flat,
        **medians,
        "artist_similar": similar,
        "common_words": lines_array(common),
        "plain_common_words": lines_array(plain_common),
        "album_phrases": lines_array(album_phrases),
        "album_artists": np.array(album_artists, dtype=np.int32),
        **search_arrays(tracks, demo_rows(tracks, per_genre)),
    }


def render(arrays: Mapping[str, npt.NDArray[np.generic]]) -> bytes:
    """The arrays as an ``.npz`` (deflated, fixed timestamps): same arrays, same bytes."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            zf.writestr(info, buffer.getvalue(), compresslevel=9)
    return raw.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", type=Path, help="spotify_tracks.csv of the source dataset")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default: {OUTPUT}")
    parser.add_argument(
        "--max-per-genre",
        type=int,
        default=DEMO_PER_GENRE,
        help=f"the demo catalogue's most popular tracks per genre (default {DEMO_PER_GENRE})",
    )
    args = parser.parse_args(argv)
    arrays = build(args.source, args.max_per_genre)
    data = render(arrays)
    args.output.write_bytes(data)
    print(
        f"{args.output}: {len(data):,} bytes, {len(arrays['track_ids']):,} tracks, "
        f"{len(arrays['artist_tracks']):,} artists, {len(arrays['album_artists']):,} albums, "
        f"demo catalogue {len(arrays['demo_rows']):,} tracks",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

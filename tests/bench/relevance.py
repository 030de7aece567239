"""Benchmark: would a listener keep these playlists? (issue 17; run by hand, prints JSON)

    python tests/bench/relevance.py [--json] [--verbose] [--only NAME,GROUP,...]
                                    [--workers 2] [--dataset PATH] [--root CHECKOUT]

Runs the real command line as a new user would (``python -m bot generate --json``, then
``refine`` on the same database) in fresh temporary directories, with the fresh-clone
configuration: the bundled demo catalogue, no language model (``AI_PROVIDERS=offline``),
SQLite in the temporary directory, every other setting at its default.  Each prompt of
the evaluation set (``relevance_cases.py``) is judged against the full public dataset
(``spotify_tracks.csv``, see /work/shared/data/README.md), never against the bot's own
knowledge: this file imports nothing from bot/, core/, adapters/ or data/.

Figures per prompt, then overall against the thresholds of issue 17:

* ``features``: for each feature the prompt implies, the playlist's median as a
  percentile among the dataset's tracks of the prompt's asked genres, toward the asked
  end (``1 - p`` for "low"); ``on_side`` when above 0.5.
* ``unasked_scene_share``: tracks whose (primary) artist belongs to a regional or
  language scene the prompt did not ask for (``artist_scene``).
* ``artist_coherence``: tracks whose artist's own genre distribution substantially
  includes an asked genre or a close one (``coherent``).
* ``familiarity``: the median of the tracks' popularity percentiles (asked genres).
* ``arc``: mean absolute jump between neighbours in energy and in tempo, over the same
  tracks shuffled (mean of 200 shuffles); below 1 is smoother than chance.
* ``guarantees``: exact count, distinct ids, at most 3 per primary artist, every id in
  the dataset or the bundled catalogue.
* ``expectations``: for named artists and eras (``relevance_cases.Expect``).
* refinements: the median of the named feature before and after the feedback.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):  # run as a script: make `tests.bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.relevance_cases import CASES, REFINEMENTS, Case, Expect, Refinement

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATASET = ROOT.parent / "shared" / "data" / "spotify_tracks.csv"
FEATURES = ("energy", "valence", "danceability", "acousticness", "instrumentalness", "tempo")
DEFAULT_COUNT = 20  # DEFAULT_PLAYLIST_SIZE of a fresh clone
MAX_PER_ARTIST = 3
SHUFFLES = 200

# Regional and language labels of the dataset, grouped into the scene a listener hears.
# "pop-film" is Indian film music and "romance" Russian romance songs in this dataset;
# "british" (English-language), "world-music" (mostly Christian worship) and genres of
# Latin origin (reggaeton, salsa, tango) are not scenes: their artists get a scene from
# the regional labels they carry, if any.
SCENES: dict[str, tuple[str, ...]] = {
    "turkish": ("turkish",),
    "indian": ("indian", "pop-film"),
    "malay": ("malay",),
    "iranian": ("iranian",),
    "brazilian": ("brazil", "mpb", "sertanejo", "pagode", "forro", "samba"),
    "chinese": ("mandopop", "cantopop"),
    "korean": ("k-pop",),
    "japanese": ("j-pop", "j-rock", "j-idol", "j-dance", "anime"),
    "french": ("french",),
    "german": ("german",),
    "swedish": ("swedish",),
    "latin": ("latin", "latino", "spanish"),
    "russian": ("romance",),
}
LABEL_SCENE = {label: scene for scene, labels in SCENES.items() for label in labels}
# Scenes whose songs are often titled in English (K-pop, J-pop): an English title says
# nothing there, so only an artist at least as much of another genre is let off.
ENGLISH_TITLED_SCENES = frozenset({"korean", "japanese"})
# Language scenes whose labels also file composers and orchestras (Bach under "german"):
# an artist at least 30% classical or opera is no language scene there.
CLASSICAL_LET_OFF = frozenset({"german", "french", "swedish"})
# A name or titles in these scripts place an artist no label places (Russian rap, say).
SCRIPT_SCENES = {
    "CYRILLIC": "russian", "ARABIC": "arabic", "HEBREW": "hebrew", "GREEK": "greek",
    "DEVANAGARI": "indian", "BENGALI": "indian", "GURMUKHI": "indian", "TAMIL": "indian",
    "TELUGU": "indian", "KANNADA": "indian", "MALAYALAM": "indian", "GUJARATI": "indian",
    "HANGUL": "korean", "HIRAGANA": "japanese", "KATAKANA": "japanese", "CJK": "chinese",
    "THAI": "thai",
}

# Close labels: a family of labels a listener would accept for one another.  An asked
# label is close to every label of each family it belongs to.
FAMILIES: tuple[tuple[str, ...], ...] = (
    ("rock", "alt-rock", "alternative", "hard-rock", "grunge", "indie", "punk", "punk-rock",
     "psych-rock", "rock-n-roll", "rockabilly", "garage", "british", "emo", "power-pop", "goth"),
    ("metal", "heavy-metal", "black-metal", "death-metal", "metalcore", "grindcore", "hardcore",
     "industrial", "hard-rock"),
    ("pop", "indie-pop", "power-pop", "synth-pop", "dance", "british", "singer-songwriter"),
    ("electronic", "edm", "electro", "house", "deep-house", "chicago-house", "progressive-house",
     "techno", "detroit-techno", "minimal-techno", "trance", "dubstep", "drum-and-bass",
     "breakbeat", "idm", "club", "dance", "garage", "hardstyle", "trip-hop", "disco"),
    ("hip-hop", "hardcore", "funk", "r-n-b", "trip-hop"),
    ("soul", "r-n-b", "funk", "gospel", "disco", "groove", "blues", "jazz"),
    ("jazz", "blues", "soul", "piano"),
    ("classical", "piano", "opera", "ambient", "new-age"),
    ("ambient", "new-age", "sleep", "piano", "chill", "study", "idm"),
    ("chill", "study", "trip-hop", "indie-pop", "ambient"),
    ("folk", "acoustic", "singer-songwriter", "songwriter", "indie", "country", "bluegrass"),
    ("country", "honky-tonk", "bluegrass", "folk", "rockabilly"),
    ("latin", "latino", "reggaeton", "salsa", "tango", "spanish"),
    ("reggae", "dub", "dancehall", "ska", "reggaeton"),
    ("sad", "acoustic", "singer-songwriter", "indie", "piano"),
    ("happy", "dance", "pop", "party"),
)
COHERENT_SHARE = 0.3  # of the artist's tracks carrying an asked or close label

# Frequent words of the languages the regional labels hold (Spanish, Portuguese, German,
# French, Italian, Swedish, Turkish, Indonesian/Malay, romanised Hindi/Punjabi), none of
# them an English word: a title with one of them, or with a non-ASCII letter, is not
# English.  This tells an English-singing artist filed under a regional label (Norah
# Jones under "j-pop", Topic under "german") from one singing in the scene's language.
FOREIGN_WORDS = frozenset("""
de la que el en los las del se por un una con para mi tu te lo mas como quiero amor corazon
noche vida da das dos pra com sem nao eu voce meu minha vai tudo coracao
ich du und der das nicht ein eine mit auf dich mich mir dir wir ist zu liebe herz
le les je et pas est des mon moi toi dans qui sur amour coeur nuit
il di che non sono ti amore
och jag det att som inte min med om har vi mig dig hur
bir sen ve bu ne gibi sevda yok
aku kau dan yang di ke ini itu cinta hati kita kamu dia sayang tak untuk rindu bukan dalam hanya
aur hai mein tum dil tere tujhe mujhe pyaar ishq jaana kya na ka ki ko
""".split())


# Common English words (and those of classical work titles): an English title has one.
EN_WORDS = frozenset("""
a about after again against ain't air all alone always am an and angel another any are
around as at away baby back bad be beautiful because bed been before believe best better big
bird black blood blue body born boy boys break bright bring broken brother burn but by call
came can can't cause change chase christmas city close cold come coming control cool could
crazy cry dance dancing dark day days dead dear deep did die do does don't done down dream
dreams drink drive drunk easy end enough even ever every everything eyes face fade fall
falling far feel feeling fight find fire first five flower fly for forever forget free friend
friends from fuck funny game get getting girl girls give go god going gold gone good got
gotta great green had half hands happy hard has have he head hear heart heaven hell her here
hero hey high him his hold home hope hot house how human hurt i i'd i'll i'm i've if in
inside into is it it's its just keep kid kids kill king kiss know lady last late leave left
let lie life light like lights line little live living lonely long look looking lord lose
losing lost love lover loving mad made make man many me mean memories mind mine miss mix
money moon more morning most mother move much music must my myself name need never new next
nice night no nobody not nothing now of off oh ok old on once one only open or other our out
over own paradise party people place play please power pretty queen rain rainbow real red
remember remix ride right rise river road rock roll run running sad said same save say sea
see seen set she shine should show side sing sky sleep slow small so some someone something
sometimes song songs sorry soul sound stand star stars start stay still stone stop story
street summer sun sunshine sweet take talk tears tell than thank that the their them theme
then there these they thing things think this those three through time tired to today
together tomorrow tonight too touch town true trust try turn two under up us very wait
waiting wake walk walking wanna want war was water way we what when where while white who
whole why wild will wind wish with without woman won't world would wrong yeah year yes yet
you you're young your yours
minor major op symphony concerto sonata suite prelude fugue nocturne etude waltz variations
movement piano violin cello quartet trio mass requiem overture act part main
""".split())


# --- the dataset --------------------------------------------------------------------------
@dataclass
class Dataset:
    """The public dataset, one row per track id (genres kept as a set)."""

    ids: list[str]
    titles: list[str]
    artists: list[tuple[str, ...]]
    genres: list[frozenset[str]]
    popularity: np.ndarray
    features: dict[str, np.ndarray]
    index: dict[str, int] = field(default_factory=dict)
    by_artist: dict[str, list[int]] = field(default_factory=dict)
    by_genre: dict[str, list[int]] = field(default_factory=dict)
    _scene: dict[str, str | None] = field(default_factory=dict)
    _reference: dict[tuple[tuple[str, ...], str], np.ndarray] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str]]) -> Dataset:
        """Builds it from CSV rows (``track_id, artists, track_name, track_genre, ...``).

        The same track under several genres becomes one track with a set of genres and
        the highest popularity; rows without an artist are skipped; tempo 0 is unknown.
        """
        ids: list[str] = []
        titles: list[str] = []
        artists: list[tuple[str, ...]] = []
        genres: list[set[str]] = []
        popularity: list[float] = []
        values: dict[str, list[float]] = {f: [] for f in FEATURES}
        index: dict[str, int] = {}
        for row in rows:
            if not row["artists"]:
                continue
            at = index.get(row["track_id"])
            if at is not None:
                genres[at].add(row["track_genre"])
                popularity[at] = max(popularity[at], float(row["popularity"]))
                continue
            index[row["track_id"]] = len(ids)
            ids.append(row["track_id"])
            titles.append(row["track_name"])
            artists.append(tuple(a.strip() for a in row["artists"].split(";") if a.strip()))
            genres.append({row["track_genre"]})
            popularity.append(float(row["popularity"]))
            for f in FEATURES:
                value = float(row[f])
                values[f].append(float("nan") if f == "tempo" and value == 0 else value)
        data = cls(
            ids, titles, artists, [frozenset(g) for g in genres], np.array(popularity),
            {f: np.array(v, dtype=float) for f, v in values.items()}, index,
        )
        for i, names in enumerate(data.artists):
            for name in names:
                data.by_artist.setdefault(name, []).append(i)
            for label in data.genres[i]:
                data.by_genre.setdefault(label, []).append(i)
        return data

    @classmethod
    def load(cls, path: Path) -> Dataset:
        with path.open(newline="", encoding="utf-8") as handle:
            return cls.from_rows(csv.DictReader(handle))

    # --- artists -------------------------------------------------------------------------
    def artist_named(self, name: str) -> str | None:
        """The dataset's spelling of an artist name, matched without regard to case."""
        if name in self.by_artist:
            return name
        folded = name.casefold()
        return next((a for a in self.by_artist if a.casefold() == folded), None)

    def artist_labels(self, artist: str) -> list[frozenset[str]]:
        """The label set of each of the artist's tracks (credited in any position)."""
        return [self.genres[i] for i in self.by_artist.get(artist, [])]

    def artist_scene(self, artist: str) -> str | None:
        """The regional/language scene an artist belongs to, or None (see ``scene_of``)."""
        if artist not in self._scene:
            rows = self.by_artist.get(artist, [])
            self._scene[artist] = scene_of(
                [self.genres[i] for i in rows], [self.titles[i] for i in rows], artist
            )
        return self._scene[artist]

    def coherent(self, artist: str, asked: Sequence[str]) -> bool:
        return coherent(self.artist_labels(artist), asked)

    # --- reference distributions ---------------------------------------------------------
    def rows_of(self, labels: Sequence[str]) -> np.ndarray:
        """Rows carrying any of the labels (every row when none is given)."""
        if not labels:
            return np.arange(len(self.ids))
        found = sorted({i for label in labels for i in self.by_genre.get(label, [])})
        return np.array(found, dtype=int)

    def reference(self, labels: Sequence[str], feature: str) -> np.ndarray:
        """Sorted known values of a feature (or popularity) among the labels' tracks."""
        key = (tuple(sorted(labels)), feature)
        if key not in self._reference:
            column = self.popularity if feature == "popularity" else self.features[feature]
            values = column[self.rows_of(labels)]
            self._reference[key] = np.sort(values[~np.isnan(values)])
        return self._reference[key]

    def value(self, row: int, feature: str) -> float:
        if feature == "popularity":
            return float(self.popularity[row])
        return float(self.features[feature][row])


# --- metric functions (pure) ---------------------------------------------------------------
def close_labels(asked: Iterable[str]) -> frozenset[str]:
    """The asked labels and every label of a family one of them belongs to."""
    found = set(asked)
    for label in list(found):
        for family in FAMILIES:
            if label in family:
                found.update(family)
    return frozenset(found)


def coherent(track_labels: Sequence[frozenset[str]], asked: Sequence[str]) -> bool:
    """An artist fits the asked genres when at least ``COHERENT_SHARE`` of their tracks
    carry an asked label or a close one: one track of theirs under "jazz" does not make a
    Turkish pop singer a jazz artist; a jazz singer also filed under "blues" still fits."""
    if not track_labels:
        return False
    wanted = close_labels(asked)
    fitting = sum(1 for labels in track_labels if labels & wanted)
    return fitting / len(track_labels) >= COHERENT_SHARE


def english_looking(title: str) -> bool | None:
    """Whether a title reads as English: before any " - " or bracket, no non-ASCII letter,
    none of ``FOREIGN_WORDS`` and one of ``EN_WORDS`` at least (None: no words to judge)."""
    stem = re.split(r" - |\(|\[", title, maxsplit=1)[0].casefold()
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", stem)
    if not words:
        return None
    return (stem.isascii() and not any(w in FOREIGN_WORDS for w in words)
            and any(w in EN_WORDS for w in words))


def script_scene(texts: Iterable[str]) -> str | None:
    """The scene of a non-Latin script most letters of the texts are written in."""
    scripts: Counter[str] = Counter()
    letters = 0
    for text in texts:
        for char in text:
            if not char.isalpha():
                continue
            letters += 1
            name = unicodedata.name(char, "")
            for script, scene in SCRIPT_SCENES.items():
                if name.startswith(script):
                    scripts[scene] += 1
                    break
    if not scripts or letters == 0:
        return None
    scene, count = scripts.most_common(1)[0]
    return scene if count * 2 > letters else None


def scene_of(track_labels: Sequence[frozenset[str]], titles: Sequence[str], name: str) -> str | None:
    """The scene of an artist from their tracks' labels and titles.

    The scene whose labels at least half of the artist's tracks carry, unless the artist is
    let off it (``let_off``).  An artist no label places is placed by the script of their
    name or titles (Cyrillic: Russian), else has no scene.
    """
    per_scene: Counter[str] = Counter()
    for labels in track_labels:
        per_scene.update({LABEL_SCENE[label] for label in labels if label in LABEL_SCENE})
    if per_scene:
        scene, count = max(per_scene.items(), key=lambda item: (item[1], item[0]))
        if count * 2 >= len(track_labels) and not let_off(scene, count, track_labels, titles):
            return scene
    return script_scene([name, *titles])


def let_off(scene: str, count: int, track_labels: Sequence[frozenset[str]], titles: Sequence[str]) -> bool:
    """Whether an artist mostly under a scene's labels is an outsider filed there.

    * At least half of their titles read as English (``english_looking``) and, for K-pop
      and J-pop (often titled in English), at least as many of their tracks carry another
      label: Norah Jones is filed under "j-pop" as often as under "jazz" but sings in
      English; Yura Yunita, under the same two labels, sings in Indonesian; BTS is not let
      off.
    * Composers and orchestras, at least 30% classical or opera, are let off the European
      language labels (``CLASSICAL_LET_OFF``): Bach under "german".
    """
    judged = [e for e in map(english_looking, titles) if e is not None]
    if judged and sum(judged) * 2 >= len(judged):
        other = sum(1 for labels in track_labels if any(lb not in LABEL_SCENE for lb in labels))
        if scene not in ENGLISH_TITLED_SCENES or other >= count:
            return True
    classical = sum(1 for labels in track_labels if labels & {"classical", "opera"})
    return scene in CLASSICAL_LET_OFF and classical * 10 >= 3 * len(track_labels)


def percentile_toward(value: float, reference: np.ndarray, direction: str) -> float:
    """Where a value sits among sorted reference values (ties count half), 0..1, toward
    the asked end: 1 is the top of the genre for "high", the bottom for "low"."""
    if len(reference) == 0 or value != value:  # NaN: unknown
        return float("nan")
    below = int(np.searchsorted(reference, value, side="left"))
    at_or_below = int(np.searchsorted(reference, value, side="right"))
    p = (below + at_or_below) / 2 / len(reference)
    return p if direction == "high" else 1 - p


def known_median(values: Iterable[float]) -> float:
    """The median of the known values (NaN when none is known)."""
    known = [v for v in values if v == v]
    return statistics.median(known) if known else float("nan")


def roughness(values: Sequence[float]) -> float:
    """Mean absolute jump between neighbours, over the known values in order."""
    known = [v for v in values if v == v]
    if len(known) < 2:
        return float("nan")
    return sum(abs(b - a) for a, b in itertools.pairwise(known)) / (len(known) - 1)


def arc_roughness(series: Mapping[str, Sequence[float]], shuffles: int = SHUFFLES,
                  seed: int = 17) -> dict[str, float]:
    """Each series' roughness, the mean roughness of the same values shuffled, and their
    ratio (below 1: smoother than chance); ``ratio`` is the mean of the series' ratios."""
    rng = random.Random(seed)
    out: dict[str, float] = {}
    ratios: list[float] = []
    for name, values in series.items():
        actual = roughness(values)
        shuffled: list[float] = []
        for _ in range(shuffles):
            copy = list(values)
            rng.shuffle(copy)
            shuffled.append(roughness(copy))
        baseline = statistics.fmean(shuffled) if shuffled else float("nan")
        out[name] = round(actual, 4)
        out[f"{name}_shuffled"] = round(baseline, 4)
        if actual == actual and baseline == baseline and baseline > 0:
            ratios.append(actual / baseline)
    out["ratio"] = round(statistics.fmean(ratios), 3) if ratios else float("nan")
    return out


def guarantees(ids: Sequence[str], primaries: Sequence[str], requested: int | None,
               known: Collection[str], expected_count: int = DEFAULT_COUNT) -> dict[str, bool]:
    """The existing guarantees of every playlist."""
    per_artist = Counter(a.casefold() for a in primaries)
    return {
        "exact_count": len(ids) == expected_count and requested in (None, expected_count),
        "distinct_ids": len(set(ids)) == len(ids),
        "max_3_per_artist": max(per_artist.values(), default=0) <= MAX_PER_ARTIST,
        "ids_known": all(i in known for i in ids),
    }


def moved(before: float, after: float, direction: str) -> bool:
    """Whether a median moved (strictly) the asked way."""
    if before != before or after != after:
        return False
    return after > before if direction == "high" else after < before


# --- running the bot ------------------------------------------------------------------------
@dataclass
class Run:
    """One command-line run."""

    rc: int
    out: str
    err: str
    seconds: float

    def playlist(self) -> dict[str, Any] | None:
        if self.rc != 0:
            return None
        try:
            body = json.loads(self.out)
        except json.JSONDecodeError:
            return None
        return body if isinstance(body, dict) else None


def setting_names(root: Path) -> set[str]:
    """Every setting the bot reads, from its documented ``.env.sample`` (not imported)."""
    sample = root / ".env.sample"
    if not sample.is_file():
        return set()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", sample.read_text(encoding="utf-8"), re.M))


def bot_env(root: Path, workdir: Path, extra: Mapping[str, str]) -> dict[str, str]:
    """A fresh clone's environment: no setting inherited, demo catalogue, no model."""
    names = setting_names(root)
    env = {k: v for k, v in os.environ.items() if k not in names}
    env.update({
        "PYTHONPATH": str(root), "DATABASE_FILENAME": str(workdir / "echotuner.db"),
        "CATALOGUE": "demo", "AI_PROVIDERS": "offline", "LOG_LEVEL": "WARNING",
    })
    env.update(extra)
    return env


def run_bot(python: str, root: Path, workdir: Path, args: Sequence[str],
            extra: Mapping[str, str], timeout: float = 300) -> Run:
    start = time.perf_counter()
    done = subprocess.run(
        [python, "-m", "bot", *args], cwd=workdir, env=bot_env(root, workdir, extra),
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr, time.perf_counter() - start)


@dataclass(frozen=True)
class Runner:
    python: str
    root: Path
    extra: Mapping[str, str]

    def generate(self, prompt: str) -> Run:
        with tempfile.TemporaryDirectory(prefix="relevance-") as tmp:
            return run_bot(self.python, self.root, Path(tmp), ["generate", "--json", prompt], self.extra)

    def refine(self, prompt: str, feedback: str) -> tuple[Run, Run | None]:
        """Generates, then refines that draft in the same directory and database."""
        with tempfile.TemporaryDirectory(prefix="relevance-") as tmp:
            first = run_bot(self.python, self.root, Path(tmp), ["generate", "--json", prompt], self.extra)
            body = first.playlist()
            if body is None:
                return first, None
            second = run_bot(self.python, self.root, Path(tmp),
                             ["refine", str(body["draft_id"]), feedback, "--json"], self.extra)
            return first, second


# --- judging ----------------------------------------------------------------------------------
@dataclass
class Judge:
    """Judges the bot's answers against the dataset."""

    data: Dataset
    catalogue_ids: frozenset[str]

    def known(self, track_id: str) -> bool:
        """Whether an id is a real track: in the dataset or the bundled catalogue."""
        return track_id in self.data.index or track_id in self.catalogue_ids

    def rows(self, playlist: Mapping[str, Any]) -> list[int | None]:
        return [self.data.index.get(t["id"]) for t in playlist["tracks"]]

    def primary(self, track: Mapping[str, Any], row: int | None) -> str:
        if row is not None:
            return self.data.artists[row][0]
        return str(track.get("artist") or "")

    def credited(self, row: int | None) -> tuple[str, ...]:
        return self.data.artists[row] if row is not None else ()

    def feature_figures(self, rows: Sequence[int | None], labels: Sequence[str],
                        features: Sequence[tuple[str, str]]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for feature, direction in features:
            median = known_median(self.data.value(r, feature) for r in rows if r is not None)
            p = percentile_toward(median, self.data.reference(labels, feature), direction)
            out[feature] = {"direction": direction, "median": round(median, 4),
                            "percentile": round(p, 3), "on_side": p > 0.5}
        return out

    def scene_figures(self, playlist: Mapping[str, Any], asked: Sequence[str]) -> dict[str, Any]:
        tracks = playlist["tracks"]
        leaks: list[str] = []
        matched = 0
        for track, row in zip(tracks, self.rows(playlist), strict=True):
            artist = self.primary(track, row)
            scene = self.data.artist_scene(artist)
            labels = self.data.genres[row] if row is not None else frozenset()
            if scene is not None and scene not in asked:
                leaks.append(f"{artist} ({scene})")
            if scene in asked or any(LABEL_SCENE.get(label) in asked for label in labels):
                matched += 1
        out: dict[str, Any] = {
            "unasked_scene_share": round(len(leaks) / len(tracks), 3) if tracks else 0.0,
            "unasked_scene_tracks": leaks,
        }
        if asked:
            out["asked_scene_share"] = round(matched / len(tracks), 3) if tracks else 0.0
        return out

    def coherence(self, playlist: Mapping[str, Any], labels: Sequence[str]) -> tuple[int, int]:
        """(coherent tracks, judged tracks); nothing is judged without asked genres."""
        if not labels:
            return 0, 0
        good = sum(self.data.coherent(self.primary(t, r), labels)
                   for t, r in zip(playlist["tracks"], self.rows(playlist), strict=True))
        return good, len(playlist["tracks"])

    def familiarity(self, rows: Sequence[int | None], labels: Sequence[str]) -> float:
        reference = self.data.reference(labels, "popularity")
        return known_median(percentile_toward(self.data.value(r, "popularity"), reference, "high")
                            for r in rows if r is not None)

    def arc(self, rows: Sequence[int | None]) -> dict[str, float]:
        known = [r for r in rows if r is not None]
        return arc_roughness({
            "energy": [self.data.value(r, "energy") for r in known],
            "tempo": [self.data.value(r, "tempo") for r in known],
        })

    def guarantee_figures(self, playlist: Mapping[str, Any]) -> dict[str, bool]:
        rows = self.rows(playlist)
        ids = [t["id"] for t in playlist["tracks"]]
        primaries = [self.primary(t, r) for t, r in zip(playlist["tracks"], rows, strict=True)]
        known = {i for i in ids if self.known(i)}
        return guarantees(ids, primaries, playlist.get("requested_count"), known)

    def expectation(self, expect: Expect, run: Run) -> dict[str, Any]:
        playlist = run.playlist()
        rows = self.rows(playlist) if playlist else []
        out: dict[str, Any] = {"kind": expect.kind, "artist": expect.artist or None}
        if expect.kind == "missing":
            text = (run.err + " " + str((playlist or {}).get("note") or "")).casefold()
            in_data = self.data.artist_named(expect.artist) is not None
            out.update(in_dataset=in_data, named=expect.artist.casefold() in text,
                       ok=not in_data and expect.artist.casefold() in text)
            return out
        if playlist is None:
            out.update(ok=False, reason="no playlist")
            return out
        n = len(rows)
        if expect.kind == "era":
            wanted = {a.casefold() for a in expect.artists}
            avoid = {a.casefold() for a in expect.avoid}
            hits = sum(any(a.casefold() in wanted for a in self.credited(r)) for r in rows)
            bad = sorted({a for r in rows for a in self.credited(r) if a.casefold() in avoid})
            share = hits / n if n else 0.0
            out.update(share=round(share, 3), avoided_present=bad,
                       ok=share >= expect.min_share and not bad)
            return out
        name = self.data.artist_named(expect.artist) or expect.artist
        own = [r for r in rows if r is not None and name in self.credited(r)]
        available = sum(1 for i in self.data.by_artist.get(name, [])
                        if self.data.ids[i] in self.catalogue_ids)
        out.update(own_tracks=len(own), in_catalogue=available)
        if expect.kind == "like":
            out.update(ok=n > 0 and len(own) <= MAX_PER_ARTIST)
        elif expect.kind == "includes":
            out.update(ok=len(own) >= min(expect.min_tracks, available))
        elif expect.kind == "deep_cuts":
            theirs = known_median(self.data.popularity[i] for i in self.data.by_artist.get(name, []))
            chosen = known_median(self.data.popularity[r] for r in own)
            out.update(their_median_popularity=theirs, chosen_median_popularity=chosen,
                       ok=len(own) >= min(expect.min_tracks, available) and chosen < theirs)
        else:
            out.update(ok=False, reason=f"unknown kind {expect.kind}")
        return out

    def track_lines(self, playlist: Mapping[str, Any], case_labels: Sequence[str],
                    features: Sequence[str]) -> list[str]:
        """One line per track, for --verbose."""
        lines = []
        for track, row in zip(playlist["tracks"], self.rows(playlist), strict=True):
            artist = self.primary(track, row)
            labels = ",".join(sorted(self.data.genres[row])) if row is not None else "?"
            values = "" if row is None else " ".join(
                f"{f}={self.data.value(row, f):.2f}" for f in features)
            lines.append(
                f"  {artist} | {track['title']} | {labels} | scene={self.data.artist_scene(artist)} "
                f"| coherent={self.data.coherent(artist, case_labels) if case_labels else '-'} | {values}"
            )
        return lines


def judge_case(judge: Judge, case: Case, run: Run) -> dict[str, Any]:
    playlist = run.playlist()
    out: dict[str, Any] = {"name": case.name, "group": case.group, "prompt": case.prompt,
                           "seconds": round(run.seconds, 3), "implies_features": bool(case.features)}
    refusal_ok = any(e.kind == "missing" for e in case.expect)
    out["expectations"] = [judge.expectation(e, run) for e in case.expect]
    if playlist is None:
        out.update(refused=True, message=(run.err.strip().splitlines() or [""])[-1],
                   ok=refusal_ok and all(e["ok"] for e in out["expectations"]))
        return out
    rows = judge.rows(playlist)
    features = judge.feature_figures(rows, case.genres, case.features)
    good, judged = judge.coherence(playlist, case.genres)
    out.update(refused=False, count=len(rows), features=features,
               all_on_side=all(f["on_side"] for f in features.values()) if features else None)
    out.update(judge.scene_figures(playlist, case.scenes))
    out.update(
        artist_coherence=round(good / judged, 3) if judged else None,
        coherent_tracks=good, judged_tracks=judged,
        familiarity=round(judge.familiarity(rows, case.genres), 3),
        arc=judge.arc(rows), guarantees=judge.guarantee_figures(playlist),
        note=playlist.get("note"),
    )
    checks = [
        out["all_on_side"] is not False,
        out["unasked_scene_share"] <= 0.10,
        out["artist_coherence"] is None or out["artist_coherence"] >= 0.8,
        all(out["guarantees"].values()),
        all(e["ok"] for e in out["expectations"]),
        "asked_scene_share" not in out or out["asked_scene_share"] >= 0.8,
    ]
    out["ok"] = all(checks)
    return out


def judge_refinement(judge: Judge, ref: Refinement, first: Run, second: Run | None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": ref.name, "prompt": ref.prompt, "feedback": ref.feedback,
                           "feature": ref.feature, "direction": ref.direction}
    before = first.playlist()
    after = second.playlist() if second is not None else None
    if before is None or after is None:
        failed = first if before is None else second
        message = (failed.err.strip().splitlines() or [""])[-1] if failed is not None else ""
        out.update(ok=False, moved=False, message=message)
        return out
    rows_before, rows_after = judge.rows(before), judge.rows(after)
    b = known_median(judge.data.value(r, ref.feature) for r in rows_before if r is not None)
    a = known_median(judge.data.value(r, ref.feature) for r in rows_after if r is not None)
    reference = judge.data.reference(ref.genres, ref.feature)
    good, judged = judge.coherence(after, ref.genres)
    ids_before = {t["id"] for t in before["tracks"]}
    out.update(
        before=round(b, 4), after=round(a, 4),
        percentile_before=round(percentile_toward(b, reference, ref.direction), 3),
        percentile_after=round(percentile_toward(a, reference, ref.direction), 3),
        moved=moved(b, a, ref.direction),
        changed_tracks=sum(t["id"] not in ids_before for t in after["tracks"]),
        artist_coherence_after=round(good / judged, 3) if judged else None,
        guarantees_after=judge.guarantee_figures(after),
        seconds=round(first.seconds + second.seconds if second else first.seconds, 3),
    )
    out.update({f"{k}_after": v for k, v in judge.scene_figures(after, ref.scenes).items()})
    out["kept"] = (out["unasked_scene_share_after"] <= 0.10
                   and (out["artist_coherence_after"] is None or out["artist_coherence_after"] >= 0.8))
    out["ok"] = out["moved"] and all(out["guarantees_after"].values())
    return out


# --- the overall figures ---------------------------------------------------------------------
def threshold(value: float | None, limit: float, at_least: bool) -> dict[str, Any]:
    """A figure against its limit; ``pass`` is None when nothing was measured (``--only``)."""
    if value is None or value != value:
        return {"value": None, "limit": limit, "pass": None}
    return {"value": value, "limit": limit, "pass": value >= limit if at_least else value <= limit}


def thresholds(figures: Mapping[str, Any], refinements: Sequence[Mapping[str, Any]],
               solo_s: float | None) -> dict[str, dict[str, Any]]:
    """Issue 17's limits, each with its figure and whether it passes."""
    return {
        "median_feature_percentile>=0.70": threshold(figures["median_feature_percentile"], 0.70, True),
        "all_on_side_share>=0.80": threshold(figures["all_on_side_share"], 0.80, True),
        "unasked_scene_share<=0.05": threshold(figures["unasked_scene_share"], 0.05, False),
        "max_unasked_scene_share<=0.10": threshold(figures["max_unasked_scene_share"], 0.10, False),
        "artist_coherence>=0.80": threshold(figures["artist_coherence"], 0.80, True),
        "every_refinement_moved": {"value": figures["refinements_moved"], "pass":
                                   all(r["moved"] for r in refinements) if refinements else None},
        "guarantees_held": {"value": figures["guarantees_held"], "pass": figures["guarantees_held"]},
        "no_refusals": {"value": figures["refused"], "pass": not figures["refused"]},
        "cli_generate_solo_s<2": threshold(solo_s, 2.0, False),
    }


def extra_checks(figures: Mapping[str, Any], made: Sequence[Mapping[str, Any]],
                 refinements: Sequence[Mapping[str, Any]], expectations: Sequence[bool]) -> dict[str, Any]:
    """This benchmark's own checks beyond the issue's numbers (not in the overall pass)."""
    return {
        "named_artist_and_era_expectations": {"value": figures["expectations_met"],
                                              "pass": all(expectations)},
        "asked_scene_share>=0.80_each": {
            "value": {p["name"]: p["asked_scene_share"] for p in made if "asked_scene_share" in p},
            "pass": all(p["asked_scene_share"] >= 0.8 for p in made if "asked_scene_share" in p),
        },
        "refinements_kept_scene_and_genres": {"value": figures["refinements_kept_scene_and_genres"],
                                              "pass": all(r.get("kept") for r in refinements)},
    }


def summarise(prompts: Sequence[Mapping[str, Any]], refinements: Sequence[Mapping[str, Any]],
              solo_s: float | None) -> dict[str, Any]:
    made = [p for p in prompts if not p["refused"]]
    percentiles = [f["percentile"] for p in made for f in p["features"].values()
                   if f["percentile"] == f["percentile"]]
    # A prompt that implies features and got no playlist has none on the asked side.
    on_side = [p.get("all_on_side") is True for p in prompts if p["implies_features"]]
    tracks = sum(p["count"] for p in made)
    leaks = sum(len(p["unasked_scene_tracks"]) for p in made)
    good = sum(p["coherent_tracks"] for p in made)
    judged = sum(p["judged_tracks"] for p in made)
    times = [p["seconds"] for p in prompts]
    arcs = [p["arc"]["ratio"] for p in made if p["arc"]["ratio"] == p["arc"]["ratio"]]
    expectations = [e["ok"] for p in prompts for e in p["expectations"]]
    refused = [p["name"] for p in prompts if p["refused"] and not any(
        e["kind"] == "missing" for e in p["expectations"])]
    figures: dict[str, Any] = {
        "prompts": len(prompts), "playlists": len(made), "refused": refused,
        "median_feature_percentile": round(statistics.median(percentiles), 3) if percentiles else None,
        "mean_feature_percentile": round(statistics.fmean(percentiles), 3) if percentiles else None,
        "all_on_side_share": round(sum(on_side) / len(on_side), 3) if on_side else None,
        "unasked_scene_share": round(leaks / tracks, 3) if tracks else None,
        "max_unasked_scene_share": max((p["unasked_scene_share"] for p in made), default=None),
        "artist_coherence": round(good / judged, 3) if judged else None,
        "median_familiarity": round(statistics.median(p["familiarity"] for p in made), 3) if made else None,
        "median_arc_ratio": round(statistics.median(arcs), 3) if arcs else None,
        "refinements_moved": f"{sum(r['moved'] for r in refinements)}/{len(refinements)}",
        "refinements_kept_scene_and_genres":
            f"{sum(bool(r.get('kept')) for r in refinements)}/{len(refinements)}",
        "guarantees_held": all(all(p["guarantees"].values()) for p in made)
        and all(all(r["guarantees_after"].values()) for r in refinements if "guarantees_after" in r),
        "expectations_met": f"{sum(expectations)}/{len(expectations)}",
        "cli_generate_median_s": round(statistics.median(times), 3) if times else None,
        "cli_generate_solo_s": solo_s,
        "prompts_ok": f"{sum(bool(p['ok']) for p in prompts)}/{len(prompts)}",
        "failing": [p["name"] for p in prompts if not p["ok"]]
        + [r["name"] for r in refinements if not r["ok"]],
    }
    figures["thresholds"] = thresholds(figures, refinements, solo_s)
    figures["extra"] = extra_checks(figures, made, refinements, expectations)
    figures["pass"] = all(t["pass"] is not False for t in figures["thresholds"].values())
    figures["pass_with_extra"] = figures["pass"] and all(
        t["pass"] is not False for t in figures["extra"].values())
    return figures


# --- the run -------------------------------------------------------------------------------
def catalogue_ids(root: Path) -> frozenset[str]:
    """The bundled demo catalogue's track ids (read from its file, not through the bot):
    the pack's ``track_ids`` at its ``demo_rows``."""
    path = root / "data" / "catalogue" / "dataset.npz"
    if not path.is_file():
        return frozenset()
    with np.load(path) as pack:
        ids = pack["track_ids"][pack["demo_rows"]]
    return frozenset(i.decode() if isinstance(i, bytes) else str(i) for i in ids.tolist())


def selected(only: str | None) -> tuple[list[Case], list[Refinement]]:
    """The cases and refinements named (by name or group) in ``--only``; all without it."""
    if not only:
        return list(CASES), list(REFINEMENTS)
    wanted = {w.strip() for w in only.split(",") if w.strip()}
    cases = [c for c in CASES if c.name in wanted or c.group in wanted]
    refinements = [r for r in REFINEMENTS if r.name in wanted or "refinements" in wanted]
    unknown = wanted - {c.name for c in CASES} - {c.group for c in CASES} - {r.name for r in REFINEMENTS}
    if unknown - {"refinements"}:
        raise SystemExit(f"--only: no case, group or refinement named {', '.join(sorted(unknown))}")
    return cases, refinements


def run_all(runner: Runner, cases: Sequence[Case], refinements: Sequence[Refinement],
            workers: int) -> tuple[dict[str, Run], dict[str, tuple[Run, Run | None]]]:
    """Every prompt and refinement, ``workers`` bot processes at a time."""
    total = len(cases) + len(refinements)
    finished = itertools.count(1)

    def progress(_: object) -> None:
        print(f"\r{next(finished)}/{total} runs", end="", file=sys.stderr, flush=True)

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        gen_jobs = {c.name: pool.submit(runner.generate, c.prompt) for c in cases}
        ref_jobs = {r.name: pool.submit(runner.refine, r.prompt, r.feedback) for r in refinements}
        jobs: list[concurrent.futures.Future[Any]] = [*gen_jobs.values(), *ref_jobs.values()]
        for job in jobs:
            job.add_done_callback(progress)
        generated = {name: job.result() for name, job in gen_jobs.items()}
        refined = {name: job.result() for name, job in ref_jobs.items()}
    print(file=sys.stderr)
    return generated, refined


def solo_seconds(runner: Runner, prompt: str, runs: int = 3) -> float:
    """Median wall time of a CLI generate with nothing else of this benchmark running."""
    return round(statistics.median(runner.generate(prompt).seconds for _ in range(runs)), 3)


def verbose_report(judge: Judge, cases: Sequence[Case], generated: Mapping[str, Run],
                   results: Sequence[Mapping[str, Any]], refinements: Sequence[Refinement],
                   refined: Mapping[str, tuple[Run, Run | None]],
                   refined_results: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    """Per-track lines of every failing prompt, and of both playlists of a failing refinement."""
    by_name = {c.name: c for c in cases}
    for result in results:
        if result["ok"]:
            continue
        case = by_name[result["name"]]
        yield f"FAIL {case.name}: {case.prompt!r}"
        playlist = generated[case.name].playlist()
        if playlist is None:
            yield f"  refused: {result.get('message')}"
            continue
        yield from judge.track_lines(playlist, case.genres, [f for f, _ in case.features])
    by_ref = {r.name: r for r in refinements}
    for result in refined_results:
        if result["ok"]:
            continue
        ref = by_ref[result["name"]]
        yield f"FAIL {ref.name}: {ref.prompt!r} then {ref.feedback!r} ({ref.feature} {ref.direction})"
        for when, run in zip(("before", "after"), refined[ref.name], strict=True):
            playlist = run.playlist() if run is not None else None
            if playlist is None:
                yield f"  {when}: no playlist: {result.get('message')}"
                continue
            yield f"  {when}:"
            yield from judge.track_lines(playlist, ref.genres, [ref.feature])


def finite(value: Any) -> Any:
    """The report with every NaN (an unknown) as null, so it is valid JSON."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def _plain(value: object) -> object:
    """numpy scalars (np.bool_, np.float64) as the Python values JSON knows."""
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one compact JSON line")
    parser.add_argument("--verbose", action="store_true",
                        help="per-track lines for failing prompts (on stderr)")
    parser.add_argument("--only", help="comma-separated case names, groups (gap, mood, era, scene, "
                        "artist) or refinement names ('refinements' for all of them)")
    parser.add_argument("--workers", type=int, default=2, help="bot processes at a time (default 2)")
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="spotify_tracks.csv")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose bot is run")
    parser.add_argument("--python", default=sys.executable, help="the interpreter that runs the bot")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting for the bot (e.g. AI_PROVIDERS=ollama); repeatable")
    parser.add_argument("--no-solo", action="store_true", help="skip the solo timing runs")
    args = parser.parse_args(argv)
    extra = {key: value for key, _, value in (item.partition("=") for item in args.env)}
    cases, refinements = selected(args.only)
    started = time.perf_counter()
    data = Dataset.load(args.dataset)
    judge = Judge(data, catalogue_ids(args.root))
    runner = Runner(args.python, args.root.resolve(), extra)
    generated, refined = run_all(runner, cases, refinements, max(1, args.workers))
    solo = None if args.no_solo or not cases else solo_seconds(runner, cases[0].prompt)
    prompts = [judge_case(judge, c, generated[c.name]) for c in cases]
    refs = [judge_refinement(judge, r, *refined[r.name]) for r in refinements]
    summary = summarise(prompts, refs, solo)
    report = finite({
        "overall": summary,
        "prompts": prompts,
        "refinements": refs,
        "config": {"root": str(args.root.resolve()), "dataset": str(args.dataset), "workers": args.workers,
                   "settings": {"CATALOGUE": "demo", "AI_PROVIDERS": "offline", **extra},
                   "bench_wall_s": round(time.perf_counter() - started, 1)},
    })
    if args.verbose:
        for line in verbose_report(judge, cases, generated, prompts, refinements, refined, refs):
            print(line, file=sys.stderr)
    print(json.dumps(report, ensure_ascii=False, separators=(",", ":"), default=_plain) if args.json
          else json.dumps(report, ensure_ascii=False, indent=1, default=_plain))
    return 0 if summary["pass"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

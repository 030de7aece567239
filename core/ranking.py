"""Scene-aware ranking: which candidate tracks a careful curator would pick first.

The catalogue's genre labels are noisy, so a track is judged by its *artist*: how much
of the artist's work carries the asked genres (coherence), whether the artist belongs
to a regional or language scene the request did not ask for, how close the track's
features come to the request's targets, and how familiar it is (the profile's
``discovery``, or the plan's ``familiarity``, decides which way that counts).
Everything here is pure: the knowledge is a ``core.ports.MusicKnowledge`` lookup.
"""

from __future__ import annotations

import dataclasses
import statistics
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from core.knowledge import ArtistProfile
from core.matching import artist_key
from core.models import Discovery, Track
from core.ports import MusicKnowledge
from core.targets import TARGET_FEATURES, FeatureTarget, TargetFeature, closeness, feature_of
from core.vocabulary.scanner import canonical_genres
from core.vocabulary.scenes import SCENE_LABELS, SCENES, scenes_of_genres

# Weights of the parts of a score.  Features weigh most: a track of the right artist that
# sounds wrong is the commonest complaint; an unasked scene is ruled out almost always.
W_COHERENCE = 1.0
W_FEATURES = 2.2
W_FAMILIAR = 0.6  # "the hits" / "deep cuts": asked for outright
W_BALANCED = 0.15
W_SEED = 1.2  # "songs by X": X's tracks first
W_LIKE_OWN = 0.3  # "songs like X": a few of X's own
W_NEIGHBOUR = 0.5  # an artist near the one the request named
W_SUGGESTED = 0.4  # a song the language model named and the catalogue confirmed
W_CONTINUITY = 0.15  # a refinement keeps what still fits
SCENE_PENALTY = 3.0
# An artist the knowledge places in no scene but whose tracks largely carry an unasked
# scene's labels (Doris Day filed under j-pop) sinks by this much per share: kept when
# nothing better is left, never ahead of the genre's own artists.
SCENE_LABEL_PENALTY = 1.2
# A title in a script of its own (Cyrillic, Devanagari, Hangul...) sinks in a request
# that asked for no scene: its listeners hear another scene whatever the label says.
SCRIPT_PENALTY = 1.0
MOSTLY = 0.5  # this share of an unasked scene's labels and the artist does not fit
# Below this coherence an artist is off-genre: taken only when nothing better is left.
COHERENT = 0.3
# A target this firm (a feature the listener named) rules out tracks this far from it.
FIRM = 0.7
CONTRADICTS = 0.7  # closeness 0.7: more than a refinement step (0.15) on the wrong side


@dataclass(frozen=True, slots=True)
class RankingRequest:
    """What the ranking needs from a plan (see ``core.engine``).

    ``genres``: the asked catalogue genres; ``seeds``, ``like`` and ``neighbours`` are
    ``artist_key`` values: artists asked for by name, artists whose likes are wanted,
    and the artists near those.  ``suggested``/``continuing``: track ids a model named,
    and the previous version's tracks (a refinement keeps what still fits).
    """

    genres: tuple[str, ...] = ()
    targets: tuple[FeatureTarget, ...] = ()
    discovery: Discovery = "balanced"
    seeds: frozenset[str] = frozenset()
    like: frozenset[str] = frozenset()
    neighbours: frozenset[str] = frozenset()
    suggested: frozenset[str] = frozenset()
    continuing: frozenset[str] = frozenset()
    scenes: frozenset[str] = field(default_factory=frozenset)  # asked scenes

    @staticmethod
    def asked_scenes(genres: Iterable[str]) -> frozenset[str]:
        """The scenes a request for ``genres`` asks for ("pop-film" asks for Indian)."""
        asked = set(genres)
        return scenes_of_genres(asked) | {g for g in asked if g in SCENES}

    @staticmethod
    def catalogue_genres(names: Iterable[str]) -> tuple[str, ...]:
        """A plan's genre names as catalogue genres ("R&B" -> r-n-b), in order."""
        out: list[str] = []
        for name in names:
            for genre in canonical_genres(name) or (name.casefold(),):
                if genre not in out:
                    out.append(genre)
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Scored:
    """One track's score and whether it fits at all (asked scene, coherent artist)."""

    track: Track
    score: float
    fits: bool


class Ranker:
    """Scores and orders candidates against a ``RankingRequest`` using ``knowledge``."""

    def __init__(self, knowledge: MusicKnowledge) -> None:
        self.knowledge = knowledge
        self._profiles: dict[str, ArtistProfile | None] = {}
        self._seed_popularity: dict[str, float] = {}

    def profile(self, artist: str) -> ArtistProfile | None:
        """The artist's profile (looked up once per ranking)."""
        if artist not in self._profiles:
            self._profiles[artist] = self.knowledge.artist(artist)
        return self._profiles[artist]

    def features(self, track: Track) -> dict[TargetFeature, float]:
        """The track's known features: its own fields, else the dataset's for it."""
        out: dict[TargetFeature, float] = {}
        for name in TARGET_FEATURES:
            value = feature_of(track, name)
            if value is not None:
                out[name] = value
        if len(out) < len(TARGET_FEATURES):
            known = self.knowledge.features(track)
            for name in TARGET_FEATURES:
                value = feature_of(known, name)
                if name not in out and value is not None and not (name == "tempo" and value <= 0):
                    out[name] = value
        return out

    def enrich(self, track: Track) -> Track:
        """The track with the features the dataset knows filled in (for the arc and display)."""
        if all(feature_of(track, name) is not None for name in TARGET_FEATURES):
            return track
        known = self.features(track)
        missing = {n: known[n] for n in TARGET_FEATURES if feature_of(track, n) is None and n in known}
        return dataclasses.replace(track, **missing) if missing else track  # type: ignore[arg-type]

    def coherence(self, track: Track, genres: Sequence[str]) -> float:
        """How much of the artist's work carries the asked genres (0..1); 1 when none asked."""
        if not genres:
            return 1.0
        profile = self.profile(track.artist)
        if profile is not None:
            return min(1.0, sum(profile.share(g) for g in genres))
        if not track.genres:
            return 0.5  # a live track of an artist the dataset does not know: no opinion
        return 1.0 if set(track.genres) & set(genres) else 0.0

    def unasked_scene(self, track: Track, request: RankingRequest) -> bool:
        """Whether the track's artist belongs to a regional scene the request did not ask for."""
        profile = self.profile(track.artist)
        if profile is None or profile.scene is None:
            return False
        if artist_key(track.artist) in request.seeds | request.like:
            return False  # named by the listener: their scene is asked for
        return profile.scene not in request.scenes

    def scene_leaning(self, track: Track, request: RankingRequest) -> float:
        """The largest share of the artist's tracks carrying one unasked scene's labels."""
        profile = self.profile(track.artist)
        if profile is None or artist_key(track.artist) in request.seeds | request.like:
            return 0.0
        return max((min(1.0, sum(profile.share(label) for label in labels))
                    for scene, labels in SCENE_LABELS.items() if scene not in request.scenes),
                   default=0.0)

    def feature_fit(
        self, track: Track, targets: Sequence[FeatureTarget],
        pool: Mapping[TargetFeature, list[float]] | None = None,
    ) -> float:
        """Strength-weighted fit to the targets (0..1); 0.5 when nothing is known.

        With the candidate ``pool``'s values, an "up"/"down" target scores the track's
        percentile among them toward the asked end (a careful pick is the calmest of the
        genre, not merely calm enough); without, and for "near", closeness to the value.
        """
        if not targets:
            return 0.5
        known = self.features(track)
        total = weight = 0.0
        for target in targets:
            value = known.get(target.feature)
            if value is None:
                continue
            values = pool.get(target.feature) if pool is not None else None
            if values and target.direction != "near":
                below = bisect_left(values, value)
                ties = bisect_right(values, value) - below
                share = (below + ties / 2) / len(values)
                fit = share if target.upward else 1 - share
                fit = 0.75 * fit + 0.25 * closeness(target, value)
            else:
                fit = closeness(target, value)
            total += target.strength * fit
            weight += target.strength
        # weak targets (a genre's usual energy) only nudge: the rest of a unit weight is neutral
        return (total + max(0.0, 1.0 - weight) * 0.5) / max(1.0, weight) if weight else 0.5

    def _deep_enough(self, track: Track, seeds: Iterable[str], request: RankingRequest) -> bool:
        """For "X deep cuts", only X's tracks less popular than X's typical one are X's
        deep cuts; otherwise every track of X is."""
        if request.discovery != "deep" or track.popularity is None:
            return True
        typical = [self._seed_popularity[s] for s in seeds if s in self._seed_popularity]
        return not typical or track.popularity < min(typical)

    def contradicts(self, track: Track, targets: Sequence[FeatureTarget]) -> bool:
        """Whether the track is well on the wrong side of a firmly asked target
        ("no vocals" and it is sung): such a track is kept only when nothing else is left."""
        known = self.features(track)
        return any(
            target.strength >= FIRM and target.feature in known
            and closeness(target, known[target.feature]) < CONTRADICTS
            for target in targets
        )

    def familiarity(self, track: Track, discovery: Discovery) -> float:
        """The popularity part: favoured by default and for "popular", reversed for "deep"."""
        popularity = track.popularity
        if popularity is None:
            profile = self.profile(track.artist)
            if profile is None:
                return 0.0
            popularity = round(profile.popularity)
        share = min(100, max(0, popularity)) / 100
        if discovery == "deep":
            return W_FAMILIAR * (1 - share)
        return (W_FAMILIAR if discovery == "popular" else W_BALANCED) * share

    def score(
        self, track: Track, request: RankingRequest,
        pool: Mapping[TargetFeature, list[float]] | None = None,
    ) -> Scored:
        """The track's score and whether it fits the request at all (``pool``: the sorted
        feature values of the candidates it is ranked among)."""
        key = artist_key(track.artist)
        credited = {artist_key(a) for a in track.artists}
        coherence = self.coherence(track, request.genres)
        named = bool(credited & (request.seeds | request.like))
        if named:
            coherence = max(coherence, 0.8)  # the listener chose the artist, not the label
        scene = self.unasked_scene(track, request)
        score = (
            W_COHERENCE * coherence
            + W_FEATURES * self.feature_fit(track, request.targets, pool)
            + self.familiarity(track, request.discovery)
        )
        shallow = False  # one of X's hits when X's deep cuts were asked for
        if credited & request.seeds:
            if self._deep_enough(track, credited & request.seeds, request):
                score += W_SEED  # "songs by X" counts X's features too
            else:
                shallow = True
                score -= SCENE_PENALTY  # the last thing to fill in with
        elif key in request.like:
            score += W_LIKE_OWN
        elif key in request.neighbours:
            score += W_NEIGHBOUR
        if track.id in request.suggested:
            score += W_SUGGESTED
        if track.id in request.continuing:
            score += W_CONTINUITY
        leaning = 0.0 if named or scene else self.scene_leaning(track, request)
        named = named or key in request.neighbours
        script = not named and not request.scenes and _own_script(track.title)
        if scene:
            score -= SCENE_PENALTY
        score -= SCENE_LABEL_PENALTY * leaning + (SCRIPT_PENALTY if script else 0.0)
        scene = scene or script or leaning >= MOSTLY
        fits = (not scene and not shallow and coherence >= COHERENT
                and not self.contradicts(track, request.targets))
        return Scored(track, score, fits=fits)

    def rank(self, tracks: Iterable[Track], request: RankingRequest) -> list[Scored]:
        """Distinct candidates, best first (ties keep the order they came in)."""
        distinct = list({t.id: t for t in tracks if t.id}.values())
        self._seed_popularity = {
            seed: statistics.median(found) for seed in request.seeds
            if (found := [t.popularity for t in distinct if t.popularity is not None
                          and seed in {artist_key(a) for a in t.artists}])
        }
        pool: dict[TargetFeature, list[float]] = {}
        for target in request.targets:
            pool[target.feature] = sorted(
                v for v in (self.features(t).get(target.feature) for t in distinct) if v is not None
            )
        scored = [self.score(track, request, pool) for track in distinct]
        return sorted(scored, key=lambda s: -s.score)


def _own_script(title: str) -> bool:
    """Whether a title is written mostly in a non-Latin alphabet (Cyrillic, Devanagari...)."""
    letters = [ch for ch in title if ch.isalpha()]
    if not letters:
        return False
    foreign = sum(1 for ch in letters if not unicodedata.name(ch, "LATIN").startswith("LATIN"))
    return foreign * 2 > len(letters)

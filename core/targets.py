"""Feature targets: what a prompt implies a playlist should sound like.

A target names one audio feature, the value it should reach and how clearly the
prompt said so (``strength``).  Values are 0..1 except ``tempo`` (BPM).  A target
reads as "at least this far towards the asked end": a relaxing playlist with an
energy target of 0.25 is happy with anything calmer, so the ranking rewards every
track on the asked side of the target and penalises the distance on the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # core.models imports this module for ``FeatureTarget``
    from core.knowledge import SoundFeatures
    from core.models import Track

TargetFeature = Literal[
    "energy", "valence", "danceability", "acousticness", "instrumentalness", "tempo"
]
TARGET_FEATURES: tuple[TargetFeature, ...] = (
    "energy", "valence", "danceability", "acousticness", "instrumentalness", "tempo",
)  # fmt: skip
Direction = Literal["", "up", "down", "near"]
# Tempo bounds a target may ask for (BPM), and how far counts as "a whole scale away".
TEMPO_LOW, TEMPO_HIGH = 50.0, 200.0
TEMPO_SCALE = 80.0
TEMPO_MIDDLE = 115.0
# A value this far from the middle has a side: "at least this high" / "at most this low".
MIDDLE = 0.5
# How far past the previous playlist's median a refinement's target must reach.
REFINE_STEP = 0.15
REFINE_TEMPO_STEP = 15.0


@dataclass(frozen=True, slots=True)
class FeatureTarget:
    """One feature goal: ``value`` (0..1, tempo in BPM) and ``strength`` (0..1).

    ``strength`` is how clearly the request says it: "instrumental music" is 0.9,
    "for studying" implying low energy is about 0.5, a genre's own character 0.2.
    """

    feature: TargetFeature
    value: float
    strength: float = 0.5
    # "up" / "down": which end is asked for; "" reads it from the value's side of the middle;
    # "near": close to the value either way ("more like the third song").
    direction: Direction = ""

    @property
    def upward(self) -> bool:
        """Whether the asked end is the high end of the scale."""
        if self.direction:
            return self.direction == "up"
        return self.value >= (TEMPO_MIDDLE if self.feature == "tempo" else MIDDLE)


def clamp_target(feature: TargetFeature, value: float) -> float:
    """A target value inside its scale (tempo in BPM, the rest 0..1), rounded."""
    if feature == "tempo":
        return round(min(TEMPO_HIGH, max(TEMPO_LOW, value)), 1)
    return round(min(0.98, max(0.02, value)), 2)


def feature_of(source: Track | SoundFeatures | None, feature: TargetFeature) -> float | None:
    """One feature's value from a track (None when unknown) or a ``SoundFeatures``."""
    if source is None:
        return None
    value = getattr(source, feature, None)
    return float(value) if isinstance(value, int | float) else None


def closeness(target: FeatureTarget, value: float) -> float:
    """1 on the asked side of the target, falling with the distance on the other (0..1)."""
    scale = TEMPO_SCALE if target.feature == "tempo" else 1.0
    if target.direction == "near":
        shortfall = abs(value - target.value)
    elif target.upward:
        shortfall = max(0.0, target.value - value)
    else:
        shortfall = max(0.0, value - target.value)
    return max(0.0, 1.0 - 2.0 * shortfall / scale)


def by_feature(targets: Iterable[FeatureTarget]) -> dict[TargetFeature, FeatureTarget]:
    """The targets keyed by feature (a later one for the same feature wins)."""
    return {t.feature: t for t in targets}


def merge(base: Iterable[FeatureTarget], over: Iterable[FeatureTarget]) -> tuple[FeatureTarget, ...]:
    """``base`` with every feature ``over`` names replaced, in ``TARGET_FEATURES`` order."""
    merged = {**by_feature(base), **by_feature(over)}
    return tuple(merged[f] for f in TARGET_FEATURES if f in merged)


def medians(features: Sequence[Mapping[TargetFeature, float]]) -> dict[TargetFeature, float]:
    """The median of each feature over the tracks that have it."""
    out: dict[TargetFeature, float] = {}
    for feature in TARGET_FEATURES:
        values = [f[feature] for f in features if feature in f]
        if values:
            out[feature] = float(median(values))
    return out


def steer(
    targets: Sequence[FeatureTarget],
    before: Sequence[FeatureTarget],
    previous: Mapping[TargetFeature, float],
) -> tuple[FeatureTarget, ...]:
    """A refinement's targets, each changed one pushed past where the playlist was.

    ``before`` are the previous version's targets, ``previous`` the medians of its
    tracks.  A target the refinement moved (or added) points one way; if it would not
    take the playlist past its own median that way, it is moved to a step beyond it,
    so "more danceable" always means more danceable than what the listener heard.
    """
    old = by_feature(before)
    out: list[FeatureTarget] = []
    for target in targets:
        was = old.get(target.feature)
        now = previous.get(target.feature)
        if (was is not None and abs(was.value - target.value) < 1e-9) or now is None:
            out.append(target)
            continue
        up = target.value > was.value if was is not None else target.upward
        step = REFINE_TEMPO_STEP if target.feature == "tempo" else REFINE_STEP
        value = max(target.value, now + step) if up else min(target.value, now - step)
        out.append(FeatureTarget(target.feature, clamp_target(target.feature, value),
                                 max(target.strength, 0.7), "up" if up else "down"))
    return tuple(out)

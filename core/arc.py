"""Order as a listening arc: the chosen tracks sequenced for the occasion.

A workout warms up, peaks and cools down; a party builds; a wind-down (sleep, focus)
descends and stays smooth; anything else keeps a steady level.  Within the shape,
neighbours should not jar: the jump between two tracks counts energy, tempo, mood and,
where the dataset knows them, whether their keys mix (Camelot neighbours).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from statistics import median

from core.models import ArcName, Strategy, Track
from core.targets import TargetFeature, by_feature

Features = Mapping[TargetFeature, float]
Key = tuple[int, int]  # pitch class 0..11, mode (1 major, 0 minor)

# How much each difference counts in a jump between neighbours.
TEMPO_JUMP_SCALE = 100.0  # 100 BPM apart weighs like the whole energy scale
VALENCE_WEIGHT = 0.5
KEY_CLASH = 0.1
# How much keeping the arc's shape outweighs a smooth join.
SHAPE_WEIGHT = 1.5
MAX_PASSES = 8


def arc_for(strategy: Strategy) -> ArcName:
    """The plan's arc, else one read from its energy target (firmly low: a wind-down).

    High energy alone says nothing of the occasion (a workout and a party differ), so
    only a plan that names it gets those shapes.
    """
    if strategy.arc is not None:
        return strategy.arc
    energy = by_feature(strategy.targets).get("energy")
    if energy is not None and energy.strength >= 0.5 and not energy.upward and energy.value <= 0.25:
        return "wind-down"
    return "steady"


def shape(arc: ArcName, n: int) -> list[float] | None:
    """The intensity (0..1) each position should have, or None for a steady arc."""
    if n < 3 or arc == "steady":
        return None
    points = [i / (n - 1) for i in range(n)]
    if arc == "party":
        return [0.3 + 0.7 * x for x in points]
    if arc == "wind-down":
        return [1.0 - x for x in points]
    # workout: warm up over the first fifth, stay at the peak, cool down over the last sixth
    out = []
    for x in points:
        if x < 0.2:
            out.append(0.4 + 3.0 * x)
        elif x > 5 / 6:
            out.append(1.0 - 2.4 * (x - 5 / 6))
        else:
            out.append(1.0)
    return out


def intensity(features: Features) -> float | None:
    """How hard a track hits: energy mostly, tempo a little (None when unknown)."""
    energy = features.get("energy")
    if energy is None:
        return None
    tempo = features.get("tempo")
    if tempo is None:
        return energy
    return 0.9 * energy + 0.1 * min(1.0, max(0.0, (tempo - 60) / 120))


def _camelot_clash(a: Key | None, b: Key | None) -> bool:
    """Whether two keys do not mix: not the same, not a fifth apart, not relative major/minor."""
    if a is None or b is None or a[0] < 0 or b[0] < 0:
        return False
    # Camelot number: C major is 8B, A minor 8A; each fifth up is one step round the wheel.
    def wheel(key: Key) -> tuple[int, int]:
        pitch, mode = key
        root = pitch if mode == 1 else (pitch + 3) % 12  # a minor key sits with its relative major
        return (root * 7) % 12, mode

    (pa, ma), (pb, mb) = wheel(a), wheel(b)
    step = min((pa - pb) % 12, (pb - pa) % 12)
    return not (step == 0 or (step == 1 and ma == mb))


def jump(a: Features, b: Features, keys: tuple[Key | None, Key | None] = (None, None)) -> float:
    """How jarring it is to go from a track with features ``a`` to one with ``b``."""
    total = 0.0
    if "energy" in a and "energy" in b:
        total += abs(a["energy"] - b["energy"])
    if "tempo" in a and "tempo" in b:
        total += min(1.0, abs(a["tempo"] - b["tempo"]) / TEMPO_JUMP_SCALE)
    if "valence" in a and "valence" in b:
        total += VALENCE_WEIGHT * abs(a["valence"] - b["valence"])
    if _camelot_clash(*keys):
        total += KEY_CLASH
    return total


def roughness(features: Sequence[Features], keys: Sequence[Key | None] | None = None) -> float:
    """The mean jump between neighbours (0 for fewer than two tracks)."""
    if len(features) < 2:
        return 0.0
    keyed = keys if keys is not None else [None] * len(features)
    jumps = [jump(features[i], features[i + 1], (keyed[i], keyed[i + 1]))
             for i in range(len(features) - 1)]  # fmt: skip
    return sum(jumps) / len(jumps)


def arrange(
    tracks: Sequence[Track],
    arc: ArcName,
    features: Callable[[Track], Features],
    key: Callable[[Track], Key | None] = lambda _track: None,
) -> list[Track]:
    """``tracks`` in arc order: the shape first, then the smoothest joins that keep it.

    Tracks whose features are unknown count as middling; with no features at all the
    order is left as it came (the ranking's).
    """
    feats = [features(t) for t in tracks]
    levels = [intensity(f) for f in feats]
    known = [v for v in levels if v is not None]
    if len(tracks) < 3 or not known:
        return list(tracks)
    middle = float(median(known))
    level = [v if v is not None else middle for v in levels]
    keys = [key(t) for t in tracks]
    curve = shape(arc, len(tracks))
    if curve is None:
        order = _nearest_chain(feats, keys, start=0)
    else:
        # the lowest intensities go where the curve is lowest, and so on up
        by_level = sorted(range(len(tracks)), key=lambda i: level[i])
        by_slot = sorted(range(len(tracks)), key=lambda s: curve[s])
        order = [0] * len(tracks)
        for slot, index in zip(by_slot, by_level, strict=True):
            order[slot] = index
    # the shape is about order, not absolute levels: compare ranks with the curve's span
    ranked = {index: rank / (len(tracks) - 1) for rank, index in enumerate(
        sorted(range(len(tracks)), key=lambda i: level[i]))}
    relative = [ranked[i] for i in range(len(tracks))]
    span = None
    if curve is not None:
        low, high = min(curve), max(curve)
        span = [(c - low) / (high - low) if high > low else 0.5 for c in curve]
    order = _smoothed(order, feats, keys, relative, span)
    return [tracks[i] for i in order]


def _nearest_chain(feats: Sequence[Features], keys: Sequence[Key | None], start: int) -> list[int]:
    """From ``start`` (the best-ranked track), always on to the closest remaining track."""
    order = [start]
    left = set(range(len(feats))) - {start}
    while left:
        here = order[-1]
        nearest = min(sorted(left), key=lambda j: jump(feats[here], feats[j], (keys[here], keys[j])))
        order.append(nearest)
        left.remove(nearest)
    return order


def _smoothed(
    order: list[int], feats: Sequence[Features], keys: Sequence[Key | None],
    level: Sequence[float], curve: Sequence[float] | None,
) -> list[int]:
    """Adjacent swaps that lower the joins' roughness plus the distance from the shape."""

    def cost(seq: Sequence[int], at: int) -> float:
        # the joins touching positions at and at+1, and their distance from the curve
        total = 0.0
        for i in (at - 1, at, at + 1):
            if 0 <= i < len(seq) - 1:
                a, b = seq[i], seq[i + 1]
                total += jump(feats[a], feats[b], (keys[a], keys[b]))
        if curve is not None:
            total += SHAPE_WEIGHT * (abs(level[seq[at]] - curve[at])
                                     + abs(level[seq[at + 1]] - curve[at + 1]))
        return total

    for _ in range(MAX_PASSES):
        improved = False
        for at in range(1 if curve is None else 0, len(order) - 1):  # steady keeps its opener
            before = cost(order, at)
            order[at], order[at + 1] = order[at + 1], order[at]
            if cost(order, at) + 1e-9 < before:
                improved = True
            else:
                order[at], order[at + 1] = order[at + 1], order[at]
        if not improved:
            break
    return order

"""Selection: from candidate tracks to exactly the playlist asked for."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from core.matching import artist_key, dedup_key, is_seasonal
from core.models import Discovery, Track


@dataclass(frozen=True)
class SelectionRules:
    count: int
    max_per_artist: int = 3
    explicit_ok: bool = True
    disliked_artists: frozenset[str] = field(default_factory=frozenset)  # artist_key values
    discovery: Discovery = "balanced"
    # Tracks a regeneration must not repeat (earlier versions): by id and by song, so a
    # remaster or live take of an earlier song does not come back under another id.
    exclude_ids: frozenset[str] = field(default_factory=frozenset)
    exclude_songs: frozenset[tuple[str, str]] = field(default_factory=frozenset)  # dedup_key
    seasonal_ok: bool = False  # holiday songs only when the request mentions a holiday
    # Tighter caps for some artists (artist_key -> most tracks): "songs like X" wants few of X's.
    artist_limits: Mapping[str, int] = field(default_factory=dict)

    @staticmethod
    def disliked(names: Iterable[str]) -> frozenset[str]:
        return frozenset(k for k in (artist_key(n) for n in names) if k)


def _order_by_discovery(hits: Sequence[Track], discovery: Discovery) -> list[Track]:
    """Popular first, deep cuts first, or the catalogue's own order (balanced)."""
    if discovery == "balanced" or not any(t.popularity is not None for t in hits):
        return list(hits)
    sign = -1 if discovery == "popular" else 1
    return sorted(hits, key=lambda t: sign * (t.popularity if t.popularity is not None else 50))


def interleave(lists: Sequence[Sequence[Track]]) -> list[Track]:
    """Round-robin over query results so one query does not fill the playlist."""
    out: list[Track] = []
    longest = max((len(x) for x in lists), default=0)
    for i in range(longest):
        for hits in lists:
            if i < len(hits):
                out.append(hits[i])
    return out


class Selector:
    """Accumulates candidates and keeps those the rules allow, in priority order."""

    def __init__(self, rules: SelectionRules) -> None:
        self.rules = rules
        self.chosen: list[Track] = []
        self._ids: set[str] = set()
        self._songs: set[tuple[str, str]] = set()
        self._per_artist: dict[str, int] = {}
        self.pending_seasonal: list[Track] = []
        # Candidates refused only because an earlier version had them (see ``finish``).
        self.excluded_seen: list[Track] = []
        self.reused = 0
        # Honest remarks about the selection, and the named artists the catalogue lacks.
        self.notes: list[str] = []
        self.missing_artists: list[str] = []

    def _excluded(self, track: Track) -> bool:
        rules = self.rules
        return track.id in rules.exclude_ids or (
            bool(rules.exclude_songs) and dedup_key(track.title, track.artist) in rules.exclude_songs
        )

    @property
    def missing(self) -> int:
        return max(0, self.rules.count - len(self.chosen))

    def allows(self, track: Track, *, reuse: bool = False) -> bool:
        """Whether ``track`` may join; ``reuse`` lets an excluded (earlier) track in."""
        rules = self.rules
        if not track.id or track.id in self._ids:
            return False
        if not reuse and self._excluded(track):
            return False
        if not rules.explicit_ok and track.explicit:
            return False
        keys = [artist_key(a) for a in track.artists]
        if any(k in rules.disliked_artists for k in keys):
            return False
        if dedup_key(track.title, track.artist) in self._songs:
            return False
        primary = keys[0] if keys else ""
        most = min(rules.max_per_artist, rules.artist_limits.get(primary, rules.max_per_artist))
        return self._per_artist.get(primary, 0) < most

    def offer(self, tracks: Iterable[Track]) -> None:
        """Adds allowed tracks until the count is reached."""
        for track in tracks:
            if not self.missing:
                return
            if not self.allows(track):
                if self._excluded(track) and self.allows(track, reuse=True):
                    self.excluded_seen.append(track)
                continue
            self._take(track)

    def _take(self, track: Track) -> None:
        self.chosen.append(track)
        self._ids.add(track.id)
        self._songs.add(dedup_key(track.title, track.artist))
        primary = artist_key(track.artist)
        self._per_artist[primary] = self._per_artist.get(primary, 0) + 1

    def offer_candidates(self, tracks: Iterable[Track]) -> None:
        """Like ``offer``, but unrequested holiday songs wait until nothing else is left."""
        if self.rules.seasonal_ok:
            self.offer(tracks)
            return
        ordered = list(tracks)
        self.offer(t for t in ordered if not is_seasonal(t.title, t.album))
        self.pending_seasonal.extend(t for t in ordered if is_seasonal(t.title, t.album))

    def offer_query_results(self, per_query: Sequence[Sequence[Track]]) -> None:
        """Query hits round-robin, holiday songs held back as in ``offer_candidates``."""
        self.offer_candidates(
            interleave([_order_by_discovery(hits, self.rules.discovery) for hits in per_query])
        )

    def finish(self) -> list[Track]:
        """The selection, topped up with held-back holiday songs only when short.

        Still short with exclusions in force (a regeneration the catalogue cannot fill
        with new songs), a few excluded tracks fill in, never more than a quarter of the
        result: ``reused`` counts them, so the caller can say so.
        """
        self.offer(self.pending_seasonal)
        self.pending_seasonal.clear()
        for track in self.excluded_seen:
            # r reused of r + n in all stays at most a quarter while r <= n / 3.
            if not self.missing or (self.reused + 1) * 3 > len(self.chosen) - self.reused:
                break
            if self.allows(track, reuse=True):
                self._take(track)
                self.reused += 1
        self.excluded_seen.clear()
        return self.chosen

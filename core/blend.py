"""The mix of a blend: several members' tastes in one playlist, pure and deterministic.

Each member brings a pool of candidate tracks (the engine's normal plan, search and
selection for their taste and the blend's occasion).  ``mix`` then deals the playlist
out fairly: turn by turn, the member with the smallest share so far picks the best
track left in their pool, preferring a track several members like (a "shared
favourite": in several pools, or by a favourite artist or genre of several members).
A shared track counts for each of its members by a fraction, so the shares add up to
the playlist's length and stay close to equal.

Whatever the pools hold, nobody's disliked artists get in and, when any member turns
explicit tracks off, none get in (the strictest setting wins).  The result is ordered
as one listening arc by ``order_as_arc`` (the single call to swap for a better arc).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.matching import artist_key, dedup_key
from core.models import Profile, Track
from core.text import normalise

# How many places down its pool a shared favourite may be and still be picked first:
# enough to favour common ground, too few to let one member's list crowd out another's.
SHARED_BONUS = 3
# Energy assumed for a track whose energy the catalogue does not know.
NEUTRAL_ENERGY = 0.5
# A song as the playlist tells songs apart (``core.matching.dedup_key``).
Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Mix:
    """A blended playlist: its tracks in arc order and, per track, whose taste it serves.

    ``credits[i]`` holds the member positions (indices into the profiles ``mix`` was
    given) that track ``tracks[i]`` came from or matches.
    """

    tracks: tuple[Track, ...]
    credits: tuple[tuple[int, ...], ...]
    members: int

    @property
    def shared(self) -> int:
        """How many tracks serve more than one member."""
        return sum(1 for who in self.credits if len(who) > 1)

    @property
    def shared_percent(self) -> int:
        """The shared favourites as a whole percentage of the playlist."""
        return round(100 * self.shared / len(self.tracks)) if self.tracks else 0

    def shares(self) -> tuple[float, ...]:
        """Each member's share of the playlist (0..1); a shared track counts fractionally."""
        totals = [0.0] * self.members
        for who in self.credits:
            for member in who:
                totals[member] += 1 / len(who)
        size = len(self.tracks) or 1
        return tuple(t / size for t in totals)


def strictest(profiles: Sequence[Profile]) -> bool:
    """Whether explicit tracks may appear: only when every member allows them."""
    return all(p.explicit_ok for p in profiles)


def disliked(profiles: Sequence[Profile]) -> frozenset[str]:
    """Every member's disliked artists, normalised: none of them may appear."""
    return frozenset(k for p in profiles for k in (artist_key(a) for a in p.disliked_artists) if k)


def group_profile(profile: Profile, profiles: Sequence[Profile]) -> Profile:
    """A member's taste as the blend plans with it: their favourites, everyone's dislikes,
    the strictest explicit setting."""
    everyone = tuple(dict.fromkeys(a for p in profiles for a in p.disliked_artists))
    return Profile(
        favourite_genres=profile.favourite_genres,
        favourite_artists=profile.favourite_artists,
        disliked_artists=everyone,
        energy=profile.energy,
        discovery=profile.discovery,
        explicit_ok=strictest(profiles),
    )


def allowed(track: Track, banned: frozenset[str], explicit_ok: bool) -> bool:
    """False for a track by a disliked artist (any of its artists) or an explicit one
    the group does not allow."""
    if track.explicit and not explicit_ok:
        return False
    return not any(artist_key(a) in banned for a in track.artists)


def likes(profile: Profile, track: Track) -> bool:
    """Whether a track is by one of the member's favourite artists or in a favourite genre."""
    artists = {artist_key(a) for a in profile.favourite_artists}
    if any(artist_key(a) in artists for a in track.artists):
        return True
    genres = {normalise(g) for g in profile.favourite_genres}
    return any(normalise(g) in genres for g in track.genres)


def mix(
    pools: Sequence[Sequence[Track]],
    profiles: Sequence[Profile],
    count: int,
    *,
    max_per_artist: int = 3,
) -> Mix:
    """Deals ``count`` tracks out of the members' ``pools`` (best first, one per member,
    in the order of ``profiles``), fairly, then orders them as an arc.

    Fewer tracks come back when the pools run dry; a member whose pool is empty keeps
    no turn, so the others fill the playlist.
    """
    if len(pools) != len(profiles):
        raise ValueError("one pool per member")
    banned, explicit_ok = disliked(profiles), strictest(profiles)
    members = len(profiles)
    candidates = _candidates(pools, profiles, banned, explicit_ok)
    order: list[list[Key]] = [
        [key for key in dict.fromkeys(dedup_key(t.title, t.artist) for t in pool)
         if key in candidates]
        for pool in pools
    ]
    chosen: list[Key] = []
    taken: set[Key] = set()
    per_artist: dict[str, int] = {}
    shares = [0.0] * members
    while len(chosen) < count:
        turn = _next_turn(shares, order, taken, candidates, per_artist, max_per_artist)
        if turn is None:
            break
        _, key = turn
        track, who = candidates[key]
        chosen.append(key)
        taken.add(key)
        artist = artist_key(track.artist)
        per_artist[artist] = per_artist.get(artist, 0) + 1
        for m in who:
            shares[m] += 1 / len(who)
    tracks = [candidates[k][0] for k in chosen]
    arc = order_as_arc(tracks)
    credit_of = {candidates[k][0].id: candidates[k][1] for k in chosen}
    return Mix(tuple(arc), tuple(credit_of[t.id] for t in arc), members)


def _candidates(
    pools: Sequence[Sequence[Track]], profiles: Sequence[Profile], banned: frozenset[str],
    explicit_ok: bool,
) -> dict[Key, tuple[Track, tuple[int, ...]]]:
    """Every allowed track of any pool (one per song), with the members it serves."""
    found: dict[Key, tuple[Track, set[int]]] = {}
    for member, pool in enumerate(pools):
        for track in pool:
            if not allowed(track, banned, explicit_ok):
                continue
            key = dedup_key(track.title, track.artist)
            entry = found.setdefault(key, (track, set()))
            entry[1].add(member)
    result: dict[Key, tuple[Track, tuple[int, ...]]] = {}
    for key, (track, who) in found.items():
        fans = who | {m for m, p in enumerate(profiles) if likes(p, track)}
        result[key] = (track, tuple(sorted(fans)))
    return result


def _next_turn(
    shares: list[float], order: list[list[Key]], taken: set[Key],
    candidates: dict[Key, tuple[Track, tuple[int, ...]]], per_artist: dict[str, int],
    max_per_artist: int,
) -> tuple[int, Key] | None:
    """The member whose turn it is (smallest share first) and the track they pick."""
    for member in sorted(range(len(shares)), key=lambda m: (shares[m], m)):
        pick = _best(order[member], taken, candidates, per_artist, max_per_artist)
        if pick is not None:
            return member, pick
    return None


def _best(
    pool: list[Key], taken: set[Key], candidates: dict[Key, tuple[Track, tuple[int, ...]]],
    per_artist: dict[str, int], max_per_artist: int,
) -> Key | None:
    """A member's best remaining track: pool order, a shared favourite moved up a little."""
    best: tuple[int, int, Key] | None = None
    place = 0
    for key in pool:
        if key in taken:
            continue
        track, who = candidates[key]
        if per_artist.get(artist_key(track.artist), 0) >= max_per_artist:
            continue
        score = place - SHARED_BONUS * (len(who) > 1)
        if best is None or (score, place) < best[:2]:
            best = (score, place, key)
        place += 1
        if place > SHARED_BONUS and best is not None and best[0] <= place - SHARED_BONUS:
            break  # nothing further down can beat it
    return None if best is None else best[2]


def order_as_arc(tracks: Sequence[Track]) -> list[Track]:
    """One listening arc: rising energy to a peak about two thirds in, then winding down.

    A simple energy order; the relevance ranking's arc replaces it in one place.
    """
    ranked = sorted(tracks, key=lambda t: (t.energy if t.energy is not None else NEUTRAL_ENERGY))
    rise: list[Track] = []
    fall: list[Track] = []
    for n, track in enumerate(ranked):
        # Two of every three go up the slope, one down: the peak comes late.
        (fall if n % 3 == 1 else rise).append(track)
    return rise + fall[::-1]


__all__ = [
    "Mix",
    "allowed",
    "disliked",
    "group_profile",
    "likes",
    "mix",
    "order_as_arc",
    "strictest",
]

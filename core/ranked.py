"""The engine's selection with knowledge: a pool larger than the count, ranked, then arced.

Used by ``core.engine.Engine`` when it has a ``MusicKnowledge``.  One pass gathers a
pool about ``POOL_FACTOR`` times the count (the plan's songs and searches, plus the
neighbours of artists the request named), ranks it (``core.ranking``) and offers the
tracks that fit (asked scene, coherent artist) to the usual ``Selector``; further
rounds page on only while fitting tracks are short, and only then do the rest fill in,
so the count is kept.  The chosen tracks are finally ordered as a listening arc
(``core.arc``), their features filled in from the dataset where the catalogue gave none.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

from core import wording
from core.arc import Key, arc_for, arrange
from core.matching import artist_key
from core.models import (
    AudioTarget,
    Progress,
    ProgressCallback,
    Stage,
    Strategy,
    StrategyRequest,
    Track,
)
from core.ports import MusicKnowledge
from core.ranking import Ranker, RankingRequest
from core.resolve import PAGE, Resolver, SearchStats
from core.select import SelectionRules, Selector, interleave
from core.targets import (
    FeatureTarget,
    TargetFeature,
    by_feature,
    clamp_target,
    medians,
    merge,
    steer,
)

POOL_FACTOR = 3
MAX_ROUNDS = 6
NEIGHBOURS_PER_ARTIST = 4
MAX_NEIGHBOUR_QUERIES = 6
LIKE_OWN_MAX = 2  # "songs like X": at most this many of X's own
DEEP_PAGES = 2  # further pages of a named artist's search when deep cuts are asked for
LIKE_TRACK_STRENGTH = 0.6
LEAN, LEAN_STRENGTH = 0.85, 0.4  # how far a clear target leans the catalogue's pre-rank
DEEP_SKIP = 2  # "less mainstream": searches start past the pages of the biggest hits


class _Counter:
    """Counts finished searches for the progress display; ``total`` grows with each round."""

    def __init__(self, progress: ProgressCallback | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    async def report(self) -> None:
        if self.progress is None:
            return
        try:
            await self.progress(Progress(Stage.SEARCHING, self.done, self.total))
        except Exception:  # a broken progress display must never fail the playlist
            pass

    async def tick(self) -> None:
        self.done += 1
        await self.report()


class RankedSelection:
    """One plan's resolution, ranking, selection and arc (see the module docstring)."""

    def __init__(
        self, knowledge: MusicKnowledge, resolver: Resolver, strategy: Strategy,
        request: StrategyRequest, rules: SelectionRules,
    ) -> None:
        self.knowledge = knowledge
        self.ranker = Ranker(knowledge)
        self.resolver = resolver
        self.strategy = strategy
        self.request = request
        self.rules = rules

    # --- the plan, as the ranking reads it ----------------------------------------
    def _like_artists(self, previous: Sequence[Track]) -> list[str]:
        liked = [previous[n - 1].artist for n in self.strategy.like_tracks if 0 < n <= len(previous)]
        return list(dict.fromkeys([*self.strategy.like_artists, *liked]))

    def _neighbours(self, named: Sequence[str]) -> list[str]:
        out: list[str] = []
        for name in named:
            for other in self.knowledge.similar_artists(name, NEIGHBOURS_PER_ARTIST):
                if other not in out and other not in named:
                    out.append(other)
        return out[:MAX_NEIGHBOUR_QUERIES]

    def _targets(self, previous: Sequence[Track]) -> tuple[FeatureTarget, ...]:
        """The plan's targets, plus the liked tracks' sound, steered past the last version."""
        targets = self.strategy.targets
        liked = [previous[n - 1] for n in self.strategy.like_tracks if 0 < n <= len(previous)]
        if liked:
            sound = medians([self.ranker.features(t) for t in liked])
            near = [FeatureTarget(f, clamp_target(f, v), LIKE_TRACK_STRENGTH, "near")
                    for f, v in sound.items() if f not in by_feature(targets)]
            targets = merge(near, targets)
        before = self.request.previous
        if self.request.feedback and before is not None and previous:
            heard = medians([self.ranker.features(t) for t in previous])
            targets = steer(targets, before.targets, heard)
        return targets

    def _ranking_request(
        self, targets: tuple[FeatureTarget, ...], previous: Sequence[Track], like: Sequence[str],
        neighbours: Sequence[str], suggested: Sequence[Track],
    ) -> RankingRequest:
        genres = RankingRequest.catalogue_genres(self.strategy.genres)
        liked = frozenset(artist_key(a) for a in like)
        before = self.request.previous
        # what still fits may stay, unless the feedback was about familiarity itself
        stays = bool(self.request.feedback) and (
            before is None or before.familiarity == self.strategy.familiarity
        )
        continuing = frozenset(t.id for t in previous) if stays else frozenset()
        return RankingRequest(
            genres=genres,
            targets=targets,
            discovery=self.rules.discovery,
            seeds=frozenset(artist_key(a) for a in self.strategy.seed_artists) - liked,
            like=liked,
            neighbours=frozenset(artist_key(a) for a in neighbours),
            suggested=frozenset(t.id for t in suggested),
            continuing=continuing,
            scenes=RankingRequest.asked_scenes(genres),
        )

    def _queries(self, neighbours: Sequence[str], like: Sequence[str]) -> list[str]:
        strategy = self.strategy
        queries = list(strategy.queries) or [f'genre:"{g}"' for g in strategy.genres]
        for name in [*like, *neighbours]:
            query = f'artist:"{name.replace(chr(34), " ").strip()}"'
            if query.casefold() not in {q.casefold() for q in queries}:
                queries.append(query)
        return queries

    # --- the run ------------------------------------------------------------------
    async def run(self, previous: Sequence[Track], progress: ProgressCallback | None) -> Selector:
        """Resolves, ranks, selects and orders; the returned selector holds the result."""
        strategy, request = self.strategy, self.request
        like = self._like_artists(previous)
        neighbours = self._neighbours([*strategy.seed_artists, *like])
        limits = {artist_key(a): LIKE_OWN_MAX for a in like}
        selector = Selector(dataclasses.replace(self.rules, artist_limits=limits))
        if previous:
            # A refinement keeps the tracks the model chose to keep, first.
            selector.offer(previous[n - 1] for n in strategy.keep if 0 < n <= len(previous))
        queries = self._queries(neighbours, like)
        wanted = request.count * POOL_FACTOR + min(len(self.rules.exclude_ids), request.count * 3)
        spare = max(0, wanted - len(strategy.songs) - len(selector.chosen))
        pages = max(1, math.ceil(spare / (PAGE * max(1, len(queries))))) if queries else 0
        stats = SearchStats()
        counter = _Counter(progress, total=len(strategy.songs) + pages * len(queries))
        await counter.report()
        targets = self._targets(previous)
        target = _audio_target(targets) if targets else strategy.audio_target()
        skip = DEEP_SKIP if self.rules.discovery == "deep" else 0
        found, per_query = await self._first_round(queries, pages, skip, target, counter, stats)
        confirmed = [t for t in found if t is not None]
        per_query += await self._deeper(queries, per_query, pages, target, counter, stats)
        pool = [*confirmed, *previous_pool(request, strategy, previous)]
        ranking = self._ranking_request(targets, previous, like, neighbours, confirmed)
        offset, rounds, open_queries = skip, 1, queries
        while True:
            pool.extend(interleave(per_query))
            per_query = per_query[: len(open_queries)]
            scored = self.ranker.rank(pool, ranking)
            selector.offer_candidates(s.track for s in scored if s.fits)
            open_queries = [q for q, hits in zip(open_queries, per_query, strict=True)
                            if len(hits) >= pages * PAGE]
            if not selector.missing or rounds >= MAX_ROUNDS or not open_queries:
                break
            offset += pages
            # fitting tracks are scarce here (a genre full of another scene): page on faster
            pages = max(1, math.ceil(selector.missing * POOL_FACTOR * rounds
                                     / (PAGE * len(open_queries))))
            counter.total += pages * len(open_queries)
            _, per_query = await self.resolver.resolve(
                (), open_queries, pages=pages, offset_pages=offset, target=target,
                on_search_done=counter.tick, stats=stats,
            )
            rounds += 1
        selector.offer_candidates(s.track for s in scored if not s.fits)
        if progress is not None:
            await progress(Progress(Stage.SELECTING))
        selector.finish()
        self._note_missing(selector, pool, like)
        selector.chosen[:] = self._arranged(selector.chosen)
        return selector

    async def _first_round(
        self, queries: list[str], pages: int, skip: int, target: AudioTarget, counter: _Counter,
        stats: SearchStats,
    ) -> tuple[list[Track | None], list[list[Track]]]:
        """The plan's songs and every query's first pages; for deep cuts, a genre's search
        starts past its biggest hits (a named artist's own search never does)."""
        skipped = [q for q in queries if skip and not q.casefold().startswith("artist:")]
        direct = [q for q in queries if q not in skipped]
        found, hits = await self.resolver.resolve(
            self.strategy.songs, direct, pages=pages, target=target,
            on_search_done=counter.tick, stats=stats,
        )
        by_query = dict(zip(direct, hits, strict=True))
        if skipped:
            _, deep_hits = await self.resolver.resolve(
                (), skipped, pages=pages, offset_pages=skip, target=target,
                on_search_done=counter.tick, stats=stats,
            )
            for query, got in zip(skipped, deep_hits, strict=True):
                by_query[query] = got
        return found, [by_query[q] for q in queries]

    async def _deeper(
        self, queries: Sequence[str], per_query: Sequence[Sequence[Track]], pages: int,
        target: AudioTarget, counter: _Counter, stats: SearchStats,
    ) -> list[list[Track]]:
        """"X deep cuts": X's less popular tracks lie past the first pages of their search."""
        if self.rules.discovery != "deep":
            return []
        seeds = {f'artist:"{a}"'.casefold() for a in self.strategy.seed_artists}
        deeper = [q for q, hits in zip(queries, per_query, strict=True)
                  if q.casefold() in seeds and len(hits) >= pages * PAGE]
        if not deeper:
            return []
        counter.total += DEEP_PAGES * len(deeper)
        _, more = await self.resolver.resolve(
            (), deeper, pages=DEEP_PAGES, offset_pages=pages, target=target,
            on_search_done=counter.tick, stats=stats,
        )
        return more

    def _note_missing(self, selector: Selector, pool: Sequence[Track], like: Sequence[str]) -> None:
        """Says plainly which named artists the catalogue has no songs by."""
        present = {artist_key(a) for t in pool for a in t.artists}
        missing = [name for name in dict.fromkeys([*self.strategy.seed_artists, *like])
                   if artist_key(name) not in present and self.knowledge.artist(name) is None]
        if missing:
            selector.missing_artists.extend(missing)
            selector.notes.append(wording.artists_not_in_catalogue(missing))

    def _arranged(self, chosen: Sequence[Track]) -> list[Track]:
        enriched = [self.ranker.enrich(t) for t in chosen]

        def key(track: Track) -> Key | None:
            known = self.knowledge.features(track)
            return (known.key, known.mode) if known is not None and known.key >= 0 else None

        return arrange(enriched, arc_for(self.strategy), self.ranker.features, key)


def previous_pool(
    request: StrategyRequest, strategy: Strategy, previous: Sequence[Track]
) -> Sequence[Track]:
    """A refinement's current tracks, as candidates that may stay (not when the feedback
    asked for other familiarity: "less mainstream" wants every hit replaced)."""
    if not request.feedback:
        return ()
    before = request.previous
    if before is not None and before.familiarity != strategy.familiarity:
        return ()
    return previous


def _audio_target(targets: Sequence[FeatureTarget]) -> AudioTarget:
    """The targets a catalogue that knows features can pre-rank by (tempo it cannot).

    A clear "up" or "down" target is leaned towards its end of the scale, so the pool
    holds the genre's calmest (or most danceable...) tracks for the ranking to choose from.
    """
    goals = by_feature(targets)

    def value(name: TargetFeature) -> float | None:
        goal = goals.get(name)
        if goal is None:
            return None
        if goal.direction == "near" or goal.strength < LEAN_STRENGTH:
            return goal.value
        end = 0.95 if goal.upward else 0.05
        return round(goal.value + (end - goal.value) * LEAN, 2)

    return AudioTarget(
        energy=value("energy"), valence=value("valence"), danceability=value("danceability"),
        acousticness=value("acousticness"), instrumentalness=value("instrumentalness"),
    )



"""The engine: the verbs every chat adapter calls.

It returns values (a Playlist, a LimitsStatus, a Health) and raises
``EchoTunerError`` subclasses whose ``user_message`` an adapter shows as is; it
never sends anything itself.  Collaborators are passed in.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from core import wording
from core.errors import (
    DeliveryFailed,
    DraftNotFound,
    EchoTunerError,
    InvalidInput,
    NotAboutMusic,
    NothingFound,
    NotYourPlaylist,
    QuotaExceeded,
    RefinementLimitReached,
)
from core.guard import MIN_SONGS, check_count, clean_text
from core.identity import UserKeys
from core.matching import dedup_key, is_seasonal, is_track_id
from core.models import (
    AudioTarget,
    DependencyStatus,
    Draft,
    DraftVersion,
    Health,
    LimitSettings,
    LimitsStatus,
    Playlist,
    Profile,
    Progress,
    ProgressCallback,
    Stage,
    Strategy,
    StrategyAnswer,
    StrategyRequest,
    Track,
    UserRef,
    ValidationResult,
)
from core.ports import (
    ChatModel,
    EngineObserver,
    MusicCatalogue,
    MusicKnowledge,
    PromptValidator,
    Store,
)
from core.prompting import track_line, untrusted_text
from core.ranked import RankedSelection
from core.resolve import PAGE, Resolver, SearchStats
from core.select import SelectionRules, Selector

log = logging.getLogger(__name__)

HARD_MAX_SONGS = 100
# Bounds on a client's adopted track text (stored and shown; the model prompt bounds again).
MAX_ADOPTED_TEXT = 200
MAX_ADOPTED_ARTISTS = 10
# Hands a finished playlist to its user (sends the chat message); raising means "not delivered".
Deliver = Callable[[Playlist], Awaitable[None]]
MAX_SEARCH_ROUNDS = 4


# The name the rule-based planner answers under (``adapters.ai.offline``): it plans but
# cannot judge whether a prompt is about music.
OFFLINE_PROVIDER = "offline"


@dataclass(frozen=True)
class Composed:
    """A playlist a caller put together (a blend of several tastes), before it is stored."""

    title: str
    strategy: Strategy
    provider: str
    tracks: tuple[Track, ...]


# Composes a playlist for (the cleaned prompt, the song count); see ``generate_composed``.
Compose = Callable[[str, int], Awaitable[Composed]]
# Whether the user with this key may open and save this draft though not its owner.
SharedWith = Callable[[int, str], Awaitable[bool]]


@dataclass(frozen=True)
class EngineConfig:
    """Operator settings the engine needs (built from the bot's Settings)."""

    defaults: LimitSettings = field(default_factory=LimitSettings)
    default_count: int = 20
    max_prompt_length: int = 500
    max_feedback_length: int = 300
    max_tracks_per_artist: int = 3
    draft_ttl: timedelta = timedelta(hours=72)
    search_concurrency: int = 8
    health_timeout_s: float = 3.0
    # How long a quota reservation counts unconfirmed: longer than any generation (the
    # model timeouts and fallbacks included), short enough that a crashed process's
    # reservation comes back the same day.
    reservation_ttl: timedelta = timedelta(minutes=10)
    # A language model (not only the offline planner) is configured: it judges the
    # prompts the lexical check is unsure of, in its planning call.
    model_judges: bool = False


@dataclass(frozen=True)
class Swept:
    """What one housekeeping round removed."""

    drafts: int = 0
    reservations: int = 0


def utc_day(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%d")


def next_utc_midnight(now: datetime) -> datetime:
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day + timedelta(days=1)


@dataclass
class _SearchProgress:
    """Counts finished searches for the progress display; ``total`` grows with each round."""

    progress: ProgressCallback | None
    total: int
    done: int = 0

    async def report(self) -> None:
        await report_progress(self.progress, Progress(Stage.SEARCHING, self.done, self.total))

    async def tick(self) -> None:
        self.done += 1
        await self.report()


async def report_progress(progress: ProgressCallback | None, event: Progress) -> None:
    """Tells ``progress`` of ``event``; a broken progress display never fails the work."""
    if progress is None:
        return
    try:
        await progress(event)
    except Exception:  # a broken progress display must never fail the playlist (or blend)
        log.warning("progress callback failed", exc_info=True)


class Engine:
    """Generates and refines playlists; keeps quotas, drafts, profiles and limits."""

    def __init__(
        self,
        *,
        store: Store,
        model: ChatModel,
        catalogue: MusicCatalogue,
        validator: PromptValidator,
        keys: UserKeys,
        config: EngineConfig | None = None,
        clock: Callable[[], datetime] | None = None,
        observer: EngineObserver | None = None,
        knowledge: MusicKnowledge | None = None,
    ) -> None:
        """``observer`` hears how each playlist request ended and how long it took (metrics).

        ``knowledge`` (the bundled dataset's artists and features) turns on the scene-aware
        ranking and the listening arc (``core.ranked``); without it candidates are taken in
        the catalogue's order.
        """
        self.store = store
        self.model = model
        self.catalogue = catalogue
        self.validator = validator
        self.keys = keys
        self.config = config or EngineConfig()
        self._clock = clock or (lambda: datetime.now(UTC))
        self.observer = observer
        self._resolver = Resolver(catalogue, concurrency=self.config.search_concurrency)
        self._health_checks: dict[str, Callable[[], Awaitable[DependencyStatus]]] = {}
        self.knowledge = knowledge
        # Who besides a draft's owner may open and save it (a blend's members); None:
        # the owner alone.  Set by the blends (``core.blend_invites``).
        self.shared_with: SharedWith | None = None

    def now(self) -> datetime:
        """The engine's clock (UTC): what drafts, quotas and blends are timed by."""
        return self._clock()

    # --- limits ---------------------------------------------------------------
    async def limit_settings(self, scope: str) -> LimitSettings:
        """The limits in force for a scope: its admin's settings or the operator's."""
        stored = await self.store.get_limit_settings(self.keys.scope_key(scope))
        return stored or self.config.defaults

    async def limits_status(self, user: UserRef) -> LimitsStatus:
        now = self._clock()
        key, scope = self.keys.key(user), self.keys.scope_key(user.scope)
        settings = await self.limit_settings(user.scope)
        used = await self.store.playlists_used(key, scope, utc_day(now), now)
        latest = await self.store.latest_draft(key, scope, now)
        return LimitsStatus(
            settings=settings,
            playlists_used_today=used,
            resets_at=next_utc_midnight(now),
            latest_draft_id=latest.id if latest else None,
            refinements_used=latest.refinements_used if latest else 0,
        )

    async def set_limits(self, scope: str, settings: LimitSettings) -> LimitSettings:
        """Stores a scope's limits; the caller has checked the admin's permission."""
        if not MIN_SONGS <= settings.max_songs <= HARD_MAX_SONGS:
            raise InvalidInput(wording.max_songs_out_of_range(MIN_SONGS, HARD_MAX_SONGS))
        if not 0 <= settings.max_playlists_per_day <= 10_000:
            raise InvalidInput(wording.DAILY_PLAYLISTS_OUT_OF_RANGE())
        if not 0 <= settings.max_refinements_per_playlist <= 1_000:
            raise InvalidInput(wording.REFINEMENTS_OUT_OF_RANGE())
        if not 2 <= settings.max_blend_members <= 10:
            raise InvalidInput(wording.BLEND_MEMBERS_RANGE())
        await self.store.set_limit_settings(self.keys.scope_key(scope), settings)
        return settings

    # --- profiles -------------------------------------------------------------
    async def get_profile(self, user: UserRef) -> Profile:
        return await self.store.get_profile(self.keys.key(user)) or Profile()

    async def set_profile(self, user: UserRef, profile: Profile) -> Profile:
        await self.store.save_profile(self.keys.key(user), profile)
        return profile

    # --- generate -------------------------------------------------------------
    async def generate(
        self,
        user: UserRef,
        prompt: str,
        count: int | None = None,
        progress: ProgressCallback | None = None,
        profile: Profile | None = None,
        deliver: Deliver | None = None,
        min_count: int = MIN_SONGS,
    ) -> Playlist:
        """Plans, resolves and stores a new playlist; charges one playlist only on success.

        ``count``: the number of songs (None: the configured default).  Text is parsed by
        the caller (``core.guard.parse_count``); the prompt and count are still checked here,
        whatever arrives, since a JSON body can carry anything.
        ``profile`` replaces the user's stored taste for this one request (API clients
        send their own context).  ``deliver``, when given, hands the playlist to the user
        before it is charged: if it raises, nothing is charged and ``DeliveryFailed``
        says so (a chat platform that cannot send the answer must not cost a playlist).
        ``min_count``: the fewest songs one may ask for (the REST API allows 1, as EchoTuner's).
        """
        return await self._observed(
            "generate", self._generate(user, prompt, count, progress, profile, deliver, min_count)
        )

    async def _generate(
        self,
        user: UserRef,
        prompt: str,
        count: int | None,
        progress: ProgressCallback | None,
        profile: Profile | None,
        deliver: Deliver | None = None,
        min_count: int = MIN_SONGS,
    ) -> Playlist:
        text = clean_text(prompt, max_length=self.config.max_prompt_length)
        settings = await self.limit_settings(user.scope)
        wanted = check_count(count, default=self.config.default_count, max_songs=settings.max_songs,
                             min_songs=min_count)
        reservation = await self._reserve_playlist(user, settings)
        key = self.keys.key(user)

        async def work() -> Playlist:
            doubt = await self._check_music(text, progress)
            taste = profile if profile is not None else await self.get_profile(user)
            request = StrategyRequest(prompt=text, count=wanted, profile=taste,
                                      judge_music=doubt is not None)
            return await self._build(request, progress, user=user, key=key, draft=None,
                                     doubt=doubt)

        return await self._charged(reservation, work(), deliver)

    async def _reserve_playlist(self, user: UserRef, settings: LimitSettings) -> int:
        """Reserves one of today's playlists (one atomic statement) or raises QuotaExceeded."""
        now = self._clock()
        key, scope, day = self.keys.key(user), self.keys.scope_key(user.scope), utc_day(now)
        limit = settings.max_playlists_per_day if settings.playlist_limit_enabled else None
        reservation = await self.store.reserve_playlist(
            key, scope, day, limit, now, now + self.config.reservation_ttl
        )
        if reservation is None:
            self._refused("playlist")
            resets = next_utc_midnight(now)
            raise QuotaExceeded(wording.quota_used(limit or 0, f"{resets:%H:%M}"), resets)
        return reservation

    async def _check_music(
        self, text: str, progress: ProgressCallback | None
    ) -> ValidationResult | None:
        """Refuses text that is not a music request (inside the charge: refused costs nothing).

        A refusal out of doubt goes on to a configured language model instead, which
        judges the prompt in its planning call: the doubtful verdict is returned for
        ``_build`` to apply if the model cannot judge.
        """
        await report_progress(progress, Progress(Stage.VALIDATING))
        verdict = await self.validator.validate(text)
        if verdict.ok:
            return None
        if verdict.unsure and self.config.model_judges:
            return verdict
        raise self._not_music(verdict.reason)

    @staticmethod
    def _not_music(reason: str) -> NotAboutMusic:
        return NotAboutMusic(reason or wording.NOT_ABOUT_MUSIC())

    def _judged(self, answer: StrategyAnswer, doubt: ValidationResult | None) -> None:
        """Applies the model's verdict on a doubtful prompt: "not music" refuses with its
        reason; an answer that did not judge (the offline fallback) leaves the doubt a no."""
        if doubt is None:
            return
        verdict = answer.strategy.is_music_request
        if verdict is False:
            reason = answer.strategy.reason
            # the model's words reach the user: a plain sentence, never a link or markup
            if any(mark in reason.casefold() for mark in ("://", "www.", "<", "[", "`")):
                reason = ""
            raise self._not_music(reason or doubt.reason)
        if verdict is None and answer.provider == OFFLINE_PROVIDER:
            raise self._not_music(doubt.reason)

    async def _charged(
        self, reservation: int, work: Awaitable[Playlist], deliver: Deliver | None = None
    ) -> Playlist:
        """Runs ``work`` on a reservation: confirmed when it delivers, given back otherwise.

        A process killed here leaves the reservation row behind; it stops counting
        when it expires and a housekeeping sweep (any process's) deletes it.
        """
        try:
            playlist = await work
            if deliver is not None:
                try:
                    await deliver(playlist)  # only a playlist the user got is charged
                except Exception as exc:
                    raise DeliveryFailed("the playlist could not be delivered") from exc
            # Shielded: once the playlist exists, a cancellation must not undo its charge
            # half-way (the confirmation is one transaction either way).
            if not await asyncio.shield(self.store.confirm_reservation(reservation)):
                log.warning(
                    "a quota reservation expired before its playlist was ready; the playlist "
                    "was delivered uncounted (raise RESERVATION_TTL_SECONDS if this repeats)"
                )
        except BaseException:
            # Nothing was delivered: give the reservation back, whatever went wrong.
            try:
                await asyncio.shield(self.store.cancel_reservation(reservation))
            except Exception as exc:  # the original error matters more; the row expires
                log.warning("could not give a reservation back (%s); it will expire by itself",
                            type(exc).__name__)
            raise
        return playlist

    def _refused(self, kind: str) -> None:
        if self.observer is not None:
            self.observer.limit_refused(kind)

    async def _observed(self, verb: str, work: Awaitable[Playlist]) -> Playlist:
        """Awaits ``work`` and tells the observer how it ended and how long it took."""
        if self.observer is None:
            return await work
        started = time.perf_counter()
        outcome = "ok"
        try:
            return await work
        except EchoTunerError as exc:
            outcome = exc.code
            raise
        except DeliveryFailed:
            outcome = "undelivered"
            raise
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        except Exception:
            outcome = "internal"
            raise
        finally:
            self.observer.playlist_finished(verb, outcome, time.perf_counter() - started)

    # --- refine / regenerate -------------------------------------------------------
    async def refine(
        self,
        user: UserRef,
        feedback: str,
        draft_id: int | None = None,
        progress: ProgressCallback | None = None,
        count: int | None = None,
        deliver: Deliver | None = None,
        min_count: int = MIN_SONGS,
        version: int | None = None,
    ) -> Playlist:
        """Makes a new version of one of the user's drafts (their latest when no id).

        ``count`` changes the playlist's length; by default it stays as it was.
        ``deliver``, ``min_count``: as for ``generate``.  ``version`` refines that version of
        the draft (the one the user is looking at) instead of its latest; the result is
        numbered after the latest either way.
        """
        text = clean_text(feedback, max_length=self.config.max_feedback_length, what="feedback")
        return await self._observed(
            "refine", self._new_version(user, draft_id, text, progress, count, deliver, min_count,
                                        version)
        )

    async def regenerate(
        self, user: UserRef, draft_id: int | None = None, progress: ProgressCallback | None = None,
        deliver: Deliver | None = None, version: int | None = None,
    ) -> Playlist:
        """A fresh take on the same prompt; costs a refinement.

        It shares at most a quarter of its tracks with any earlier version of the draft
        (none when the catalogue has enough new matches); its note says so when the
        catalogue ran short of new matches.  ``version``: the version the user is looking
        at, rather than the latest.
        """
        return await self._observed(
            "regenerate", self._new_version(user, draft_id, None, progress, None, deliver,
                                            version=version)
        )

    async def _new_version(
        self,
        user: UserRef,
        draft_id: int | None,
        feedback: str | None,
        progress: ProgressCallback | None,
        count: int | None = None,
        deliver: Deliver | None = None,
        min_count: int = MIN_SONGS,
        version: int | None = None,
    ) -> Playlist:
        draft = await self.own_draft(user, draft_id)
        if version is not None:
            # Built from the version the user was looking at; the store still numbers the
            # new one after the latest, so no version is ever replaced.
            draft = dataclasses.replace(draft, latest=await self.draft_version(draft, version))
        settings = await self.limit_settings(user.scope)
        wanted = check_count(count, default=draft.latest.requested_count,
                             max_songs=settings.max_songs, min_songs=min_count)
        reservation = await self._reserve_refinement(draft, settings)

        async def work() -> Playlist:
            profile = await self.get_profile(user)
            if feedback is None:
                return await self._regenerated(draft, wanted, profile, progress, user)
            latest = draft.latest
            request = StrategyRequest(
                prompt=draft.prompt,
                count=wanted,
                profile=profile,
                feedback=feedback,
                previous=latest.strategy,
                previous_tracks=tuple(track_line(t.title, t.artist) for t in latest.tracks),
            )
            return await self._build(request, progress, user=user, key=draft.owner_key, draft=draft)

        return await self._charged(reservation, work(), deliver)

    async def _reserve_refinement(self, draft: Draft, settings: LimitSettings) -> int:
        """Reserves one of the draft's refinements (one atomic statement) or raises
        RefinementLimitReached."""
        limit = (
            settings.max_refinements_per_playlist if settings.refinement_limit_enabled else None
        )
        now = self._clock()
        reservation = await self.store.reserve_refinement(
            draft.id, limit, now, now + self.config.reservation_ttl
        )
        if reservation is None:
            self._refused("refinement")
            raise RefinementLimitReached(wording.refinements_used_up(limit or 0))
        return reservation

    async def _regenerated(
        self, draft: Draft, wanted: int, profile: Profile, progress: ProgressCallback | None,
        user: UserRef,
    ) -> Playlist:
        """A fresh take on the draft's prompt, avoiding every track of its versions so far."""
        earlier = await self._earlier_tracks(draft)
        request = StrategyRequest(
            prompt=draft.prompt, count=wanted, profile=profile,
            avoid_tracks=tuple(dict.fromkeys(track_line(t.title, t.artist) for t in earlier)),
        )
        return await self._build(request, progress, user=user, key=draft.owner_key,
                                 draft=draft, avoid=earlier)

    async def _earlier_tracks(self, draft: Draft) -> list[Track]:
        """Every track of every version of ``draft`` so far (what a regeneration avoids).

        Read from the store, up to its latest version, whichever version ``draft`` holds.
        """
        stored = await self.store.get_draft(draft.id, self._clock())
        latest = stored.latest if stored is not None else draft.latest
        tracks: list[Track] = []
        for number in range(1, latest.version):
            version = await self.store.get_draft_version(draft.id, number)
            if version is not None:
                tracks.extend(version.tracks)
        tracks.extend(latest.tracks)
        return tracks

    async def adopt(
        self,
        user: UserRef,
        feedback: str,
        tracks: Sequence[Track],
        count: int | None = None,
        progress: ProgressCallback | None = None,
        deliver: Deliver | None = None,
        min_count: int = MIN_SONGS,
    ) -> Playlist:
        """Refines a playlist a client already has (``tracks``) by ``feedback``.

        It is a full planning run, so it costs what ``generate`` costs: one of today's
        playlists, reserved atomically, charged only when delivered, given back when the
        failure is ours; the feedback gets the same music check (refused costs nothing).
        Only on success is a draft kept: the client's tracks as version 1 and the
        refinement as version 2, with the refinement allowance of a new playlist.
        The client's titles and artists are untrusted text: control characters stripped,
        bounded, and quoted as data in the model prompt.  ``count`` defaults to the
        number of tracks sent; ``deliver``, ``min_count``: as for ``generate``.
        """
        return await self._observed(
            "adopt", self._adopt(user, feedback, tracks, count, progress, deliver, min_count)
        )

    async def _adopt(
        self,
        user: UserRef,
        feedback: str,
        tracks: Sequence[Track],
        count: int | None,
        progress: ProgressCallback | None,
        deliver: Deliver | None,
        min_count: int,
    ) -> Playlist:
        text = clean_text(feedback, max_length=self.config.max_feedback_length, what="feedback")
        settings = await self.limit_settings(user.scope)
        adopted = self._adopted_tracks(tracks, settings.max_songs)
        wanted = check_count(count, default=max(min_count, len(adopted)),
                             max_songs=settings.max_songs, min_songs=min_count)
        reservation = await self._reserve_playlist(user, settings)
        key = self.keys.key(user)

        async def work() -> Playlist:
            doubt = await self._check_music(text, progress)
            now = self._clock()
            title = text[:100]
            first = DraftVersion(
                version=1, title=title, strategy=Strategy(title=title), tracks=adopted,
                provider="client", catalogue=self.catalogue.name,
                requested_count=len(adopted), created_at=now,
            )
            request = StrategyRequest(
                prompt=text, count=wanted, profile=await self.get_profile(user), feedback=text,
                previous=first.strategy,
                previous_tracks=tuple(track_line(t.title, t.artist) for t in adopted),
                judge_music=doubt is not None,
            )
            return await self._build(request, progress, user=user, key=key, draft=None,
                                     adopted=first, doubt=doubt)

        return await self._charged(reservation, work(), deliver)

    @staticmethod
    def _adopted_tracks(tracks: Sequence[Track], max_songs: int) -> tuple[Track, ...]:
        """A client's tracks checked (count, ids) and their text cleaned and bounded."""
        if not 1 <= len(tracks) <= max_songs:
            raise InvalidInput(wording.send_songs(max_songs))
        bad = [t.id for t in tracks if not is_track_id(t.id)]
        if bad:
            raise InvalidInput(wording.not_a_track_id(bad[0]))
        cleaned: list[Track] = []
        for track in tracks:
            artists = tuple(a for a in (untrusted_text(a, MAX_ADOPTED_TEXT)
                                        for a in track.artists[:MAX_ADOPTED_ARTISTS]) if a)
            title = untrusted_text(track.title, MAX_ADOPTED_TEXT)
            if not title or not artists:
                raise InvalidInput(wording.SONG_NEEDS_TITLE_AND_ARTIST())
            cleaned.append(dataclasses.replace(
                track, title=title, artists=artists,
                album=untrusted_text(track.album, MAX_ADOPTED_TEXT),
            ))
        return tuple(cleaned)

    async def own_draft(self, user: UserRef, draft_id: int | None, *, shared: bool = False) -> Draft:
        """The user's draft by id, or their latest in this scope; refuses others' drafts.

        ``shared``: a draft shared with the user (a blend they are in) is theirs to read
        and save too.
        """
        now = self._clock()
        key = self.keys.key(user)
        if draft_id is None:
            draft = await self.store.latest_draft(key, self.keys.scope_key(user.scope), now)
        else:
            draft = await self.store.get_draft(draft_id, now)
        if draft is None:
            hours = int(self.config.draft_ttl.total_seconds() // 3600)
            raise DraftNotFound(wording.draft_not_found(hours))
        if draft.owner_key != key and not (
            shared and self.shared_with is not None and await self.shared_with(draft.id, key)
        ):
            raise NotYourPlaylist(wording.SOMEONE_ELSES_PLAYLIST())
        return draft

    async def get_playlist(
        self, user: UserRef, draft_id: int, version: int | None = None, *, shared: bool = False
    ) -> Playlist:
        """The latest version of one of the user's drafts, or its ``version``."""
        draft = await self.own_draft(user, draft_id, shared=shared)
        shown = await self.draft_version(draft, version)
        return self._playlist(draft.id, draft.prompt, shown, draft.expires_at,
                              draft.refinements_used)

    async def draft_version(self, draft: Draft, version: int | None) -> DraftVersion:
        """One version of ``draft`` (its latest for None); ``DraftNotFound`` if it has no such."""
        if version is None or version == draft.latest.version:
            return draft.latest
        found = (await self.store.get_draft_version(draft.id, version)
                 if 1 <= version < draft.latest.version else None)
        if found is None:
            raise DraftNotFound(wording.VERSION_NOT_FOUND())
        return found

    # --- composed playlists (blends) ----------------------------------------------
    async def candidates(
        self, request: StrategyRequest, progress: ProgressCallback | None = None
    ) -> tuple[StrategyAnswer, tuple[Track, ...]]:
        """Plans, resolves and selects for one taste as ``generate`` does, storing and
        charging nothing: one member's pool of a blend, best first."""
        answer = await self.model.plan(request)
        selector = await self._resolve_and_select(answer.strategy, request, progress)
        return answer, tuple(selector.chosen)

    async def generate_composed(
        self,
        user: UserRef,
        prompt: str,
        count: int | None,
        compose: Compose,
        *,
        check_prompt: bool = True,
        progress: ProgressCallback | None = None,
        deliver: Deliver | None = None,
    ) -> Playlist:
        """A new draft of ``user``'s whose tracks ``compose`` chooses (a blend).

        It costs what ``generate`` costs, once: one of ``user``'s playlists today, reserved
        atomically, charged only when ``deliver`` has handed it over, given back on any
        failure.  ``check_prompt``: whether the prompt gets the music check (not for a
        prompt we wrote ourselves).
        """
        return await self._observed("blend", self._composed(
            user, prompt, count, compose, check_prompt, progress, deliver))

    async def _composed(
        self, user: UserRef, prompt: str, count: int | None, compose: Compose,
        check_prompt: bool, progress: ProgressCallback | None, deliver: Deliver | None,
    ) -> Playlist:
        text = clean_text(prompt, max_length=self.config.max_prompt_length)
        settings = await self.limit_settings(user.scope)
        wanted = check_count(count, default=self.config.default_count, max_songs=settings.max_songs)
        reservation = await self._reserve_playlist(user, settings)
        key = self.keys.key(user)

        async def work() -> Playlist:
            if check_prompt:
                await self._check_music(text, progress)
            made = await compose(text, wanted)
            if not made.tracks:
                raise self._nothing_found(fresh_take=False)
            now = self._clock()
            expires = now + self.config.draft_ttl
            version = DraftVersion(
                version=1, title=made.title, strategy=made.strategy, tracks=made.tracks,
                provider=made.provider, catalogue=self.catalogue.name, requested_count=wanted,
                created_at=now, note=self._shortfall_note(len(made.tracks), wanted, 0, False),
            )
            draft_id = await self.store.create_draft(
                key, self.keys.scope_key(user.scope), text, version, expires)
            await report_progress(progress, Progress(Stage.DONE))
            return self._playlist(draft_id, text, version, expires, 0)

        return await self._charged(reservation, work(), deliver)

    # --- the shared pipeline ----------------------------------------------------
    async def _build(
        self,
        request: StrategyRequest,
        progress: ProgressCallback | None,
        *,
        user: UserRef,
        key: str,
        draft: Draft | None,
        avoid: Sequence[Track] = (),
        adopted: DraftVersion | None = None,
        doubt: ValidationResult | None = None,
    ) -> Playlist:
        """Plans, resolves, selects and stores the next version.

        ``avoid``: earlier tracks a regeneration must not repeat (see ``Selector.finish``).
        ``adopted``: a client's playlist, stored as version 1 of a new draft beside the result.
        """
        await report_progress(progress, Progress(Stage.ASKING_MODEL))
        answer = await self.model.plan(request)
        self._judged(answer, doubt)
        strategy = answer.strategy
        if adopted is not None:
            previous = adopted.tracks
        else:
            previous = draft.latest.tracks if draft is not None and not avoid else ()
        selector = await self._resolve_and_select(strategy, request, progress, previous, avoid)
        tracks = selector.chosen
        if not tracks:
            if selector.missing_artists:
                raise NothingFound(wording.no_songs_by(selector.missing_artists))
            raise self._nothing_found(fresh_take=bool(avoid))
        note = self._shortfall_note(len(tracks), request.count, selector.reused, bool(avoid))
        if selector.notes:
            note = " ".join([*selector.notes, *([note] if note else [])])
        now = self._clock()
        expires = now + self.config.draft_ttl
        version = DraftVersion(
            version=1 if draft is None else draft.latest.version + 1,
            title=strategy.title,
            strategy=strategy,
            tracks=tuple(tracks),
            provider=answer.provider,
            catalogue=self.catalogue.name,
            requested_count=request.count,
            created_at=now,
            feedback=request.feedback,
            note=note,
        )
        draft_id, version, refinements = await self._store_version(
            version, expires, user=user, key=key, prompt=request.prompt, draft=draft,
            adopted=adopted,
        )
        await report_progress(progress, Progress(Stage.DONE))
        return self._playlist(draft_id, request.prompt, version, expires, refinements)

    async def _store_version(
        self, version: DraftVersion, expires: datetime, *, user: UserRef, key: str, prompt: str,
        draft: Draft | None, adopted: DraftVersion | None,
    ) -> tuple[int, DraftVersion, int]:
        """Stores ``version`` as the first of a new draft, the next of ``draft``, or the one
        after an ``adopted`` playlist (a new draft too).

        Returns the draft's id, the version as the store numbered it, and the refinements
        the draft has used.
        """
        if adopted is not None:
            # Only now, with the refinement in hand, is the adopted playlist kept.
            draft_id = await self.store.create_draft(
                key, self.keys.scope_key(user.scope), prompt, adopted, expires
            )
            number = await self.store.add_draft_version(draft_id, version, expires)
            return draft_id, dataclasses.replace(version, version=number), 0
        if draft is None:
            draft_id = await self.store.create_draft(
                key, self.keys.scope_key(user.scope), prompt, version, expires
            )
            return draft_id, version, 0
        number = await self.store.add_draft_version(draft.id, version, expires)
        return draft.id, dataclasses.replace(version, version=number), draft.refinements_used + 1

    @staticmethod
    def _nothing_found(*, fresh_take: bool) -> NothingFound:
        """The refusal when no track fits (a regeneration: no new track fits)."""
        if fresh_take:
            return NothingFound(wording.NO_NEW_MATCHES())
        return NothingFound(wording.NOTHING_FOUND())

    @staticmethod
    def _shortfall_note(found: int, wanted: int, reused: int, fresh_take: bool) -> str | None:
        """The honest remark when a playlist is shorter, or less new, than asked for."""
        if fresh_take and (reused or found < wanted):
            new = found - reused
            if reused:
                return wording.short_of_new_songs(new, found, reused, wanted)
            return wording.fewer_new_songs(new, wanted)
        if found < wanted:
            return wording.fewer_songs(found, wanted)
        return None

    def _playlist(
        self, draft_id: int, prompt: str, version: DraftVersion, expires: datetime, refinements: int
    ) -> Playlist:
        return Playlist(
            draft_id=draft_id,
            version=version.version,
            title=version.title,
            prompt=prompt,
            tracks=version.tracks,
            requested_count=version.requested_count,
            provider=version.provider,
            catalogue=version.catalogue,
            created_at=version.created_at,
            expires_at=expires,
            strategy=version.strategy,
            feedback=version.feedback,
            note=version.note,
            refinements_used=refinements,
        )

    async def _resolve_and_select(
        self,
        strategy: Strategy,
        request: StrategyRequest,
        progress: ProgressCallback | None,
        previous: tuple[Track, ...] = (),
        avoid: Sequence[Track] = (),
    ) -> Selector:
        rules = self._selection_rules(strategy, request, avoid)
        if self.knowledge is not None:
            ranked = RankedSelection(self.knowledge, self._resolver, strategy, request, rules)
            return await ranked.run(previous, progress)
        selector = Selector(rules)
        if previous:
            # A refinement keeps the tracks the model chose to keep, first and in order.
            selector.offer(previous[n - 1] for n in strategy.keep if 0 < n <= len(previous))
        queries = list(strategy.queries) or [f'genre:"{g}"' for g in strategy.genres]
        target = strategy.audio_target()
        # Enough pages in the first round that one round usually suffices; avoided (earlier)
        # tracks will come up again in the same searches, so page past them too.
        wanted = request.count * 2 + min(len(rules.exclude_ids), request.count * 3)
        spare = max(0, wanted - len(strategy.songs) - len(selector.chosen))
        pages = max(1, math.ceil(spare / (PAGE * max(1, len(queries))))) if queries else 0
        stats = SearchStats()
        counter = _SearchProgress(progress, total=len(strategy.songs) + pages * len(queries))
        await counter.report()
        confirmed, per_query = await self._resolver.resolve(
            strategy.songs, queries, pages=pages, target=target, on_search_done=counter.tick,
            stats=stats,
        )
        selector.offer_candidates(t for t in confirmed if t is not None)
        selector.offer_query_results(per_query)
        await self._search_further(selector, queries, per_query, pages, target, counter, stats)
        await report_progress(progress, Progress(Stage.SELECTING))
        selector.finish()
        return selector

    def _selection_rules(
        self, strategy: Strategy, request: StrategyRequest, avoid: Sequence[Track]
    ) -> SelectionRules:
        """What the selector must respect: the count, the profile, the strategy's avoided
        artists, and the earlier tracks a regeneration must not repeat."""
        profile = request.profile
        return SelectionRules(
            count=request.count,
            max_per_artist=self.config.max_tracks_per_artist,
            explicit_ok=profile.explicit_ok,
            disliked_artists=SelectionRules.disliked(
                (*profile.disliked_artists, *strategy.avoid_artists)
            ),
            discovery=strategy.familiarity or profile.discovery,
            exclude_ids=frozenset(t.id for t in avoid),
            exclude_songs=frozenset(dedup_key(t.title, t.artist) for t in avoid),
            seasonal_ok=is_seasonal(request.prompt, request.feedback or ""),
        )

    async def _search_further(
        self, selector: Selector, queries: list[str], per_query: Sequence[Sequence[Track]],
        pages: int, target: AudioTarget, counter: _SearchProgress, stats: SearchStats,
    ) -> None:
        """Later rounds, while songs are missing: they page further only through the queries
        whose every page so far came back full."""
        offset_pages = pages
        rounds = 1
        while selector.missing and rounds < MAX_SEARCH_ROUNDS:
            open_queries = [
                q for q, hits in zip(queries, per_query, strict=True)
                if len(hits) >= pages * PAGE
            ]
            if not open_queries:
                break
            pages = max(1, math.ceil(selector.missing * 2 / (PAGE * len(open_queries))))
            counter.total += pages * len(open_queries)
            _, per_query = await self._resolver.resolve(
                (), open_queries, pages=pages, offset_pages=offset_pages, target=target,
                on_search_done=counter.tick, stats=stats,
            )
            queries = open_queries
            selector.offer_query_results(per_query)
            offset_pages += pages
            rounds += 1

    # --- health -----------------------------------------------------------------
    def add_health_check(self, name: str, check: Callable[[], Awaitable[DependencyStatus]]) -> None:
        """One more dependency for ``health``: the embedder, Spotify accounts, a chat API.

        ``check`` is bounded like the others; its status should be named ``name``.  A later
        check of the same name replaces the earlier one (an adapter built again).
        """
        self._health_checks[name] = check

    async def health(self) -> Health:
        """Each dependency's state, each check bounded so health never hangs."""

        async def bounded(name: str, check: Awaitable[DependencyStatus]) -> DependencyStatus:
            started = time.perf_counter()
            try:
                status = await asyncio.wait_for(check, self.config.health_timeout_s)
            except TimeoutError:
                status = DependencyStatus(name, False, "no answer in time")
            except Exception as exc:  # health reports failures, it never raises
                status = DependencyStatus(name, False, type(exc).__name__)
            # For the database this is one round trip: the number to watch when it is remote.
            elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
            return dataclasses.replace(status, latency_ms=elapsed_ms)

        statuses = await asyncio.gather(
            bounded("database", self.store.health()),
            bounded("model", self.model.health()),
            bounded("catalogue", self.catalogue.health()),
            *(bounded(name, check()) for name, check in self._health_checks.items()),
        )
        return Health(tuple(statuses))

    async def housekeeping(self) -> Swept:
        """Removes expired drafts, OAuth states, cache rows, claimed updates and reservations.

        Any process may run it (the bot runs it every minute): every step is one
        idempotent statement or transaction on the shared store.  An expired
        reservation is one a crashed process never confirmed nor gave back; it
        already stopped counting, and this deletes the row.
        """
        now = self._clock()
        drafts = await self.store.purge_expired(now)
        reservations = await self.store.expire_reservations(now)
        if reservations:
            log.info("housekeeping: removed %d expired quota reservation(s) left by interrupted "
                     "requests", reservations)
        return Swept(drafts=drafts, reservations=reservations)

"""Blends in a chat: the invitation, its members, and the playlist they make together.

``/blend`` opens an invitation in a server or group; members join it until its starter
presses Start or it expires.  Start mixes every member's taste (``core.blend.mix``) into
one playlist: a normal draft owned by the starter, charged once against the starter's
quota and only when delivered.  Every member may open and save it afterwards.

The invitation and its members live in the shared store (``BlendStore``), so any bot
process can answer a Join; every promise (a cap on members, one Start) is one statement
or one transaction there.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from core import wording
from core.blend import Mix, group_profile, mix
from core.engine import Composed, Engine, report_progress
from core.errors import DeliveryFailed, DraftNotFound, EchoTunerError, InvalidInput
from core.guard import clean_text
from core.models import (
    Playlist,
    Profile,
    Progress,
    ProgressCallback,
    Stage,
    StrategyAnswer,
    StrategyRequest,
    Track,
    UserRef,
)
from core.replies import PlaylistReply, Reply, TextReply
from core.text import visible

if TYPE_CHECKING:
    from core.linking import Linking

log = logging.getLogger(__name__)

BlendStatus = Literal["open", "started", "done", "expired"]
JoinOutcome = Literal["joined", "already", "full", "started", "expired", "missing"]
# The fewest members a blend needs: one person's taste is just their playlist.
MIN_MEMBERS = 2
# The most members a blend may ever have, whatever a server sets (Discord's ten options).
MAX_MEMBERS = 10
NAME_LIMIT = 32
DEFAULT_WINDOW = timedelta(minutes=5)
# Group scopes a blend can live in: a Discord server, a Telegram group; the REST API's
# blends are made in one call and never open an invitation.
_GROUP_SCOPES = ("guild:", "chat:")


@dataclass(frozen=True, slots=True)
class BlendMember:
    """One member: their key, the name the chat shows them by, and who they are there.

    ``user`` is None only when the store could not unseal it (a changed token key).
    """

    key: str
    name: str
    user: UserRef | None


@dataclass(frozen=True, slots=True)
class BlendInvite:
    """A blend as stored: its invitation, members (the starter first) and, once made, its
    draft and whose taste each track serves (``credits``: track id -> member names)."""

    id: int
    platform: str
    starter_key: str
    prompt: str
    count: int | None
    max_members: int
    status: BlendStatus
    created_at: datetime
    expires_at: datetime
    members: tuple[BlendMember, ...]
    draft_id: int | None = None
    credits: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    scope_key: str = ""  # the hashed server or group it lives in

    @property
    def starter(self) -> BlendMember:
        return self.members[0]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.members)


@dataclass(frozen=True, slots=True)
class NewBlend:
    """What opening a blend stores: the invitation and its first members."""

    platform: str
    scope_key: str
    prompt: str
    count: int | None
    max_members: int
    created_at: datetime
    expires_at: datetime
    members: tuple[BlendMember, ...]


@runtime_checkable
class BlendStore(Protocol):
    """The store's side of blends (``data.blend_store`` on SQLite and PostgreSQL)."""

    async def create_blend(self, blend: NewBlend) -> int:
        """Stores the invitation and its first members in one transaction; its id."""
        ...

    async def get_blend(self, blend_id: int) -> BlendInvite | None: ...

    async def join_blend(self, blend_id: int, member: BlendMember, now: datetime) -> JoinOutcome:
        """Adds a member if the blend is open, unexpired at ``now`` and not full, in one
        transaction (the member count is bumped under the row's lock)."""
        ...

    async def start_blend(self, blend_id: int, now: datetime) -> bool:
        """Open and unexpired -> started, in one statement; False for everyone but the first."""
        ...

    async def reopen_blend(self, blend_id: int) -> None:
        """Started or done -> open again, without a draft (making or delivering the
        playlist failed; the starter may retry)."""
        ...

    async def finish_blend(self, blend_id: int, draft_id: int, credits_json: str) -> None:
        """Started -> done, with its draft and credits."""
        ...

    async def expire_blend(self, blend_id: int, now: datetime) -> bool:
        """Open and expired at ``now`` -> expired; True for the one caller that did it."""
        ...

    async def blend_of_draft(self, draft_id: int) -> BlendInvite | None: ...

    async def purge_blends(self, before: datetime) -> int:
        """Deletes blends whose window ended before ``before`` and whose draft is gone
        (or that never made one); returns how many."""
        ...


@dataclass(frozen=True, slots=True)
class BlendView:
    """An invitation as a chat shows it (the adapters render it with its buttons)."""

    blend: BlendInvite
    minutes: int

    @property
    def id(self) -> int:
        return self.blend.id


@dataclass(frozen=True, slots=True)
class Joined:
    """The answer to a Join: what happened, the invitation now, and a private remark."""

    outcome: JoinOutcome
    text: str
    view: BlendView | None = None
    error: bool = False


# Is this member still in the server or group?  Asked of the chat platform at Start.
StillHere = Callable[[UserRef], Awaitable[bool]]
# Sends the finished blend inside the engine's charge (see ``core.actions.SendPlaylist``).
SendBlend = Callable[[PlaylistReply], Awaitable[None]]


def display_name(name: str) -> str:
    """A member's name fit to store and show: visible characters, bounded."""
    return " ".join(visible(name).split())[:NAME_LIMIT] or "?"


def credits_json(members: Sequence[str], result: Mix) -> str:
    """Whose taste each track serves, by name (names are kept as they were at Start)."""
    return json.dumps({
        t.id: [members[m] for m in who] for t, who in zip(result.tracks, result.credits, strict=True)
    })


def read_credits(text: str) -> dict[str, tuple[str, ...]]:
    """``credits_json`` read back; anything unreadable counts as no credits."""
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): tuple(str(n) for n in v) for k, v in data.items() if isinstance(v, list)}


class Blends:
    """Opens, joins, starts and expires blends; decorates their playlists with credits."""

    def __init__(
        self,
        engine: Engine,
        store: BlendStore,
        *,
        linking: Linking | None = None,
        window: timedelta = DEFAULT_WINDOW,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.engine = engine
        self.store = store
        self.linking = linking
        self.window = window
        self._clock = clock or engine.now

    @property
    def minutes(self) -> int:
        return max(1, round(self.window.total_seconds() / 60))

    # --- the invitation ---------------------------------------------------------------
    async def open(
        self, starter: UserRef, name: str, prompt: str = "", count: int | None = None,
        named: Sequence[tuple[UserRef, str]] = (),
    ) -> BlendView | TextReply:
        """An invitation in ``starter``'s server or group, with ``named`` members already in."""
        try:
            return await self._open(starter, name, prompt, count, named)
        except EchoTunerError as exc:
            return TextReply(exc.user_message, error=True, code=exc.code)

    async def _open(
        self, starter: UserRef, name: str, prompt: str, count: int | None,
        named: Sequence[tuple[UserRef, str]], *, in_group: bool = True,
    ) -> BlendView:
        if in_group and not starter.scope.startswith(_GROUP_SCOPES):
            raise InvalidInput(wording.BLEND_GROUP_ONLY())
        settings = await self.engine.limit_settings(starter.scope)
        if not settings.blends_enabled:
            raise InvalidInput(wording.BLEND_OFF())
        text = clean_text(prompt, max_length=self.engine.config.max_prompt_length) if prompt.strip() else ""
        keys = self.engine.keys
        members = [BlendMember(keys.key(starter), display_name(name), starter)]
        for user, shown in named:
            if keys.key(user) not in {m.key for m in members}:
                members.append(BlendMember(keys.key(user), display_name(shown), user))
        cap = max(MIN_MEMBERS, min(settings.max_blend_members, MAX_MEMBERS))
        if len(members) > cap:
            raise InvalidInput(wording.blend_too_many(cap))
        status = await self.engine.limits_status(starter)
        if status.playlists_left == 0:
            raise InvalidInput(wording.BLEND_NO_PLAYLISTS_LEFT())
        now = self._clock()
        blend_id = await self.store.create_blend(NewBlend(
            platform=starter.platform, scope_key=keys.scope_key(starter.scope), prompt=text,
            count=count, max_members=cap, created_at=now, expires_at=now + self.window,
            members=tuple(members),
        ))
        return await self._view(blend_id)

    async def blend_now(
        self, starter: UserRef, name: str, members: Sequence[tuple[UserRef, str]],
        prompt: str = "", count: int | None = None, *, progress: ProgressCallback | None = None,
        deliver: SendBlend | None = None,
    ) -> Reply:
        """A blend made in one call, every member named (the REST API): no invitation to
        join, the same mix, the same single charge to ``starter``."""
        try:
            view = await self._open(starter, name, prompt, count, members, in_group=False)
        except EchoTunerError as exc:
            return TextReply(exc.user_message, error=True, code=exc.code)
        reply, _ = await self.start(view.id, starter, progress=progress, deliver=deliver)
        if isinstance(reply, TextReply):
            await self.store.expire_blend(view.id, view.blend.expires_at)  # not left open
        return reply

    async def _view(self, blend_id: int) -> BlendView:
        blend = await self.store.get_blend(blend_id)
        if blend is None:
            raise DraftNotFound(wording.BLEND_GONE())
        return BlendView(blend, self.minutes)

    async def view(self, blend_id: int) -> BlendView | None:
        """The invitation as it stands now, or None when it is gone."""
        blend = await self.store.get_blend(blend_id)
        return None if blend is None else BlendView(blend, self.minutes)

    async def has_profile(self, user: UserRef) -> bool:
        """Whether the user ever saved a taste profile (without one, they count neutral)."""
        return await self.engine.store.get_profile(self.engine.keys.key(user)) is not None

    def _here(self, blend: BlendInvite | None, user: UserRef) -> bool:
        """Whether ``user`` pressed in the blend's own server or group: a button's data is
        the client's to send, so a press naming another group's blend finds nothing."""
        return blend is not None and blend.scope_key == self.engine.keys.scope_key(user.scope)

    async def join(self, blend_id: int, user: UserRef, name: str) -> Joined:
        """A member presses Join: in, or a clear reason why not (said privately)."""
        if not self._here(await self.store.get_blend(blend_id), user):
            return Joined("missing", wording.BLEND_GONE(), None, error=True)
        member = BlendMember(self.engine.keys.key(user), display_name(name), user)
        outcome = await self.store.join_blend(blend_id, member, self._clock())
        view = await self.view(blend_id)
        if outcome == "joined":
            has_profile = await self.engine.store.get_profile(member.key) is not None
            text = wording.BLEND_JOINED() if has_profile else wording.BLEND_JOINED_NO_PROFILE()
            return Joined(outcome, text, view)
        if outcome == "already":
            return Joined(outcome, wording.BLEND_ALREADY_IN(), view, error=True)
        if outcome == "full":
            cap = view.blend.max_members if view is not None else MAX_MEMBERS
            return Joined(outcome, wording.blend_full(cap), view, error=True)
        if outcome == "started":
            return Joined(outcome, wording.BLEND_ALREADY_STARTED(), view, error=True)
        if outcome == "expired":
            return Joined(outcome, wording.BLEND_EXPIRED(), view, error=True)
        return Joined(outcome, wording.BLEND_GONE(), view, error=True)

    def start_refusal(self, current: BlendView | None, user: UserRef) -> str | None:
        """Why ``user`` cannot start this blend now (said privately), or None: checked
        before the invitation is closed; ``start`` checks again, atomically."""
        if current is None or not self._here(current.blend, user):
            return wording.BLEND_GONE()
        blend = current.blend
        if blend.starter_key != self.engine.keys.key(user):
            return wording.blend_not_yours(blend.starter.name)
        if blend.status in ("started", "done"):
            return wording.BLEND_ALREADY_STARTED()
        if blend.status == "expired" or blend.expires_at <= self._clock():
            return wording.BLEND_EXPIRED()
        if len(blend.members) < MIN_MEMBERS:
            return wording.BLEND_NEEDS_MEMBERS()
        return None

    async def expire(self, blend_id: int) -> bool:
        """Ends an invitation nobody started once its window is over; True for the one
        caller (in any process) that ended it and should edit its message."""
        return await self.store.expire_blend(blend_id, self._clock())

    # --- the playlist ------------------------------------------------------------------
    async def start(
        self, blend_id: int, user: UserRef, *, still_here: StillHere | None = None,
        progress: ProgressCallback | None = None, deliver: SendBlend | None = None,
    ) -> tuple[Reply, tuple[str, ...]]:
        """The starter presses Start: the playlist, and the names of members dropped
        because they left the group.  A refusal is a ``TextReply`` (said privately)."""
        blend = await self.store.get_blend(blend_id)
        if blend is None or not self._here(blend, user):
            return TextReply(wording.BLEND_GONE(), error=True, code="not_found"), ()
        if blend.starter_key != self.engine.keys.key(user):
            return TextReply(wording.blend_not_yours(blend.starter.name), error=True,
                             code="forbidden"), ()
        if blend.status != "open" or blend.expires_at <= self._clock():
            text = wording.BLEND_EXPIRED() if blend.status in ("open", "expired") else (
                wording.BLEND_ALREADY_STARTED())
            return TextReply(text, error=True, code="closed"), ()
        members, gone = await self._present(blend, still_here)
        if len(members) < MIN_MEMBERS:
            return TextReply(wording.BLEND_NEEDS_MEMBERS(), error=True, code="invalid_input"), gone
        if not await self.store.start_blend(blend_id, self._clock()):
            late = blend.expires_at <= self._clock()
            text = wording.BLEND_EXPIRED() if late else wording.BLEND_ALREADY_STARTED()
            return TextReply(text, error=True, code="closed"), gone
        try:
            reply = await self._make(blend, members, user, progress, deliver)
        except BaseException:
            await asyncio.shield(self.store.reopen_blend(blend_id))
            raise
        if isinstance(reply, TextReply):
            await self.store.reopen_blend(blend_id)  # nothing was made: the starter may retry
        return reply, gone

    async def _present(
        self, blend: BlendInvite, still_here: StillHere | None
    ) -> tuple[list[BlendMember], tuple[str, ...]]:
        """The members still in the group (the starter always), and the names of the others."""
        members = [blend.starter]
        gone: list[str] = []
        for member in blend.members[1:]:
            here = member.user is not None and (still_here is None or await still_here(member.user))
            if here:
                members.append(member)
            else:
                gone.append(member.name)
        return members, tuple(gone)

    async def _make(
        self, blend: BlendInvite, members: Sequence[BlendMember], starter: UserRef,
        progress: ProgressCallback | None, deliver: SendBlend | None,
    ) -> Reply:
        profiles = [await self._taste(m) for m in members]
        names = [m.name for m in members]
        results: list[Mix] = []

        async def compose(prompt: str, count: int) -> Composed:
            done = 0

            async def pool(profile: Profile) -> tuple[StrategyAnswer, tuple[Track, ...]]:
                # Each member's pool is planned and searched like their own playlist, with
                # everyone's dislikes and the strictest explicit setting already applied.
                nonlocal done
                request = StrategyRequest(prompt=prompt, count=count,
                                          profile=group_profile(profile, profiles))
                found = await self.engine.candidates(request)
                done += 1
                await report_progress(progress, Progress(Stage.SEARCHING, done, len(profiles)))
                return found

            # Together: the catalogue's concurrency bound is the engine's resolver's.
            found = await asyncio.gather(*(pool(p) for p in profiles))
            await report_progress(progress, Progress(Stage.SELECTING))
            result = mix([tracks for _, tracks in found], profiles, count,
                         max_per_artist=self.engine.config.max_tracks_per_artist)
            results.append(result)
            first = found[0][0]  # the starter's plan names the occasion
            title = wording.blend_title(names) if not blend.prompt else first.strategy.title
            strategy = replace(first.strategy, title=title)
            return Composed(title, strategy, first.provider, result.tracks)

        async def hand_over(playlist: Playlist) -> None:
            # The credits are stored before the playlist is shown: whoever opens it next
            # (a Save, a Show) already sees whose taste each track serves.
            await self.store.finish_blend(blend.id, playlist.draft_id,
                                          credits_json(names, results[-1]))
            if deliver is not None:
                await deliver(self._decorated(PlaylistReply(playlist), results[-1], names))

        occasion = blend.prompt or wording.BLEND_DEFAULT_OCCASION()
        try:
            playlist = await self.engine.generate_composed(
                starter, occasion, blend.count, compose, check_prompt=bool(blend.prompt),
                progress=progress, deliver=hand_over,
            )
        except DeliveryFailed:
            raise
        except EchoTunerError as exc:
            return TextReply(exc.user_message, error=True, code=exc.code)
        return self._decorated(PlaylistReply(playlist), results[-1], names)

    async def _taste(self, member: BlendMember) -> Profile:
        """A member's profile (neutral without one), with their top artists when linked."""
        profile = await self.engine.store.get_profile(member.key) or Profile()
        if self.linking is not None and member.user is not None:
            profile = await self.linking.listened_taste(member.user, profile)
        return profile

    @staticmethod
    def _decorated(reply: PlaylistReply, result: Mix, names: Sequence[str]) -> PlaylistReply:
        credits = tuple(wording.blend_credit([names[m] for m in who]) for who in result.credits)
        summary = wording.blend_summary(len(names), result.shared_percent)
        return replace(reply, credits=credits, summary=summary)

    # --- afterwards ----------------------------------------------------------------------
    async def is_member(self, draft_id: int, user_key: str) -> bool:
        """Whether ``user_key`` was in the blend that made ``draft_id`` (``Engine.shared_with``)."""
        blend = await self.store.blend_of_draft(draft_id)
        return blend is not None and any(m.key == user_key for m in blend.members)

    async def decorate(self, reply: PlaylistReply) -> PlaylistReply:
        """A playlist of a blend with whose taste each track serves (tracks a refinement
        brought in have no credit); other playlists as they are."""
        blend = await self.store.blend_of_draft(reply.playlist.draft_id)
        if blend is None or not blend.credits:
            return reply
        credits = tuple(wording.blend_credit(list(blend.credits.get(t.id, ())))
                        for t in reply.playlist.tracks)
        shared = sum(1 for t in reply.playlist.tracks if len(blend.credits.get(t.id, ())) > 1)
        size = len(reply.playlist.tracks) or 1
        people = len({n for names in blend.credits.values() for n in names})
        return replace(reply, credits=credits,
                       summary=wording.blend_summary(people, round(100 * shared / size)))

    async def housekeeping(self) -> int:
        """Deletes blends whose playlist is gone (or never made) a day after their window."""
        return await self.store.purge_blends(self._clock() - timedelta(days=1))


__all__ = [
    "BlendInvite",
    "BlendMember",
    "BlendStatus",
    "BlendStore",
    "BlendView",
    "Blends",
    "JoinOutcome",
    "Joined",
    "NewBlend",
    "StillHere",
    "credits_json",
    "display_name",
    "read_credits",
]

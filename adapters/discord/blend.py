"""``/blend`` on Discord: an invitation in a server channel with Join and Start buttons.

The invitation is the command's public answer; the buttons are ``DynamicItem``s whose
``custom_id`` (``et:blend:<join|start>:<blend id>``) carries everything, so any bot
process (and a restarted one) answers them from the shared store.  A Join updates the
invitation in place (its list of members) and tells the presser privately how it went;
Start turns the invitation into a notice and posts the playlist below it.  An invitation
nobody started is edited to say it expired, by the process that posted it (a later Join
press edits it too, in whichever process).  Names are shown as text, never as mentions:
the client suppresses every mention and no ``<@id>`` is ever written.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord import render
from adapters.discord.answer import NOT_SHOWN, Answer, bounded
from adapters.discord.interact import send_dm, session
from adapters.discord.services import PLATFORM, Services, services_of, user_ref
from adapters.discord.translator import described
from adapters.discord.views import component, show
from core import wording
from core.blend_invites import Blends, BlendView, Joined, StillHere
from core.engine import HARD_MAX_SONGS
from core.guard import MIN_SONGS
from core.models import UserRef
from core.replies import PlaylistReply, TextReply

log = logging.getLogger(__name__)

UNKNOWN_MEMBER = 10007
# The invitation's message can be edited through the command's token for 15 minutes.
EDITABLE_FOR_S = 14 * 60
Count = app_commands.Range[int, MIN_SONGS, HARD_MAX_SONGS]


def _name(member: discord.abc.User) -> str:
    return member.display_name or member.name


def invitation_text(view: BlendView) -> str:
    """The invitation: who is making it, for what, for how long, and who is in so far."""
    blend = view.blend
    starter = f"**{render.escape(blend.starter.name)}**"
    occasion = f"*{render.escape(render.clip(blend.prompt, 200))}*" if blend.prompt else ""
    names = ", ".join(render.escape(n) for n in blend.names)
    return "\n".join((
        wording.blend_invitation(starter, occasion, view.minutes),
        wording.blend_members(names, len(blend.members), blend.max_members),
    ))


def closed_text(view: BlendView | None, notice: str) -> str:
    """The invitation once closed: the notice, then who was in."""
    if view is None:
        return notice
    names = ", ".join(render.escape(n) for n in view.blend.names)
    return "\n".join((notice, wording.blend_members(names, len(view.blend.members),
                                                    view.blend.max_members)))


class BlendButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"et:blend:(?P<action>join|start):(?P<blend>[0-9]{1,18})",
):
    """Join or Start under an invitation."""

    def __init__(self, action: str, blend_id: int) -> None:
        label, style, emoji = (
            (wording.BUTTON_JOIN(), discord.ButtonStyle.success, "➕") if action == "join"
            else (wording.BUTTON_START(), discord.ButtonStyle.primary, "▶️")
        )
        super().__init__(discord.ui.Button(label=label, style=style, emoji=emoji,
                                           custom_id=f"et:blend:{action}:{blend_id}"))
        self.action = action
        self.blend_id = blend_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
        match: re.Match[str], /,
    ) -> BlendButton:
        return cls(match["action"], int(match["blend"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        blend_id = self.blend_id
        work = _join if self.action == "join" else _start

        async def run(answer: Answer) -> None:
            blends = answer.services.actions.blends
            if blends is None:
                await answer.private(wording.BLEND_OFF())
                return
            await work(answer, blends, blend_id)

        await component(interaction, run)


def invitation_view(blend_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(BlendButton("join", blend_id))
    view.add_item(BlendButton("start", blend_id))
    return view


class BlendCommands(commands.Cog, name="EchoTuner blends"):
    """``/blend``: one playlist from the tastes of everyone who joins."""

    @app_commands.command(name="blend", description=described("blend"))
    # Explicit, because the bot's default contexts (servers and DMs) would win otherwise.
    @app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    @app_commands.describe(
        occasion=described("blend occasion"),
        count=described("blend count"),
        member1=described("blend member1"),
    )
    async def blend(
        self, interaction: discord.Interaction[Any], occasion: str | None = None,
        count: Count | None = None,
        member1: discord.Member | None = None, member2: discord.Member | None = None,
        member3: discord.Member | None = None, member4: discord.Member | None = None,
        member5: discord.Member | None = None, member6: discord.Member | None = None,
        member7: discord.Member | None = None, member8: discord.Member | None = None,
        member9: discord.Member | None = None, member10: discord.Member | None = None,
    ) -> None:
        given = (member1, member2, member3, member4, member5, member6, member7, member8,
                 member9, member10)
        async with session(interaction) as answer:
            await open_blend(answer, occasion or "", count, [m for m in given if m is not None])


async def open_blend(
    answer: Answer, occasion: str, count: int | None, members: list[discord.Member]
) -> None:
    """Posts the invitation (or says privately why not) and arms its expiry."""
    interaction = answer.interaction
    blends = answer.services.actions.blends
    if interaction.guild_id is None:
        await answer.private(wording.BLEND_GROUP_ONLY())
        return
    if blends is None:
        await answer.private(wording.BLEND_OFF())
        return
    starter = user_ref(interaction)
    named = [(UserRef(PLATFORM, str(m.id), starter.scope), _name(m))
             for m in members if not m.bot and m.id != interaction.user.id]
    opened = await blends.open(starter, _name(interaction.user), occasion, count, named)
    if isinstance(opened, TextReply):
        await show(answer, opened)
        return
    await bounded(answer.services, interaction.response.send_message(
        invitation_text(opened), view=invitation_view(opened.id)))
    _arm_expiry(answer.services, blends, interaction, opened)
    for user, _ in named:  # told privately, as a Join press would be
        if not await blends.has_profile(user):
            await _tell(interaction.client, int(user.user_id), wording.BLEND_NO_PROFILE_NOTICE())


async def _tell(client: discord.Client, user_id: int, text: str) -> None:
    """A private note by DM; closed DMs or a Discord failure only get logged."""
    try:
        if not await send_dm(client, user_id, text):
            log.info("a blend member's DMs are closed; the no-profile notice was not sent")
    except NOT_SHOWN:
        log.info("could not DM a blend member", exc_info=True)


def _arm_expiry(
    services: Services, blends: Blends, interaction: discord.Interaction[Any], view: BlendView,
) -> None:
    """Edits the invitation to say it expired once its window ends, if nobody started it."""
    delay = (view.blend.expires_at - blends.engine.now()).total_seconds()
    if delay > EDITABLE_FOR_S:
        return  # the token will be gone by then: a late Join press edits it instead

    async def expire() -> None:
        await asyncio.sleep(max(0.0, delay))
        try:
            if await blends.expire(view.id):
                await bounded(services, interaction.edit_original_response(
                    content=closed_text(await blends.view(view.id), wording.BLEND_EXPIRED_NOTICE()),
                    view=None))
        except Exception:  # a timer has nobody to answer: log it
            log.warning("could not mark a blend invitation expired", exc_info=True)

    task = asyncio.create_task(expire(), name=f"blend-expiry-{view.id}")
    services.timers.add(task)
    task.add_done_callback(services.timers.discard)


# --- the buttons ---------------------------------------------------------------------------
async def _join(answer: Answer, blends: Blends, blend_id: int) -> None:
    interaction = answer.interaction
    joined = await blends.join(blend_id, user_ref(interaction), _name(interaction.user))
    if joined.outcome == "joined" and joined.view is not None:
        await _update(answer, invitation_text(joined.view), invitation_view(blend_id), joined)
    elif joined.outcome == "expired":
        await blends.expire(blend_id)
        await _update(answer, closed_text(joined.view, wording.BLEND_EXPIRED_NOTICE()), None, joined)
    else:
        await answer.private(joined.text)


async def _update(
    answer: Answer, content: str, view: discord.ui.View | None, joined: Joined
) -> None:
    """The invitation edited in place, then the presser told privately."""
    interaction = answer.interaction
    await bounded(answer.services, interaction.response.edit_message(content=content, view=view))
    await bounded(answer.services, interaction.followup.send(joined.text, ephemeral=True))


async def _start(answer: Answer, blends: Blends, blend_id: int) -> None:
    interaction = answer.interaction
    user = user_ref(interaction)
    current = await blends.view(blend_id)
    refusal = blends.start_refusal(current, user)
    if refusal is not None:
        await answer.private(refusal)
        return
    assert current is not None
    await bounded(answer.services, interaction.response.edit_message(
        content=closed_text(current, wording.BLEND_STARTED_NOTICE()), view=None))

    async def deliver(reply: PlaylistReply) -> None:
        await show(answer, reply)

    reply, gone = await blends.start(blend_id, user, still_here=_still_here(interaction),
                                     deliver=deliver)
    if gone:
        names = ", ".join(render.escape(n) for n in gone)
        await bounded(answer.services, interaction.followup.send(wording.blend_left(names),
                                                                 ephemeral=True))
    if isinstance(reply, PlaylistReply):
        return
    # Nothing was made (nothing charged): the invitation comes back for another try.
    reopened = await blends.view(blend_id)
    if reopened is not None and reopened.blend.status == "open":
        await bounded(answer.services, interaction.edit_original_response(
            content=invitation_text(reopened), view=invitation_view(blend_id)))
    await show(answer, reply)


def _still_here(interaction: discord.Interaction[Any]) -> StillHere:
    guild_id = interaction.guild_id
    services = services_of(interaction)

    async def still_here(user: UserRef) -> bool:
        """False only when Discord says the member is gone (any other failure keeps them)."""
        if guild_id is None:
            return True
        try:
            await bounded(services, interaction.client.http.get_member(guild_id, int(user.user_id)))
        except discord.NotFound:
            return False
        except NOT_SHOWN:
            log.info("could not check a blend member; kept", exc_info=True)
        return True

    return still_here


__all__ = ["BlendButton", "BlendCommands", "invitation_text", "invitation_view"]

"""``/blend`` in a Telegram group: an invitation with Join and Start buttons.

The buttons carry only the blend's number (``b:j:<id>``, ``b:s:<id>``): who may do what
is decided from the shared store, so any bot process (webhook workers, a restarted bot)
answers them.  Every refusal and every private remark (no profile yet, joined twice,
someone else's Start) is an ``answerCallbackQuery`` alert only the presser sees.  Names
are plain text, never ``tg://user`` mention links: nobody is pinged.  Telegram offers no
member picker, so a Telegram blend is "everyone who joins".
"""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from adapters.telegram.buttons import _Answer
from adapters.telegram.context import Chat, is_private, parts, user_ref
from adapters.telegram.messaging import safe_edit
from adapters.telegram.render import esc, formatted
from core import wording
from core.actions import SendPlaylist
from core.blend_invites import Blends, BlendView, StillHere
from core.models import ProgressCallback, UserRef
from core.replies import Reply, TextReply

log = logging.getLogger(__name__)

BUTTON_PATTERN = r"^b:[js]:[0-9]{1,18}$"
_BUTTON = re.compile(r"b:(?P<action>[js]):(?P<blend>[0-9]{1,18})")
GONE = frozenset({ChatMemberStatus.LEFT, ChatMemberStatus.BANNED})
# A Telegram alert shows at most 200 characters.
ALERT_LIMIT = 200


def _name(user: User) -> str:
    return user.full_name or user.username or str(user.id)


def invitation_html(view: BlendView) -> str:
    """The invitation: who is making it, for what, for how long, and who is in so far."""
    blend, minutes = view.blend, view.minutes
    starter = f"<b>{esc(blend.starter.name)}</b>"
    if blend.prompt:
        first = formatted(lambda who, what: wording.blend_invitation(who, what, minutes),
                          starter, f"<i>{esc(blend.prompt, limit=200)}</i>")
    else:
        first = formatted(lambda who: wording.blend_invitation(who, "", minutes), starter)
    return "\n".join((first, _members(view)))


def _members(view: BlendView) -> str:
    blend = view.blend
    names = ", ".join(esc(n) for n in blend.names)
    return formatted(lambda shown: wording.blend_members(shown, len(blend.members),
                                                         blend.max_members), names)


def closed_html(view: BlendView | None, notice: str) -> str:
    """The invitation once closed: the notice, then who was in."""
    if view is None:
        return esc(notice)
    return "\n".join((esc(notice), _members(view)))


def invitation_keyboard(blend_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("➕ " + wording.BUTTON_JOIN(), callback_data=f"b:j:{blend_id}"),
        InlineKeyboardButton("▶️ " + wording.BUTTON_START(), callback_data=f"b:s:{blend_id}"),
    ]])


async def on_blend(chat: Chat, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/blend [occasion]: the invitation in a group (a private chat is told why not)."""
    found = parts(update)
    if found is None:
        return
    message, tg_user, user = found
    blends = chat.actions.blends
    if is_private(message) or blends is None:
        text = wording.BLEND_GROUP_ONLY() if blends is not None else wording.BLEND_OFF()
        await chat.answer(context.bot, message, user, TextReply(text, error=True))
        return
    occasion = " ".join(context.args or ())
    opened = await blends.open(user, _name(tg_user), occasion)
    if isinstance(opened, TextReply):
        await chat.answer(context.bot, message, user, opened)
        return
    posted = await context.bot.send_message(
        message.chat.id, invitation_html(opened), reply_markup=invitation_keyboard(opened.id))
    _arm_expiry(chat, blends, context.bot, posted, opened)


def _arm_expiry(chat: Chat, blends: Blends, bot: Bot, posted: Message, view: BlendView) -> None:
    """Edits the invitation to say it expired once its window ends, if nobody started it."""
    delay = (view.blend.expires_at - blends.engine.now()).total_seconds()

    async def expire() -> None:
        await asyncio.sleep(max(0.0, delay))
        try:
            if await blends.expire(view.id):
                await safe_edit(bot, posted.chat.id, posted.message_id,
                                closed_html(await blends.view(view.id), wording.BLEND_EXPIRED_NOTICE()))
        except Exception:  # a timer has nobody to answer: log it
            log.warning("could not mark a blend invitation expired", exc_info=True)

    task = asyncio.create_task(expire(), name=f"blend-expiry-{view.id}")
    chat.timers.add(task)
    task.add_done_callback(chat.timers.discard)


async def on_blend_button(chat: Chat, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Join or Start under an invitation; answered exactly once, privately when refused."""
    query = update.callback_query
    if query is None:
        return
    answer = _Answer(query)
    try:
        match = _BUTTON.fullmatch(query.data or "")
        message = query.message
        blends = chat.actions.blends
        if match is None or blends is None or not isinstance(message, Message):
            await answer(wording.BUTTON_EXPIRED(), True)
            return
        user = user_ref(query.from_user, message.chat.id, message.chat.type)
        blend_id = int(match["blend"])
        if match["action"] == "j":
            await _join(blends, context.bot, message, query.from_user, user, blend_id, answer)
        else:
            await _start(chat, blends, context.bot, message, user, blend_id, answer)
    finally:
        await answer()


async def _join(
    blends: Blends, bot: Bot, message: Message, tg_user: User, user: UserRef, blend_id: int,
    answer: _Answer,
) -> None:
    joined = await blends.join(blend_id, user, _name(tg_user))
    if joined.outcome == "joined" and joined.view is not None:
        await answer(joined.text[:ALERT_LIMIT], joined.text != wording.BLEND_JOINED())
        await safe_edit(bot, message.chat.id, message.message_id, invitation_html(joined.view),
                        markup=invitation_keyboard(blend_id))
        return
    await answer(joined.text[:ALERT_LIMIT], True)
    if joined.outcome == "expired" and await blends.expire(blend_id):
        await safe_edit(bot, message.chat.id, message.message_id,
                        closed_html(joined.view, wording.BLEND_EXPIRED_NOTICE()))


async def _start(
    chat: Chat, blends: Blends, bot: Bot, message: Message, user: UserRef, blend_id: int,
    answer: _Answer,
) -> None:
    current = await blends.view(blend_id)
    refusal = blends.start_refusal(current, user)
    if refusal is not None:
        await answer(refusal[:ALERT_LIMIT], True)
        return
    await answer()
    await safe_edit(bot, message.chat.id, message.message_id,
                    closed_html(current, wording.BLEND_STARTED_NOTICE()))
    gone: tuple[str, ...] = ()

    async def work(progress: ProgressCallback, deliver: SendPlaylist) -> Reply:
        nonlocal gone
        reply, gone = await blends.start(blend_id, user, still_here=_still_here(bot, message),
                                         progress=progress, deliver=deliver)
        return reply

    reply = await chat.run_slow(bot, message, user, work, wording.WORKING())
    if gone:
        await chat.say(bot, message.chat.id, formatted(wording.blend_left,
                                                       ", ".join(esc(n) for n in gone)))
    if reply is None or isinstance(reply, TextReply):
        reopened = await blends.view(blend_id)
        if reopened is not None and reopened.blend.status == "open":
            await safe_edit(bot, message.chat.id, message.message_id, invitation_html(reopened),
                            markup=invitation_keyboard(blend_id))


def _still_here(bot: Bot, message: Message) -> StillHere:
    chat_id = message.chat.id

    async def still_here(user: UserRef) -> bool:
        """False only when Telegram says the member left or was removed."""
        try:
            member = await bot.get_chat_member(chat_id=chat_id, user_id=int(user.user_id))
        except TelegramError:
            log.info("could not check a blend member; kept", exc_info=True)
            return True
        return member.status not in GONE

    return still_here


__all__ = ["BUTTON_PATTERN", "invitation_html", "on_blend", "on_blend_button"]

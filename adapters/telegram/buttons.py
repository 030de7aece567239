"""The buttons under a playlist (Refine, Regenerate, Save, URIs) and refine-by-reply.

Every button acts on the version its message shows (``ButtonTarget.version``), whatever
was made since; Refine asks a ForceReply question whose answer refines that version.
"""

from __future__ import annotations

import logging

from telegram import Bot, CallbackQuery, ForceReply, Message, Update, User
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from adapters.telegram.context import Chat, is_private, user_ref
from adapters.telegram.keys import ButtonTarget, Pending
from adapters.telegram.render import esc, formatted
from core import wording
from core.models import UserRef
from core.replies import PlaylistReply, is_error

log = logging.getLogger(__name__)


class _Answer:
    """answerCallbackQuery, exactly once whatever happens (Telegram shows a spinner till then)."""

    def __init__(self, query: CallbackQuery) -> None:
        self.query = query
        self.done = False

    async def __call__(self, text: str | None = None, alert: bool = False) -> None:
        if self.done:
            return
        self.done = True
        try:
            await self.query.answer(text, show_alert=alert)
        except TelegramError:
            log.info("answerCallbackQuery failed", exc_info=True)


async def on_button(chat: Chat, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button under a playlist; answered exactly once, whoever pressed it."""
    query = update.callback_query
    if query is None:
        return
    answer = _Answer(query)
    try:
        target = await chat.keys.resolve_button(query.data)
        message = query.message
        if target is None or message is None or not isinstance(message, Message):
            await answer(wording.BUTTON_EXPIRED(), True)
            return
        user = user_ref(query.from_user, message.chat.id, message.chat.type)
        if chat.keys.owner(user) != target.owner_key and not await _shared(chat, user, target):
            await answer(wording.NOT_YOUR_PLAYLIST(), True)
            return
        await _act(chat, context.bot, message, query.from_user, user, target, answer)
    finally:
        await answer()


async def _shared(chat: Chat, user: UserRef, target: ButtonTarget) -> bool:
    """Whether a press on someone else's Save is a member of that playlist's blend (they
    may save it to their own Spotify; nothing else)."""
    if target.action != "save":
        return False
    shown = await chat.actions.show(user, target.draft_id, target.version, shared=True)
    return not is_error(shown)


async def _act(
    chat: Chat, bot: Bot, message: Message, tg_user: User, user: UserRef, target: ButtonTarget,
    answer: _Answer,
) -> None:
    """Runs the button's verb on the version the pressed message shows (``target.version``)."""
    actions, draft, version = chat.actions, target.draft_id, target.version
    if target.action == "refine":
        await answer()
        await _ask_feedback(chat, bot, message, tg_user, user, draft, version)
    elif target.action == "regenerate":
        await answer(wording.BUTTON_REGENERATING())
        await chat.run_slow(
            bot, message, user,
            lambda progress, deliver: actions.regenerate(
                user, draft, version=version, progress=progress, deliver=deliver),
            wording.REGENERATING(),
        )
    elif target.action == "save":
        await answer(wording.BUTTON_SAVING() if actions.accounts_enabled else None)
        await chat.answer(bot, message, user, await actions.save(user, draft, version))
    else:
        await answer()
        await chat.answer(bot, message, user, await actions.uris(user, draft, version))


async def _ask_feedback(
    chat: Chat, bot: Bot, message: Message, tg_user: User, user: UserRef, draft_id: int,
    version: int | None,
) -> None:
    """Asks what to change, as a question whose answer refines that version."""
    shown = await chat.actions.show(user, draft_id, version)
    if not isinstance(shown, PlaylistReply):  # gone, or not theirs: the verb says why
        await chat.answer(bot, message, user, shown)
        return
    title = f"<b>{esc(shown.playlist.title)}</b>"
    if is_private(message):
        text = formatted(wording.refine_question, title)
    else:  # in a group the question names whom it asks
        who = f'<a href="tg://user?id={tg_user.id}">{esc(tg_user.first_name, limit=64)}</a>'
        text = formatted(wording.refine_question, title, who)
    question = await bot.send_message(
        message.chat.id, text,
        reply_markup=ForceReply(selective=True, input_field_placeholder=wording.REFINE_PLACEHOLDER()),
    )
    await chat.keys.expect_reply(message.chat.id, question.message_id, Pending(
        kind="refine", owner_key=chat.keys.owner(user), draft_id=draft_id, version=version,
    ))


async def refine_by_reply(
    chat: Chat, bot: Bot, message: Message, user: UserRef, pending: Pending, question_id: int
) -> None:
    """The answer to the Refine question: a new version of the version it asked about."""
    feedback = message.text or ""

    reply = await chat.run_slow(
        bot, message, user,
        lambda progress, deliver: chat.actions.refine(
            user, feedback, pending.draft_id, version=pending.version, progress=progress,
            deliver=deliver),
        wording.REFINING(),
    )
    if reply is not None and not is_error(reply):
        await chat.keys.answered(message.chat.id, question_id)


__all__ = ["on_button", "refine_by_reply"]

"""Update handlers: each turns a Telegram update into one engine (or linking) call and a message.

Private chats: every plain message is a prompt.  Groups: commands, mentions of the
bot and replies to its questions only (with privacy mode on, Telegram sends a bot
nothing else anyway).
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Bot, ForceReply, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatType, MessageEntityType
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from adapters.telegram.admin import GROUP_TYPES, apply_limit_changes, is_admin, message_from_admin
from adapters.telegram.keyboards import deep_link_keyboard, playlist_keyboard
from adapters.telegram.keys import DeepLinkKind, KeyBook, Pending
from adapters.telegram.messaging import StatusMessage, safe_edit, send_chunks
from adapters.telegram.render import (
    attr,
    esc,
    render_help,
    render_reply,
    render_settings,
    render_uris,
    split_html,
)
from core.commands import HELP, LINK_HELP, Reply, TextCommands
from core.engine import Deliver, Engine
from core.errors import DeliveryFailed, EchoTunerError, NotLinked
from core.linking import Linking
from core.models import Conversation, Playlist, ProgressCallback, UserRef
from core.sharing import Sharing

log = logging.getLogger(__name__)

OUR_FAULT = "Something went wrong on our side; nothing was charged. Please try again."
UNDELIVERED = "Telegram didn't take my answer, so nothing was charged. Please send it again."
# When Telegram itself failed mid-answer the work may have been done (and counted).
DELIVERY_FAULT = "Something went wrong on our side while answering. Please try again."
TELEGRAM_HELP = (
    "  /settings                    group admins: the group's limits and Spotify app",
    "In groups I answer commands, mentions of me and replies to my questions.",
)
_CREDENTIALS = re.compile(r"^\s*([A-Za-z0-9]{16,64})\s+([A-Za-z0-9]{16,64})\s*$")
# Commands whose work takes a while: they get a typing action and a status message.
_SLOW = {"playlist", "p", "generate", "refine"}


def _never() -> bool:
    return False


def telegram_failed(error: object) -> bool:
    """Whether ``error`` says Telegram itself failed (unreachable, 5xx, 429, an unreadable
    answer), as opposed to refusing what we sent (a 400 is our bug, or the user's doing)."""
    if isinstance(error, NetworkError | RetryAfter):
        return True
    return isinstance(error, TelegramError) and "invalid server response" in error.message.lower()


@dataclass
class HandlerOptions:
    progress_interval_s: float = 1.0
    # A group may get 20 messages a minute from a bot, edits included.
    group_progress_interval_s: float = 4.0
    # True while Telegram's flood limits have calls queueing: cosmetic calls are skipped.
    congested: Callable[[], bool] = _never

    def interval(self, message: Message) -> float:
        private = message.chat.type == ChatType.PRIVATE
        return self.progress_interval_s if private else self.group_progress_interval_s


def user_ref(user: User, chat_id: int, chat_type: str) -> UserRef:
    """Scope "dm" in a private chat, else "chat:<id>" (limits are per group)."""
    scope = "dm" if chat_type == ChatType.PRIVATE else f"chat:{chat_id}"
    return UserRef("telegram", str(user.id), scope)


class Handlers:
    """Every handler the application registers, sharing the engine and the key book."""

    def __init__(
        self,
        engine: Engine,
        keys: KeyBook,
        *,
        linking: Linking | None = None,
        options: HandlerOptions | None = None,
        sharing: Sharing | None = None,
    ) -> None:
        self.engine = engine
        self.commands = TextCommands(engine, linking)
        self.keys = keys
        self.linking = linking
        self.options = options or HandlerOptions()
        self.sharing = sharing

    # --- helpers ------------------------------------------------------------------
    @staticmethod
    def _parts(update: Update) -> tuple[Message, User, UserRef] | None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return None
        return message, user, user_ref(user, message.chat.id, message.chat.type)

    @staticmethod
    def _is_private(message: Message) -> bool:
        return message.chat.type == ChatType.PRIVATE

    async def _say(
        self, bot: Bot, chat_id: int, html_text: str, *, markup: InlineKeyboardMarkup | None = None,
        reply_to: int | None = None, replace: Message | None = None,
    ) -> None:
        await send_chunks(bot, chat_id, split_html(html_text), markup=markup, reply_to=reply_to,
                          replace=replace)

    async def _deliver(
        self, bot: Bot, message: Message, user: UserRef, reply: Reply,
        status: StatusMessage | None = None,
    ) -> None:
        """A Reply as HTML; a playlist gets its keyboard under the last chunk."""
        markup = None
        text = render_reply(reply)
        if reply.playlist is not None and not reply.is_error:
            markup = await playlist_keyboard(self.keys, user, reply.playlist)
            text += await self._page_line(reply.playlist)
        reply_to = None if self._is_private(message) else message.message_id
        await self._say(bot, message.chat.id, text, markup=markup,
                        reply_to=None if status and status.message else reply_to,
                        replace=status.message if status else None)

    async def _with_status(
        self, bot: Bot, message: Message,
        work: Callable[[ProgressCallback, Deliver], Awaitable[Reply]],
        user: UserRef, first_text: str = "⏳ Working on it…",
    ) -> None:
        """Runs slow ``work`` under a status message; a playlist is sent by ``deliver``, inside
        the engine's charge: if Telegram cannot take it, nothing is charged."""
        reply_to = None if self._is_private(message) else message.message_id
        delivered = False
        async with StatusMessage(bot, message.chat.id, reply_to=reply_to, first_text=first_text,
                                 interval_s=self.options.interval(message),
                                 congested=self.options.congested) as status:

            async def deliver(playlist: Playlist) -> None:
                nonlocal delivered
                await status.finish()
                await self._deliver(bot, message, user, Reply(playlist=playlist), status)
                delivered = True

            try:
                reply = await work(status.progress, deliver)
            except DeliveryFailed as exc:
                log.warning("telegram: a playlist could not be sent (%s); nothing was charged",
                            exc.__cause__ or exc)
                if status.message is not None:  # Telegram may answer again already
                    with contextlib.suppress(TelegramError):
                        await safe_edit(bot, message.chat.id, status.message.message_id,
                                        "⚠️ " + UNDELIVERED)
                return
        if not delivered:
            await self._deliver(bot, message, user, reply, status)

    async def _run_line(self, bot: Bot, message: Message, user: UserRef, line: str) -> None:
        """A text command (or a bare prompt) through the shared TextCommands."""
        head = line.strip()[1:].partition(" ")[0].split("@", 1)[0].lower() if line.startswith("/") \
            else "playlist"
        if head in _SLOW:
            await self._with_status(
                bot, message,
                lambda progress, deliver: self.commands.handle(user, line, progress, deliver), user,
            )
        else:
            await self._deliver(bot, message, user, await self.commands.handle(user, line))

    async def _engine_call(self, bot: Bot, chat_id: int, call: Awaitable[None]) -> None:
        """Runs one action; a refusal is shown as is, anything else logged and apologised for."""
        try:
            await call
        except EchoTunerError as exc:
            await self._say(bot, chat_id, "⚠️ " + esc(exc.user_message, limit=1000))
        except TelegramError:
            raise
        except Exception:
            log.exception("telegram action failed")
            await self._say(bot, chat_id, "⚠️ " + OUR_FAULT)

    async def _page_line(self, playlist: Playlist) -> str:
        """A last line linking the playlist's page, when PUBLIC_BASE_URL is set."""
        if self.sharing is None:
            return ""
        url = await self.sharing.share_url(playlist.draft_id)
        if url is None:
            return ""
        return f'\n🔗 <a href="{attr(url)}">Open the playlist page</a> (covers, Copy all, Open in Spotify)'

    def _help_text(self) -> str:
        return HELP + (LINK_HELP if self.linking is not None else "")

    # --- text commands --------------------------------------------------------------
    async def on_text_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/playlist, /refine, /profile, /limits, /status, /save, /taste: the shared TextCommands."""
        parts = self._parts(update)
        if parts is None or not parts[0].text:
            return
        message, _, user = parts
        await self._run_line(context.bot, message, user, message.text or "")

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        await send_chunks(context.bot, message.chat.id, render_help(self._help_text(), TELEGRAM_HELP))

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start: a welcome, or (with a deep-link payload) the private half of /link etc."""
        parts = self._parts(update)
        if parts is None:
            return
        message, tg_user, user = parts
        payload = context.args[0] if context.args else ""
        if not payload or not self._is_private(message):
            welcome = (
                "👋 I turn a sentence into a real Spotify playlist. Try "
                "<code>/playlist upbeat indie rock for a morning run 15</code>"
                + (" or just type what you want to hear." if self._is_private(message) else ".")
            )
            await self._say(context.bot, message.chat.id, welcome)
            await send_chunks(context.bot, message.chat.id, render_help(self._help_text(), TELEGRAM_HELP))
            return
        link = await self.keys.consume_deep_link(user, payload)
        if link is None:
            await self._say(context.bot, message.chat.id,
                            "⚠️ That link has expired, was already used, or was made for someone "
                            "else. Ask again in the group.")
            return
        if link.kind == "link":
            # Linked in the group's scope, so a group with its own Spotify app uses it.
            scope = user if link.chat_id is None else UserRef(
                user.platform, user.user_id, f"chat:{link.chat_id}"
            )
            await self._link_private(context.bot, message, scope)
        elif link.kind == "unlink":
            await self._unlink_private(context.bot, message, user)
        elif link.chat_id is not None:
            await self._ask_credentials(context.bot, message, tg_user, user, link.chat_id)

    # --- linking ----------------------------------------------------------------------
    async def on_link(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._link_or_unlink(update, context, "link")

    async def on_unlink(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._link_or_unlink(update, context, "unlink")

    async def _link_or_unlink(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, kind: DeepLinkKind
    ) -> None:
        parts = self._parts(update)
        if parts is None:
            return
        message, _, user = parts
        if self.linking is None:
            await self._say(context.bot, message.chat.id,
                            "Linking a Spotify account isn't set up on this bot. Every playlist "
                            "still comes with Spotify links and a URIs button.")
            return
        if self._is_private(message):
            if kind == "link":
                await self._link_private(context.bot, message, user)
            else:
                await self._unlink_private(context.bot, message, user)
            return
        # Bots cannot open a private chat: a one-time deep link lets the user do it.
        payload = await self.keys.deep_link(user, kind, message.chat.id if kind == "link" else None)
        label = "🔗 Link Spotify privately" if kind == "link" else "Unlink Spotify privately"
        await self._say(
            context.bot, message.chat.id,
            "Account links are private: tap the button to continue in a chat with me "
            "(the button works once, for you, for ten minutes).",
            markup=deep_link_keyboard(context.bot.username, payload, label),
            reply_to=message.message_id,
        )

    async def _link_private(self, bot: Bot, message: Message, user: UserRef) -> None:
        """Sends the authorisation URL to this private chat; "linked" is announced here too."""
        if self.linking is None:
            return
        linking = self.linking

        async def run() -> None:
            url = await linking.link_start(user, Conversation("telegram", str(message.chat.id)),
                                           chat_account=_account_label(message))
            await self._say(
                bot, message.chat.id,
                f'<a href="{attr(url)}">Open Spotify to link '
                "your account</a>. The link works once, for you, for ten minutes; I'll tell you "
                "here when it's done.",
            )

        await self._engine_call(bot, message.chat.id, run())

    async def _unlink_private(self, bot: Bot, message: Message, user: UserRef) -> None:
        if self.linking is None:
            return
        linking = self.linking

        async def run() -> None:
            removed = await linking.unlink(user)
            await self._say(bot, message.chat.id,
                            "Your Spotify account is unlinked." if removed
                            else "No Spotify account was linked.")

        await self._engine_call(bot, message.chat.id, run())

    # --- group settings -------------------------------------------------------------
    async def on_settings(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/settings [reset | spotify | key=value ...], group admins only, checked now."""
        parts = self._parts(update)
        if parts is None:
            return
        message, _, user = parts
        bot, chat = context.bot, message.chat
        if chat.type not in GROUP_TYPES:
            await self._say(bot, chat.id, "Group settings are changed in the group: send /settings "
                                          "there (you need to be one of its admins).")
            return
        if not await message_from_admin(bot, message):
            await self._say(bot, chat.id, "⚠️ Only this group's admins can change its settings.",
                            reply_to=message.message_id)
            return
        scope = user.scope
        args = " ".join(context.args or ()).strip()

        async def run() -> None:
            if args.lower() == "spotify":
                await self._offer_credentials_link(bot, message, user)
                return
            if args.lower() == "reset":
                settings = await self.engine.set_limits(scope, self.engine.config.defaults)
                await self._say(bot, chat.id, "Limits reset to the bot's defaults.\n"
                                + render_settings(settings, chat.title or "this group"))
                return
            current = await self.engine.limit_settings(scope)
            if args:
                current = await self.engine.set_limits(scope, apply_limit_changes(current, args))
                await self._say(bot, chat.id, "Saved.\n" + render_settings(current,
                                                                        chat.title or "this group"))
                return
            await self._say(bot, chat.id, render_settings(current, chat.title or "this group"))

        await self._engine_call(bot, chat.id, run())

    async def _offer_credentials_link(self, bot: Bot, message: Message, user: UserRef) -> None:
        if self.linking is None:
            await self._say(bot, message.chat.id, "Spotify isn't set up on this bot, so a group "
                                                  "can't have its own Spotify app yet.")
            return
        if message.sender_chat is not None:
            await self._say(bot, message.chat.id,
                            "You're posting as the group (anonymous admin), so I can't send you "
                            "a private link. Turn off “Remain anonymous” for a moment and send "
                            "/settings spotify again.")
            return
        payload = await self.keys.deep_link(user, "app", message.chat.id)
        await self._say(
            bot, message.chat.id,
            "Spotify app credentials are secret: tap the button and send them to me in a private "
            "chat (the button works once, for you, for ten minutes).",
            markup=deep_link_keyboard(bot.username, payload, "🔐 Set the group's Spotify app"),
            reply_to=message.message_id,
        )

    async def _ask_credentials(
        self, bot: Bot, message: Message, tg_user: User, user: UserRef, group_id: int
    ) -> None:
        if not await is_admin(bot, group_id, tg_user.id):
            await self._say(bot, message.chat.id, "⚠️ You're no longer an admin of that group.")
            return
        question = await bot.send_message(
            message.chat.id,
            "Reply to this message with the group's Spotify app <b>client id</b> and "
            "<b>client secret</b>, separated by a space. I'll delete your message once I've read "
            "it and never show the secret again.",
            reply_markup=ForceReply(selective=True, input_field_placeholder="client_id client_secret"),
        )
        await self.keys.expect_reply(message.chat.id, question.message_id, Pending(
            kind="app_credentials", owner_key=self.keys.owner(user), scope=f"chat:{group_id}",
        ))

    async def _receive_credentials(
        self, bot: Bot, message: Message, tg_user: User, pending: Pending, question_id: int
    ) -> None:
        # Whatever happens next, the secret must not stay in the chat history.
        try:
            await bot.delete_message(message.chat.id, message.message_id)
        except TelegramError:
            log.warning("could not delete the message holding credentials")
        scope = pending.scope or ""
        group_id = int(scope.removeprefix("chat:")) if scope.startswith("chat:") else None
        match = _CREDENTIALS.match(message.text or "")
        if group_id is None or self.linking is None:
            return
        if match is None:
            await self._say(bot, message.chat.id,
                            "⚠️ That doesn't look like a client id and a client secret (two "
                            "strings of letters and digits, separated by a space). Send "
                            "/settings spotify in the group to try again.")
            return
        if not await is_admin(bot, group_id, tg_user.id):
            await self._say(bot, message.chat.id, "⚠️ You're no longer an admin of that group.")
            return
        linking = self.linking

        async def run() -> None:
            await linking.set_scope_app(scope, match.group(1), match.group(2))
            await self.keys.answered(message.chat.id, question_id)
            await self._say(bot, message.chat.id,
                            "Saved: that group now uses its own Spotify app. (Your message with "
                            "the secret has been deleted.)")

        await self._engine_call(bot, message.chat.id, run())

    # --- plain messages ---------------------------------------------------------------
    def _mentions_bot(self, message: Message, username: str) -> str | None:
        """The text without the bot's @mention when it mentions the bot, else None."""
        text = message.text or ""
        mentioned = False
        for value in message.parse_entities([MessageEntityType.MENTION]).values():
            if value.lstrip("@").lower() == username.lower():
                mentioned = True
                text = text.replace(value, " ")
        return " ".join(text.split()) if mentioned else None

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answers to the bot's questions; in private any text is a prompt; in groups mentions."""
        parts = self._parts(update)
        if parts is None or not parts[0].text:
            return
        message, tg_user, user = parts
        bot = context.bot
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            pending = await self.keys.pending(message.chat.id, replied.message_id)
            if pending is not None:
                if pending.owner_key != self.keys.owner(user):
                    return  # someone else answering a question that wasn't theirs
                if pending.kind == "refine" and pending.draft_id is not None:
                    await self._refine_reply(bot, message, user, pending.draft_id,
                                             replied.message_id, pending.version)
                elif pending.kind == "app_credentials":
                    await self._receive_credentials(bot, message, tg_user, pending, replied.message_id)
                return
        if self._is_private(message):
            await self._run_line(bot, message, user, message.text or "")
            return
        prompt = self._mentions_bot(message, bot.username)
        if prompt is not None:
            if not prompt:
                await self._say(bot, message.chat.id, "Tell me what to play, e.g. "
                                f"<code>@{esc(bot.username)} calm jazz for a rainy evening</code>.",
                                reply_to=message.message_id)
                return
            await self._run_line(bot, message, user, prompt)

    async def _refine_reply(
        self, bot: Bot, message: Message, user: UserRef, draft_id: int, question_id: int,
        version: int | None = None,
    ) -> None:
        feedback = message.text or ""

        async def work(progress: ProgressCallback, deliver: Deliver) -> Reply:
            try:
                playlist = await self.engine.refine(user, feedback, draft_id, progress,
                                                    deliver=deliver, version=version)
            except EchoTunerError as exc:
                return Reply(text=exc.user_message, is_error=True)
            except DeliveryFailed:
                raise
            except Exception:
                log.exception("refinement failed")
                return Reply(text=OUR_FAULT, is_error=True)
            await self.keys.answered(message.chat.id, question_id)
            return Reply(playlist=playlist)

        await self._with_status(bot, message, work, user, "⏳ Refining…")

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In a private chat an unknown /command gets the shared "unknown command" answer."""
        parts = self._parts(update)
        if parts is None or not parts[0].text:
            return
        message, _, user = parts
        await self._deliver(context.bot, message, user, await self.commands.handle(user, message.text or ""))

    # --- buttons ----------------------------------------------------------------------
    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button under a playlist; answered exactly once, whoever pressed it."""
        query = update.callback_query
        if query is None:
            return
        bot = context.bot
        answered = False

        async def answer(text: str | None = None, alert: bool = False) -> None:
            nonlocal answered
            if answered:
                return
            answered = True
            try:
                await query.answer(text, show_alert=alert)
            except TelegramError:
                log.info("answerCallbackQuery failed", exc_info=True)

        try:
            target = await self.keys.resolve_button(query.data)
            message = query.message
            if target is None or message is None or not isinstance(message, Message):
                await answer("This button has expired. Make a new playlist with /playlist.", True)
                return
            user = user_ref(query.from_user, message.chat.id, message.chat.type)
            if self.keys.owner(user) != target.owner_key:
                await answer("That's not your playlist: make your own with /playlist.", True)
                return
            # Every action is on the version the pressed message shows (target.version).
            if target.action == "refine":
                await answer()
                await self._ask_feedback(bot, message, query.from_user, user, target.draft_id,
                                         target.version)
            elif target.action == "regenerate":
                await answer("Making a fresh version…")
                await self._regenerate(bot, message, user, target.draft_id, target.version)
            elif target.action == "save":
                await answer("Saving…" if self.linking is not None else None)
                await self._save(bot, message, user, target.draft_id, target.version)
            else:
                await answer()
                await self._uris(bot, message, user, target.draft_id, target.version)
        finally:
            await answer()

    async def _ask_feedback(
        self, bot: Bot, message: Message, tg_user: User, user: UserRef, draft_id: int,
        version: int | None = None,
    ) -> None:
        async def run() -> None:
            playlist = await self.engine.get_playlist(user, draft_id, version)
            who = "" if self._is_private(message) else (
                f'<a href="tg://user?id={tg_user.id}">{esc(tg_user.first_name, limit=64)}</a>, '
            )
            question = await bot.send_message(
                message.chat.id,
                f"{who}what should change in <b>{esc(playlist.title)}</b>? Reply to this message.",
                reply_markup=ForceReply(selective=True,
                                        input_field_placeholder="e.g. more energetic, no ballads"),
            )
            await self.keys.expect_reply(message.chat.id, question.message_id, Pending(
                kind="refine", owner_key=self.keys.owner(user), draft_id=draft_id,
                version=version,
            ))

        await self._engine_call(bot, message.chat.id, run())

    async def _regenerate(
        self, bot: Bot, message: Message, user: UserRef, draft_id: int, version: int | None = None
    ) -> None:
        async def work(progress: ProgressCallback, deliver: Deliver) -> Reply:
            try:
                return Reply(playlist=await self.engine.regenerate(
                    user, draft_id, progress, deliver=deliver, version=version))
            except EchoTunerError as exc:
                return Reply(text=exc.user_message, is_error=True)
            except DeliveryFailed:
                raise
            except Exception:
                log.exception("regeneration failed")
                return Reply(text=OUR_FAULT, is_error=True)

        await self._with_status(bot, message, work, user, "⏳ Regenerating…")

    async def _save(
        self, bot: Bot, message: Message, user: UserRef, draft_id: int, version: int | None = None
    ) -> None:
        linking = self.linking

        async def run() -> None:
            if linking is None:
                playlist = await self.engine.get_playlist(user, draft_id, version)
                await self._say(bot, message.chat.id,
                                "Saving to Spotify isn't set up on this bot. Paste these into a "
                                "playlist in the Spotify desktop app instead:")
                await send_chunks(bot, message.chat.id, render_uris(playlist))
                return
            try:
                url = await linking.save(user, draft_id, version)
            except EchoTunerError as exc:
                if isinstance(exc, NotLinked) and not self._is_private(message):
                    payload = await self.keys.deep_link(user, "link", message.chat.id)
                    await self._say(bot, message.chat.id, "⚠️ " + esc(exc.user_message, limit=1000),
                                    markup=deep_link_keyboard(bot.username, payload,
                                                              "🔗 Link Spotify privately"))
                    return
                raise
            playlist = await self.engine.get_playlist(user, draft_id, version)
            await self._say(bot, message.chat.id,
                            f'Saved <a href="{attr(url)}">'
                            f"{esc(playlist.title)}</a> to your Spotify.")

        await self._engine_call(bot, message.chat.id, run())

    async def _uris(
        self, bot: Bot, message: Message, user: UserRef, draft_id: int, version: int | None = None
    ) -> None:
        async def run() -> None:
            playlist = await self.engine.get_playlist(user, draft_id, version)
            await send_chunks(bot, message.chat.id, render_uris(playlist))

        await self._engine_call(bot, message.chat.id, run())

    # --- unprompted messages and errors -----------------------------------------------
    async def send_reply(self, bot: Bot, chat_id: int, reply: Reply) -> None:
        """For ``ChatAdapter.send``: a Reply to a chat nobody just wrote in."""
        await self._say(bot, chat_id, render_reply(reply))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Logs the failure and tells the user, without ever raising itself."""
        if telegram_failed(context.error):
            # Telegram itself is unreachable or failing: expected, and not our bug.
            log.warning("telegram: a handler could not reach Telegram (%s: %s)",
                        type(context.error).__name__, context.error)
        else:
            log.error("telegram handler failed", exc_info=context.error)
        if not isinstance(update, Update):
            return
        if update.callback_query is not None:
            try:
                await update.callback_query.answer()
            except TelegramError:
                pass  # already answered, or too old
        chat = update.effective_chat
        if chat is None:
            return
        try:
            await context.bot.send_message(chat.id, "⚠️ " + DELIVERY_FAULT)
        except TelegramError:
            log.warning("could not tell the user about the failure", exc_info=True)


def _account_label(message: Message) -> str:
    """How Telegram shows the sender: ``@username``, else their name (for the OAuth page)."""
    sender = message.from_user
    if sender is None:
        return ""
    return f"@{sender.username}" if sender.username else sender.full_name


__all__ = ["HandlerOptions", "Handlers", "user_ref"]


"""What every Discord handler shares: its session, DMs and link buttons, and the error hook.

A handler turns one interaction into one call of the conversation layer
(``core.actions``), whose verbs answer every refusal and failure of their own as a
``TextReply(error=True)``; Discord shows those only to the asker.  ``session`` tracks
the work for a graceful shutdown and, afterwards, shows a notice that could not be sent
earlier (the user's DMs were closed when their Spotify link completed).  What can still
go wrong is Discord's own: ``on_failure`` is the one place that answers it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import discord
from discord import app_commands

from adapters.discord import render
from adapters.discord.answer import SERVER_TROUBLE, Answer, bounded, is_code
from adapters.discord.services import services_of, user_ref
from core import i18n, wording
from core.actions import error_reply
from core.errors import DeliveryFailed
from core.i18n import Message

log = logging.getLogger(__name__)

CANNOT_DM = 50007  # "Cannot send messages to this user" (DMs closed, or no shared server)
ANSWER = "echotuner-answer"  # the key of an interaction's Answer in ``Interaction.extras``
LOCALE = "echotuner-locale"  # ... and of the locale it is answered in


async def language(interaction: discord.Interaction[Any]) -> str:
    """The locale to answer ``interaction`` in: the user's pinned one, else their Discord
    client's (``interaction.locale``), else English.  Worked out once per interaction."""
    known = interaction.extras.get(LOCALE)
    if isinstance(known, str):
        return known
    found = await services_of(interaction).actions.language(
        user_ref(interaction), str(interaction.locale.value))
    interaction.extras[LOCALE] = found
    return found


@contextlib.asynccontextmanager
async def session(interaction: discord.Interaction[Any]) -> AsyncIterator[Answer]:
    """One handler's run: its ``Answer``, shutdown tracking, then any pending notice.

    A shutdown (the task cancelled) is told to the user here; every other failure
    propagates to ``on_failure`` (through discord.py's ``tree.on_error`` for commands).
    """
    services = services_of(interaction)
    answer = Answer(interaction, services)
    interaction.extras[ANSWER] = answer
    # The one place an interaction enters: everything below speaks the user's language.
    with i18n.speaking(await language(interaction)):
        task = asyncio.current_task()
        if task is not None:
            services.inflight.add(task)
        try:
            yield answer
        except asyncio.CancelledError:
            # The bot is shutting down mid-command; the engine refunds what it reserved.
            await answer.stop_progress()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(answer.fail(wording.RESTARTING()), 5)
            raise
        else:
            await deliver_notice(answer)
        finally:
            if task is not None:
                services.inflight.discard(task)


class Refused(app_commands.CheckFailure):
    """A run-time check said no; ``reason`` says why (shown privately, in the user's language:
    checks run before a handler's session, so the sentence is said when it is shown)."""

    def __init__(self, reason: Message) -> None:
        super().__init__(reason.msgid)
        self.reason = reason


async def on_failure(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """The one error hook: what went wrong answering ``interaction``, told to its user.

    The verbs already answered every failure of the engine; what arrives here is
    Discord's (refused, down, too slow, a token gone), a command the tree could not run
    as registered, or a bug, which ``core.actions.error_reply`` logs and apologises for.
    """
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    answer = interaction.extras.get(ANSWER)
    if not isinstance(answer, Answer):  # failed before a handler ran
        answer = Answer(interaction, services_of(interaction))
    what = _what(interaction)
    await answer.stop_progress()
    with i18n.speaking(await _language_or_english(interaction)):
        await answer.fail(_failure_text(error, what))
    await deliver_notice(answer)


async def _language_or_english(interaction: discord.Interaction[Any]) -> str:
    try:
        return await language(interaction)
    except Exception:  # the error hook never raises
        log.warning("could not work out the language of %s", _what(interaction), exc_info=True)
        return i18n.DEFAULT_LOCALE


def _failure_text(error: BaseException, what: str) -> str:
    if isinstance(error, Refused):
        return error.reason()
    if isinstance(error, app_commands.TransformerError | app_commands.CheckFailure):
        log.warning("app command error: %s", error)
        return wording.OPTIONS_UNREADABLE()
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        log.warning("app command error: %s", error)
        return wording.COMMAND_CHANGED()
    if isinstance(error, DeliveryFailed):
        log.warning("discord: a playlist could not be sent (%s); nothing was charged",
                    error.__cause__ or error)
        return wording.undelivered("Discord")
    if isinstance(error, SERVER_TROUBLE):
        # Discord is down or failing: expected, not our bug; one line in the log.
        log.warning("Discord failed while handling %s (%s: %s)", what, type(error).__name__, error)
        return wording.SORRY()
    if isinstance(error, discord.HTTPException):
        log.error("Discord refused a request while handling %s", what, exc_info=error)
        return wording.SORRY()
    return error_reply(error, what).text


def _what(interaction: discord.Interaction[Any]) -> str:
    command = interaction.command
    if command is not None:
        return f"/{command.qualified_name}"
    data: Mapping[str, Any] = interaction.data or {}
    custom_id = str(data.get("custom_id", ""))[:40]
    return f"interaction {custom_id or interaction.type.name}"


async def deliver_notice(answer: Answer) -> None:
    """Shows a notice kept for this user (their DMs were closed), once."""
    response = answer.interaction.response
    notices = answer.services.notices
    if notices is None or response.type not in {
        discord.InteractionResponseType.channel_message,
        discord.InteractionResponseType.deferred_channel_message,
    } or not answer.token_fresh:
        return
    try:
        notice = await notices.take(answer.interaction.user.id)
        if notice:
            await bounded(answer.services, answer.interaction.followup.send(
                render.content_text(notice), ephemeral=True))
    except Exception:
        log.warning("could not show a pending notice", exc_info=True)


def link_view(url: str, label: str) -> discord.ui.View | None:
    """A view with one link button, or None when the URL is too long for a button."""
    if len(url) > render.LINK_BUTTON_URL_LIMIT:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(style=discord.ButtonStyle.link,
                                    label=render.clip(label, render.BUTTON_LABEL_LIMIT), url=url))
    return view


async def send_dm(
    client: discord.Client,
    user_id: int,
    content: str | None,
    *,
    embeds: Sequence[discord.Embed] = (),
    view: discord.ui.View | None = None,
) -> bool:
    """Sends a direct message; False when the user's DMs are closed (error 50007)."""
    try:
        channel = await client.create_dm(discord.Object(id=user_id))
        if view is None:
            await channel.send(content, embeds=list(embeds))
        else:
            await channel.send(content, embeds=list(embeds), view=view)
    except discord.Forbidden as exc:
        if is_code(exc, CANNOT_DM):
            return False
        raise
    return True

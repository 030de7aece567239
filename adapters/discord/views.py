"""Replies as Discord messages with their components, the buttons under a playlist and the
refine modal.

Buttons are ``DynamicItem``s: their ``custom_id`` (``et:<action>:v<version>:<draft id>``)
carries everything needed, so they work for any message, after any restart, with nothing
kept in memory.  Each acts on the version its message shows, not on whatever was made
since (a Refine posts a new message; the old one's Show URIs still lists the old tracks);
ids made before versions were carried (``et:<action>:<draft id>``) mean the latest.

Every press is checked against the presser first (``Actions.show``): someone else's
playlist answers "not your playlist", privately, before anything public happens.

The refine modal is answered from the raw ``modal_submit`` interaction (its
``custom_id`` carries the draft id and version too), so a modal opened before a
restart can still be submitted after it.

discord.py only logs what a dynamic item or a listener raises, so ``component`` hands
their failures to the same hook as the command tree's (``interact.on_failure``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Literal

import discord

from adapters.discord import render
from adapters.discord.answer import Answer
from adapters.discord.interact import link_view, on_failure, session
from adapters.discord.services import services_of, user_ref
from core import wording
from core.actions import SendPlaylist
from core.i18n import Message
from core.models import ProgressCallback
from core.replies import PlaylistReply, Reply, TextReply, is_error

log = logging.getLogger(__name__)

Action = Literal["refine", "regen", "save", "uris"]
REFINE_MODAL_PREFIX = "et:refine-modal:"
FEEDBACK_INPUT = "feedback"
_BUTTONS: dict[Action, tuple[Message, discord.ButtonStyle, str]] = {
    "refine": (wording.BUTTON_REFINE, discord.ButtonStyle.primary, "✏️"),
    "regen": (wording.BUTTON_REGENERATE, discord.ButtonStyle.secondary, "🔁"),
    "save": (wording.BUTTON_SAVE, discord.ButtonStyle.success, "💾"),
    "uris": (wording.BUTTON_URIS, discord.ButtonStyle.secondary, "📋"),
}
# The version is optional in both: ids sent before versions were carried still work.
_VERSION = r"(?:v(?P<version>[0-9]{1,9}):)?"
_MODAL_ID = re.compile(re.escape(REFINE_MODAL_PREFIX) + _VERSION + r"(?P<draft>[0-9]{1,18})")


def _with_version(draft_id: int, version: int | None) -> str:
    return str(draft_id) if version is None else f"v{version}:{draft_id}"


def _version_of(match: re.Match[str]) -> int | None:
    return int(match["version"]) if match["version"] else None


class DraftButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"et:(?P<action>refine|regen|save|uris):" + _VERSION + r"(?P<draft>[0-9]{1,18})",
):
    """One of the four buttons under a playlist, for one version of its draft."""

    def __init__(self, action: Action, draft_id: int, version: int | None = None) -> None:
        label, style, emoji = _BUTTONS[action]
        super().__init__(
            discord.ui.Button(
                label=label(), style=style, emoji=emoji,
                custom_id=f"et:{action}:{_with_version(draft_id, version)}",
            )
        )
        self.action: Action = action
        self.draft_id = draft_id
        self.version = version  # None: the draft's latest (a button from before versions)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> DraftButton:
        action = match["action"]
        assert action in _BUTTONS  # the template admits nothing else
        return cls(action, int(match["draft"]), _version_of(match))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handlers: Mapping[Action, Callable[[Answer, int, int | None], Awaitable[None]]] = {
            "refine": _open_refine_modal,
            "regen": _regenerate,
            "save": _save,
            "uris": _show_uris,
        }
        work = handlers[self.action]
        draft_id, version = self.draft_id, self.version

        # A blend's members may save its playlist to their own Spotify (nothing else).
        shared = self.action == "save"

        async def run(answer: Answer) -> None:
            if await _owned(answer, draft_id, version, shared=shared):
                await work(answer, draft_id, version)

        await component(interaction, run)


async def component(
    interaction: discord.Interaction[Any], work: Callable[[Answer], Awaitable[None]]
) -> None:
    """Runs a button's or a modal's handler in a session, failures to the one hook."""
    try:
        async with session(interaction) as answer:
            await work(answer)
    except Exception as exc:  # discord.py would only log it: the hook answers the user
        await on_failure(interaction, exc)


def playlist_view(draft_id: int, version: int | None = None) -> discord.ui.View:
    """The persistent buttons for one version of a draft (no timeout; ids carry both)."""
    view = discord.ui.View(timeout=None)
    for action in _BUTTONS:
        view.add_item(DraftButton(action, draft_id, version))
    return view


def _view(shown: render.Rendered) -> discord.ui.View | None:
    if shown.buttons is not None:
        return playlist_view(*shown.buttons)
    if shown.link is not None:
        return link_view(*shown.link)
    return None


async def show(answer: Answer, reply: Reply) -> None:
    """A reply only this user sees (a playlist goes public, with its buttons)."""
    shown = render.render(reply)
    if isinstance(reply, PlaylistReply):
        await answer.publish(shown.messages, _view(shown))
        return
    if shown.error:
        await answer.fail(shown.content or wording.SORRY())
        return
    view = _view(shown)
    content = shown.content
    if view is None and shown.link is not None:  # too long for a button: in the text
        content = f"{content}\n{shown.link[0]}" if content else shown.link[0]
    first, *rest = shown.messages or [[]]
    await answer.private(content, embeds=first, view=view)
    for embeds in rest:
        await answer.interaction.followup.send(embeds=embeds, ephemeral=True)


async def make_playlist(
    answer: Answer, produce: Callable[[ProgressCallback, SendPlaylist], Awaitable[Reply]]
) -> None:
    """Defers publicly, shows progress, then the playlist with its buttons.

    The playlist is published from inside the engine's charge (``deliver``): when Discord
    cannot take it, ``DeliveryFailed`` reaches the error hook and nothing is charged.  A
    refusal (quota, not about music...) is shown privately.
    """
    await answer.defer(ephemeral=False)

    async def deliver(reply: PlaylistReply) -> None:
        await show(answer, reply)

    reply = await produce(answer.progress, deliver)
    if not isinstance(reply, PlaylistReply):
        await show(answer, reply)


async def _owned(
    answer: Answer, draft_id: int, version: int | None, *, shared: bool = False
) -> bool:
    """Refuses, privately, a press on somebody else's (or a vanished) playlist; ``shared``:
    one shared with the presser (a blend they are in) is theirs here too."""
    actions = answer.services.actions
    reply = await actions.show(user_ref(answer.interaction), draft_id, version, shared=shared)
    if isinstance(reply, TextReply) and reply.code == "forbidden":
        reply = TextReply(wording.NOT_YOUR_PLAYLIST(), error=True, code=reply.code)
    if is_error(reply):
        await show(answer, reply)
        return False
    return True


# --- button actions ------------------------------------------------------------------
async def _open_refine_modal(answer: Answer, draft_id: int, version: int | None) -> None:
    # A modal must be the first response: nothing may be deferred before it.
    limit = answer.services.max_feedback_length
    modal = discord.ui.Modal(title=wording.REFINE_FORM_TITLE(),
                             custom_id=REFINE_MODAL_PREFIX + _with_version(draft_id, version))
    modal.add_item(
        discord.ui.Label(
            text=wording.REFINE_FORM_QUESTION(),
            component=discord.ui.TextInput(
                style=discord.TextStyle.long,
                custom_id=FEEDBACK_INPUT,
                placeholder=wording.REFINE_FORM_EXAMPLE(),
                max_length=min(limit, 4000),
            ),
        )
    )
    await answer.interaction.response.send_modal(modal)
    # Submissions are answered from the raw interaction (see on_modal_submit), which
    # also works after a restart; the library's own modal store must not answer twice.
    modal.stop()


async def _regenerate(answer: Answer, draft_id: int, version: int | None) -> None:
    actions = answer.services.actions
    user = user_ref(answer.interaction)
    await make_playlist(answer, lambda progress, deliver: actions.regenerate(
        user, draft_id, version=version, progress=progress, deliver=deliver))


async def save_draft(answer: Answer, draft_id: int | None, version: int | None = None) -> None:
    """Saves a draft (the user's latest here, or ``version`` of ``draft_id``) to their
    Spotify; without Spotify accounts on this bot, shows its URIs instead."""
    actions = answer.services.actions
    if actions.accounts_enabled:
        await answer.defer(ephemeral=True)
    await show(answer, await actions.save(user_ref(answer.interaction), draft_id, version))


async def _save(answer: Answer, draft_id: int, version: int | None) -> None:
    await save_draft(answer, draft_id, version)


async def _show_uris(answer: Answer, draft_id: int, version: int | None) -> None:
    actions = answer.services.actions
    await show(answer, await actions.uris(user_ref(answer.interaction), draft_id, version))


# --- the refine modal --------------------------------------------------------------------
def _text_inputs(components: Iterable[Any]) -> Iterable[Mapping[str, Any]]:
    """Text inputs of a modal submission, in action rows (legacy) or labels (current)."""
    for component in components:
        if not isinstance(component, Mapping):
            continue
        if component.get("type") == 4:
            yield component
        yield from _text_inputs(component.get("components", ()))
        if isinstance(component.get("component"), Mapping):
            yield from _text_inputs([component["component"]])


def modal_feedback(data: Mapping[str, Any]) -> str:
    for text_input in _text_inputs(data.get("components", ())):
        if text_input.get("custom_id") == FEEDBACK_INPUT:
            return str(text_input.get("value") or "")
    return ""


async def on_modal_submit(interaction: discord.Interaction[Any]) -> None:
    """Answers a submitted refine modal: a new version of that draft, from the version the
    modal was opened on."""
    if interaction.type is not discord.InteractionType.modal_submit or not interaction.data:
        return
    data: Mapping[str, Any] = interaction.data
    match = _MODAL_ID.fullmatch(str(data.get("custom_id", "")))
    if match is None:
        return
    draft_id, version = int(match["draft"]), _version_of(match)
    feedback = modal_feedback(data)

    async def run(answer: Answer) -> None:
        if not await _owned(answer, draft_id, version):
            return
        actions = services_of(interaction).actions
        user = user_ref(interaction)
        await make_playlist(answer, lambda progress, deliver: actions.refine(
            user, feedback, draft_id, version=version, progress=progress, deliver=deliver))

    await component(interaction, run)

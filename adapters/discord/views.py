"""The buttons under a playlist and the refine modal.

Buttons are ``DynamicItem``s: their ``custom_id`` (``et:<action>:v<version>:<draft id>``)
carries everything needed, so they work for any message, after any restart, with nothing
kept in memory.  Each acts on the version its message shows, not on whatever was made
since (a Refine posts a new message; the old one's Show URIs still lists the old tracks);
ids made before versions were carried (``et:<action>:<draft id>``) mean the latest.

Every press is checked against the presser first (``engine.own_draft``): someone
else's playlist answers "this is not your playlist", privately, before anything
public happens.

The refine modal is answered from the raw ``modal_submit`` interaction (its
``custom_id`` carries the draft id and version too), so a modal opened before a
restart can still be submitted after it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Literal

import discord

from adapters.discord import render
from adapters.discord.interact import (
    NOT_YOURS,
    UNDELIVERED,
    Answer,
    handle,
    link_view,
    services_of,
    user_ref,
)
from core.engine import Deliver
from core.errors import DeliveryFailed, NotYourPlaylist
from core.models import Playlist, ProgressCallback

log = logging.getLogger(__name__)

Action = Literal["refine", "regen", "save", "uris"]
REFINE_MODAL_PREFIX = "et:refine-modal:"
FEEDBACK_INPUT = "feedback"
_BUTTONS: dict[Action, tuple[str, discord.ButtonStyle, str]] = {
    "refine": ("Refine", discord.ButtonStyle.primary, "✏️"),
    "regen": ("Regenerate", discord.ButtonStyle.secondary, "🔁"),
    "save": ("Save to Spotify", discord.ButtonStyle.success, "💾"),
    "uris": ("Show URIs", discord.ButtonStyle.secondary, "📋"),
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
                label=label, style=style, emoji=emoji,
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
            "save": save_draft,
            "uris": _show_uris,
        }
        work = handlers[self.action]
        draft_id, version = self.draft_id, self.version

        async def run(answer: Answer) -> None:
            if await _owned(answer, draft_id):
                await work(answer, draft_id, version)

        await handle(interaction, run, what=f"the {self.action} button")


def playlist_view(draft_id: int, version: int | None = None) -> discord.ui.View:
    """The persistent buttons for one version of a draft (no timeout; ids carry both)."""
    view = discord.ui.View(timeout=None)
    for action in _BUTTONS:
        view.add_item(DraftButton(action, draft_id, version))
    return view


async def _owned(answer: Answer, draft_id: int) -> bool:
    """Refuses, privately, a press on somebody else's playlist."""
    engine = answer.services.engine
    try:
        await engine.own_draft(user_ref(answer.interaction), draft_id)
    except NotYourPlaylist:
        await answer.private(NOT_YOURS)
        return False
    return True


async def deliver_playlist(
    answer: Answer, produce: Callable[[ProgressCallback, Deliver], Awaitable[Playlist]]
) -> None:
    """Defers publicly, shows progress, then the playlist with its buttons.

    The playlist is published from inside the engine's charge (``deliver``): when Discord
    cannot take it, nothing is charged and the user is told so, if Discord lets us.
    """
    await answer.defer(ephemeral=False)

    async def deliver(playlist: Playlist) -> None:
        sharing = answer.services.sharing
        share_url = await sharing.share_url(playlist.draft_id) if sharing is not None else None
        await answer.publish(render.playlist_messages(playlist, share_url=share_url),
                             playlist_view(playlist.draft_id, playlist.version))

    try:
        await produce(answer.progress, deliver)
    except DeliveryFailed as exc:
        log.warning("discord: a playlist could not be sent (%s); nothing was charged",
                    exc.__cause__ or exc)
        await answer.fail(UNDELIVERED)


# --- button actions ------------------------------------------------------------------
async def _open_refine_modal(answer: Answer, draft_id: int, version: int | None) -> None:
    # A modal must be the first response: nothing may be deferred before it.
    limit = answer.services.engine.config.max_feedback_length
    modal = discord.ui.Modal(title="Refine this playlist",
                             custom_id=REFINE_MODAL_PREFIX + _with_version(draft_id, version))
    modal.add_item(
        discord.ui.Label(
            text="What should change?",
            component=discord.ui.TextInput(
                style=discord.TextStyle.long,
                custom_id=FEEDBACK_INPUT,
                placeholder="more energetic, no ballads, add some 80s synth-pop",
                max_length=min(limit, 4000),
            ),
        )
    )
    await answer.interaction.response.send_modal(modal)
    # Submissions are answered from the raw interaction (see on_modal_submit), which
    # also works after a restart; the library's own modal store must not answer twice.
    modal.stop()


async def _regenerate(answer: Answer, draft_id: int, version: int | None) -> None:
    engine = answer.services.engine
    user = user_ref(answer.interaction)
    await deliver_playlist(answer, lambda progress, deliver: engine.regenerate(
        user, draft_id, progress, deliver=deliver, version=version))


async def save_draft(answer: Answer, draft_id: int, version: int | None = None) -> None:
    """Saves a draft (its latest, or ``version``) to the user's Spotify (or, without Spotify,
    shows its URIs)."""
    linking = answer.services.linking
    user = user_ref(answer.interaction)
    if linking is None:
        playlist = await answer.services.engine.get_playlist(user, draft_id, version)
        await answer.private(
            "Saving to Spotify is not set up on this bot. Paste these into a playlist in the "
            "Spotify desktop app instead:",
            embeds=render.uri_messages(playlist)[0],
        )
        return
    await answer.defer(ephemeral=True)
    url = await linking.save(user, draft_id, version)
    await answer.private(
        "Saved to your Spotify. Saving again later updates the same playlist.",
        view=link_view(url, "Open in Spotify"),
    )


async def _show_uris(answer: Answer, draft_id: int, version: int | None) -> None:
    playlist = await answer.services.engine.get_playlist(user_ref(answer.interaction), draft_id,
                                                         version)
    messages = render.uri_messages(playlist)
    await answer.private(embeds=messages[0])
    for embeds in messages[1:]:
        await answer.interaction.followup.send(embeds=embeds, ephemeral=True)


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
        if not await _owned(answer, draft_id):
            return
        engine = services_of(interaction).engine
        user = user_ref(interaction)
        await deliver_playlist(answer, lambda progress, deliver: engine.refine(
            user, feedback, draft_id, progress, deliver=deliver, version=version))

    await handle(interaction, run, what="the refine modal")

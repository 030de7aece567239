"""Text commands shared by every text-first front end (console, Telegram).

Like errbot, a command returns a value (a ``Reply``) and the adapter renders and
sends it; the adapter never decides what a command means.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.engine import Deliver, Engine
from core.errors import DeliveryFailed, EchoTunerError, InvalidInput
from core.models import (
    Conversation,
    Health,
    LimitsStatus,
    Playlist,
    Profile,
    ProgressCallback,
    UserRef,
)
from core.profile_edit import apply_changes, parse_assignments

if TYPE_CHECKING:  # core.linking imports this module (for Reply)
    from core.linking import Linking

log = logging.getLogger(__name__)

HELP = """\
Commands:
  /playlist <prompt> [count]   make a playlist, e.g. /playlist relaxing jazz for studying 20
  /refine <feedback>           change your latest playlist, e.g. /refine more energetic, no ballads
  /profile                     show your taste profile
  /profile set key=value ...   genres=jazz,soul artists="Nina Simone" disliked=Nickelback
                               energy=0.4 discovery=popular|balanced|deep explicit=yes|no
  /profile reset               forget your taste profile
  /limits                      playlists and refinements left today
  /status                      health of the model, the catalogue and the database
  /help                        this text
Anything else you type is taken as a playlist prompt."""

LINK_HELP = """
  /link                        connect your Spotify account (the link comes privately)
  /save [number]               put your latest playlist (or that one) in your Spotify
  /taste                       import your top artists and genres into your profile
  /unlink                      disconnect your Spotify account"""
LINK_COMMANDS = frozenset({"link", "unlink", "save", "taste"})

_TRAILING_COUNT = re.compile(r"^(?P<prompt>.*\S)\s+(?P<count>[+-]?\d{1,3})$", re.DOTALL)


@dataclass(frozen=True)
class Reply:
    """What a command answers; exactly one of the payload fields is usually set."""

    text: str = ""
    playlist: Playlist | None = None
    profile: Profile | None = None
    limits: LimitsStatus | None = None
    health: Health | None = None
    is_error: bool = False


def split_count(args: str) -> tuple[str, str | None]:
    """Splits "/playlist <prompt> [count]": a trailing 1-3 digit number is the count."""
    match = _TRAILING_COUNT.match(args.strip())
    if match:
        return match.group("prompt"), match.group("count")
    return args, None


class TextCommands:
    """Parses a line of text and calls the engine; errors become error replies."""

    def __init__(self, engine: Engine, linking: Linking | None = None) -> None:
        self.engine = engine
        self.linking = linking

    async def handle(
        self, user: UserRef, line: str, progress: ProgressCallback | None = None,
        deliver: Deliver | None = None,
    ) -> Reply:
        """The reply to ``line``.  ``deliver`` (see ``Engine.generate``) sends a playlist
        before it is charged; when it fails, ``DeliveryFailed`` propagates to the adapter."""
        text = line.strip()
        if not text:
            return Reply(text="Type a prompt, or /help.", is_error=True)
        if not text.startswith("/"):
            command, args = "playlist", text
        else:
            head, _, args = text[1:].partition(" ")
            command = head.split("@", 1)[0].lower()  # Telegram appends @botname in groups
        try:
            return await self._dispatch(user, command, args.strip(), progress, deliver)
        except DeliveryFailed:
            raise  # the chat itself failed: no reply could reach the user through it either
        except EchoTunerError as exc:
            return Reply(text=exc.user_message, is_error=True)
        except Exception:
            # The engine already refunded; the user gets a plain answer, the log the details.
            log.exception("command /%s failed", command)
            return Reply(
                text="Something went wrong on our side; nothing was charged. Please try again.",
                is_error=True,
            )

    async def _dispatch(
        self, user: UserRef, command: str, args: str, progress: ProgressCallback | None,
        deliver: Deliver | None = None,
    ) -> Reply:
        engine = self.engine
        if command in {"playlist", "p", "generate"}:
            prompt, count = split_count(args)
            return Reply(playlist=await engine.generate(user, prompt, count, progress,
                                                        deliver=deliver))
        if command == "refine":
            return Reply(playlist=await engine.refine(user, args, None, progress, deliver=deliver))
        if command == "profile":
            action, _, rest = args.partition(" ")
            if action.lower() == "set":
                profile = apply_changes(await engine.get_profile(user), parse_assignments(rest))
                return Reply(text="Profile saved.", profile=await engine.set_profile(user, profile))
            if action.lower() == "reset":
                return Reply(text="Profile reset.", profile=await engine.set_profile(user, Profile()))
            if action:
                raise InvalidInput("Use /profile, /profile set key=value ..., or /profile reset.")
            return Reply(profile=await engine.get_profile(user))
        if command == "limits":
            return Reply(limits=await engine.limits_status(user))
        if command in {"status", "health"}:
            return Reply(health=await engine.health())
        if command in {"help", "start"}:
            return Reply(text=HELP + (LINK_HELP if self.linking is not None else ""))
        if command in LINK_COMMANDS:
            return await self._linking(user, command, args)
        return Reply(text=f"Unknown command /{command[:30]}. Type /help.", is_error=True)

    async def _linking(self, user: UserRef, command: str, args: str) -> Reply:
        """/link, /unlink, /save [draft id], /taste: a Spotify account, when one is configured."""
        linking = self.linking
        if linking is None:
            return Reply(
                text="Spotify accounts aren't set up on this bot. Paste the spotify:track: lines "
                "of a playlist into a playlist in Spotify's desktop app instead.",
                is_error=True,
            )
        if command == "link":
            if user.scope not in {"dm", "console"}:
                raise InvalidInput("For your safety, sign-in links only go to private chats: "
                                   "send me /link directly.")
            url = await linking.link_start(user, Conversation(user.platform, user.user_id))
            minutes = int(linking.state_ttl.total_seconds() // 60)
            return Reply(text=f"Open this link to connect your Spotify account (valid for "
                              f"{minutes} minutes, once):\n{url}")
        if command == "unlink":
            removed = await linking.unlink(user)
            return Reply(text="Your Spotify account is unlinked." if removed
                         else "No Spotify account was linked.")
        if command == "save":
            draft_id = None
            if args:
                if not args.strip().isdigit():
                    raise InvalidInput("Use /save, or /save <playlist number>.")
                draft_id = int(args.strip())
            draft = await self.engine.own_draft(user, draft_id)
            url = await linking.save(user, draft.id)
            return Reply(text=f"Saved to your Spotify: {url}")
        profile = await linking.import_taste(user)
        return Reply(text="Imported your top artists and genres from Spotify.", profile=profile)

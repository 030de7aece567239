"""Text commands for the text-first front ends (console, Telegram): a line onto a verb.

A line is parsed once (``parse_line``) into a command and its arguments; ``TextCommands``
calls the matching verb of ``core.actions`` and returns its reply.  Wording and the
error policy belong to the verbs, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core import wording
from core.actions import Actions, SendPlaylist
from core.errors import InvalidInput
from core.guard import parse_count
from core.models import Conversation, ProgressCallback, UserRef
from core.profile_edit import parse_assignments
from core.replies import Reply, TextReply

_TRAILING_COUNT = re.compile(r"^(?P<prompt>.*\S)\s+(?P<count>[+-]?\d{1,3})$", re.DOTALL)
_ALIASES = {"p": "playlist", "generate": "playlist", "health": "status", "start": "help"}
#: Commands whose work takes a while: front ends show progress for them.
SLOW_COMMANDS = frozenset({"playlist", "refine"})
LINK_COMMANDS = frozenset({"link", "unlink", "save", "taste"})
#: Scopes where only the user reads the answer (a sign-in link may go there).
PRIVATE_SCOPES = frozenset({"dm", "console"})


@dataclass(frozen=True, slots=True)
class Line:
    """A line of text as a command: ``/playlist jazz 20`` -> ``Line("playlist", "jazz 20")``."""

    command: str
    args: str

    @property
    def slow(self) -> bool:
        return self.command in SLOW_COMMANDS


def parse_line(text: str) -> Line | None:
    """The command a line asks for (plain text is a playlist prompt); None when empty."""
    text = text.strip()
    if not text:
        return None
    if not text.startswith("/"):
        return Line("playlist", text)
    head, _, args = text[1:].partition(" ")
    command = head.split("@", 1)[0].lower()  # Telegram appends @botname in groups
    return Line(_ALIASES.get(command, command), args.strip())


def split_count(args: str) -> tuple[str, str | None]:
    """Splits "/playlist <prompt> [count]": a trailing 1-3 digit number is the count."""
    match = _TRAILING_COUNT.match(args.strip())
    if match:
        return match.group("prompt"), match.group("count")
    return args, None


def _draft_number(args: str) -> int | None:
    if not args:
        return None
    if not args.isdigit():
        raise InvalidInput(wording.SAVE_USAGE())
    return int(args)


class TextCommands:
    """Calls the verb a line of text names; ``handle`` never raises but ``DeliveryFailed``."""

    def __init__(self, actions: Actions) -> None:
        self.actions = actions

    async def handle(
        self, user: UserRef, line: str | Line | None, progress: ProgressCallback | None = None,
        deliver: SendPlaylist | None = None,
    ) -> Reply:
        """The reply to ``line``.  ``deliver`` sends a playlist before it is charged (see
        ``Actions.playlist``); when it fails, ``DeliveryFailed`` propagates to the adapter."""
        parsed = parse_line(line) if isinstance(line, str) else line
        if parsed is None:
            return TextReply(wording.EMPTY_LINE(), error=True, code="invalid_input")
        try:
            return await self._dispatch(user, parsed, progress, deliver)
        except InvalidInput as exc:  # a malformed line, before any verb ran
            return TextReply(exc.user_message, error=True, code=exc.code)

    async def _dispatch(
        self, user: UserRef, line: Line, progress: ProgressCallback | None,
        deliver: SendPlaylist | None,
    ) -> Reply:
        actions, command, args = self.actions, line.command, line.args
        if command == "playlist":
            prompt, count = split_count(args)
            number = parse_count(count) if count is not None else None
            return await actions.playlist(user, prompt, number, progress=progress, deliver=deliver)
        if command == "refine":
            return await actions.refine(user, args, progress=progress, deliver=deliver)
        if command == "profile":
            action, _, rest = args.partition(" ")
            if action.lower() == "set":
                return await actions.profile_set(user, parse_assignments(rest))
            if action.lower() == "reset":
                return await actions.profile_reset(user)
            if action:
                raise InvalidInput(wording.PROFILE_USAGE())
            return await actions.profile_show(user)
        if command == "limits":
            return await actions.limits(user)
        if command == "status":
            return await actions.status()
        if command == "help":
            return TextReply(actions.help_text())
        if command == "link":
            notify = Conversation(user.platform, user.user_id)
            return await actions.link(user, notify, private=user.scope in PRIVATE_SCOPES)
        if command == "unlink":
            return await actions.unlink(user)
        if command == "save":
            return await actions.save(user, _draft_number(args))
        if command == "taste":
            return await actions.import_taste(user)
        return TextReply(wording.unknown_command(command), error=True, code="unknown_command")


__all__ = [
    "LINK_COMMANDS",
    "PRIVATE_SCOPES",
    "SLOW_COMMANDS",
    "Line",
    "TextCommands",
    "parse_line",
    "split_count",
]

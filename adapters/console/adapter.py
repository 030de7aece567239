"""The console chat adapter: the bot in a terminal, with the chat platforms' commands.

Lines come from an async iterator and output goes to a writer, so tests drive it
with a list of lines and a buffer; ``python -m bot`` drives it with stdin.
"""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TextIO

from adapters.console.render import render_reply
from core import i18n
from core.commands import TextCommands
from core.models import Progress, Stage, UserRef
from core.replies import Reply

PROMPT = "echotuner> "


async def stdin_lines(stream: TextIO | None = None) -> AsyncIterator[str]:
    """Lines of stdin, read in a worker thread so the event loop never blocks."""
    source = stream or sys.stdin
    while True:
        line = await asyncio.to_thread(source.readline)
        if not line:
            return
        yield line.rstrip("\n")


class ConsoleAdapter:
    """A front end in the terminal; implements the chat-adapter protocol."""

    name = "console"

    def __init__(
        self,
        commands: TextCommands,
        lines: AsyncIterator[str],
        write: Callable[[str], None],
        *,
        user: UserRef | None = None,
        interactive: bool = True,
        banner: Callable[[], str] | None = None,
        languages: Sequence[str] = (),
        chosen_language: str | None = None,
    ) -> None:
        """``languages`` are the terminal's (``LANG`` and co., most wanted first); the
        user's pinned language wins over them, and ``chosen_language`` (``--lang``) over all."""
        self._commands = commands
        self._lines = lines
        self._write = write
        self.user = user or UserRef("console", getpass.getuser(), "console")
        self._interactive = interactive
        self._banner = banner
        self._languages = tuple(languages)
        self._chosen = chosen_language
        self._progress_shown = False

    async def language(self) -> str:
        """The locale this terminal is answered in, worked out for each line (a newly pinned
        language applies from the next one)."""
        if self._chosen:
            return i18n.negotiate(self._chosen)
        return await self._commands.actions.language(self.user, *self._languages)

    async def start(self) -> None:
        if self._banner is not None:
            with i18n.speaking(await self.language()):
                self._write(self._banner() + "\n")

    async def stop(self) -> None:
        """Nothing to release: the lines' owner closes them."""

    async def send(self, conversation: str, reply: Reply) -> None:
        """Unprompted messages (e.g. "your Spotify account is linked")."""
        with i18n.speaking(await self.language()):
            self._write(render_reply(reply) + "\n")

    async def _progress(self, event: Progress) -> None:
        if not self._interactive:
            return
        # Redraw one status line in place.
        self._write(f"\r\x1b[2K... {event.describe()}")
        self._progress_shown = event.stage is not Stage.DONE

    async def handle_line(self, line: str) -> Reply | None:
        if line.strip().lower() in {"/quit", "/exit", "quit", "exit"}:
            return None
        # The one place a line enters: everything below speaks this terminal's language.
        with i18n.speaking(await self.language()):
            reply = await self._commands.handle(self.user, line, self._progress)
            if self._interactive:
                self._write("\r\x1b[2K")
            self._write(render_reply(reply) + "\n")
        return reply

    async def run(self) -> None:
        """Serves lines until end of input or /quit."""
        if self._interactive:
            self._write(PROMPT)
        async for line in self._lines:
            if not line.strip():
                if self._interactive:
                    self._write(PROMPT)
                continue
            if await self.handle_line(line) is None:
                break
            if self._interactive:
                self._write(PROMPT)

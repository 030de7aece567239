"""The notifier: unprompted messages go to the running chat adapter of the conversation's platform."""

from __future__ import annotations

import logging

from bot.runner import ChatAdapter
from core.models import Conversation
from core.replies import Reply

log = logging.getLogger(__name__)


class AdapterNotifier:
    """Implements ``core.ports.Notifier`` by adapter ``name`` (``"discord"``, ``"telegram"``...).

    Adapters are registered when they are built for a run; a message for a platform that is
    not running is logged and dropped (the user still sees the link in /link and /status).
    """

    def __init__(self) -> None:
        self._adapters: dict[str, ChatAdapter] = {}

    def register(self, adapter: ChatAdapter) -> None:
        self._adapters[adapter.name] = adapter

    def unregister(self, adapter: ChatAdapter) -> None:
        if self._adapters.get(adapter.name) is adapter:
            del self._adapters[adapter.name]

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(self._adapters)

    @property
    def adapters(self) -> tuple[ChatAdapter, ...]:
        """The registered adapters (the status page asks each whether it is connected)."""
        return tuple(self._adapters.values())

    async def notify(self, conversation: Conversation, reply: Reply) -> None:
        adapter = self._adapters.get(conversation.platform)
        if adapter is None:
            log.info("no running %s adapter to notify", conversation.platform)
            return
        await adapter.send(conversation.conversation_id, reply)

"""Builds the chat-model fallback chain named by AI_PROVIDERS."""

from __future__ import annotations

import logging

from bot.settings import Settings
from core.ports import ChatModel

log = logging.getLogger(__name__)


def build_model_chain(settings: Settings, *, offline: ChatModel) -> ChatModel:
    """The providers of ``settings.provider_chain`` that this build can run, then offline."""
    unavailable = [p for p in settings.provider_chain if p != "offline"]
    if unavailable:
        log.warning(
            "model providers %s are not available in this build; planning offline",
            ", ".join(unavailable),
        )
    return offline

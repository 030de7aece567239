"""Input guard: the first pipeline step, turning raw user input into checked values."""

from __future__ import annotations

import re

from core.errors import InvalidInput
from core.text import visible

MIN_SONGS = 5
_SPACES = re.compile(r"\s+")


def clean_text(raw: object, *, max_length: int, what: str = "prompt") -> str:
    """Normalises white space and strips control, format and surrogate characters (see
    ``core.text.visible``); refuses empty or huge text."""
    if not isinstance(raw, str):
        raise InvalidInput(f"The {what} must be text.")
    text = _SPACES.sub(" ", visible(raw)).strip()
    if not text:
        if what == "prompt":
            raise InvalidInput(
                "Tell me what to play, for example: /playlist upbeat indie rock for a morning run"
            )
        raise InvalidInput(f"The {what} is empty.")
    if len(text) > max_length:
        raise InvalidInput(
            f"That {what} is {len(text):,} characters long; please keep it under {max_length}."
        )
    return text


def check_count(raw: object, *, default: int, max_songs: int, min_songs: int = MIN_SONGS) -> int:
    """Parses a track count (int or digits) and checks it against ``min_songs`` (chats: 5;
    the REST API: 1, as EchoTuner's API) and the scope's maximum."""
    if raw is None or raw == "":
        return min(default, max_songs)
    if isinstance(raw, bool):
        raise InvalidInput(f"The number of songs must be a whole number from {min_songs} to {max_songs}.")
    if isinstance(raw, str):
        stripped = raw.strip()
        if not re.fullmatch(r"[+-]?\d{1,6}", stripped):
            raise InvalidInput(
                f"'{stripped[:20]}' is not a number of songs: use a whole number from "
                f"{min_songs} to {max_songs}."
            )
        raw = int(stripped)
    if not isinstance(raw, int):
        raise InvalidInput(f"The number of songs must be a whole number from {min_songs} to {max_songs}.")
    if not min_songs <= raw <= max_songs:
        raise InvalidInput(f"A playlist can have {min_songs} to {max_songs} songs; you asked for {raw}.")
    return raw

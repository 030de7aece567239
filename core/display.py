"""Small facts every front end needs when it shows something: durations and UTF-16 lengths."""

from __future__ import annotations


def duration(ms: int) -> str:
    """``3:07`` (or ``1:02:03``) for a track length; empty when unknown."""
    if ms <= 0:
        return ""
    seconds = round(ms / 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: how Telegram and Discord count a message's characters."""
    return len(text.encode("utf-16-le")) // 2


__all__ = ["duration", "utf16_len"]

"""Spotify ids: 22 base62 characters.  Anything else is refused before it reaches a URI or a path.

Model output, stored rows and service answers are data; an id is only used once it passes here.
"""

from __future__ import annotations

import re

_SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")


def is_spotify_id(value: object) -> bool:
    """True for exactly 22 base62 characters."""
    return isinstance(value, str) and _SPOTIFY_ID.fullmatch(value) is not None


def track_uri(track_id: str) -> str:
    """``spotify:track:<id>``; raises ValueError for anything that is not a Spotify id."""
    if not is_spotify_id(track_id):
        raise ValueError("not a Spotify track id")
    return f"spotify:track:{track_id}"

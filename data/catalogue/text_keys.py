"""How a song is recognised across releases: the keys the builder writes and the reader asks.

A remaster, a live take or a featured-artist credit is the same song for the ranking
(its sound barely moves): ``"Karma Police - Remastered 2017"`` by ``Radiohead`` and
``"Karma Police"`` share one key.  Builder and reader import these functions, so the
keys in the shipped pack and the keys computed for a live Spotify track agree.
"""

from __future__ import annotations

import hashlib
import re

from core.text import normalise

# Where a version marker starts: " - Remastered 2011", " (feat. X)", " [Live]", " feat. X".
_VERSION_MARKER = re.compile(r" - | \(| \[| (?:feat|ft|featuring)\.? ", re.IGNORECASE)


def base_title(title: str) -> str:
    """A title without its version suffix: ``"So What - Remastered"`` -> ``"So What"``.

    A marker at the very start (``"(I Can't Get No) Satisfaction"``) is part of the title.
    """
    for match in _VERSION_MARKER.finditer(title):
        if match.start() > 0:
            return title[: match.start()]
    return title


def song_key(title: str, primary_artist: str) -> int:
    """A 63-bit key for (title without version marker, primary artist), normalised.

    Case, accents and punctuation are ignored; two releases of one song by one artist
    share the key.  Stable across processes and platforms (BLAKE2b, not ``hash``).
    """
    text = f"{normalise(base_title(title))}\x1f{normalise(primary_artist)}"
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1  # fits int64 for numpy

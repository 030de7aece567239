"""The pack's quantisation, shared by its builder and its readers.

Features of 0..1 are stored as ``round(value * UNIT_SCALE)`` in a uint16 (the source's
three decimals, exactly), tempo in thousandths of a BPM (uint32, 0 = unknown), loudness
in hundredths of a dB (int16), an artist's genre shares in 1/250 (uint8).
"""

from __future__ import annotations

FORMAT_VERSION = 2
UNIT_SCALE = 1000
SHARE_SCALE = 250
# The 0..1 features, in the order of the ``*_unit`` columns.
UNIT_FEATURES: tuple[str, ...] = (
    "energy",
    "valence",
    "danceability",
    "acousticness",
    "instrumentalness",
    "speechiness",
)
TEMPO_SCALE = 1000
LOUDNESS_SCALE = 100
POPULARITY_SCALE = 10  # an artist's mean popularity, in tenths (uint16)

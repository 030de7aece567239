"""The knowledge pack's quantisation, shared by its builder and its reader.

Features of 0..1 are stored as ``round(value * UNIT_SCALE)`` in a uint8, tempo in
tenths of a BPM (uint16, 0 = unknown), loudness in hundredths of a dB (int16).
"""

from __future__ import annotations

FORMAT_VERSION = 1
UNIT_SCALE = 250
# The 0..1 features, in the order of the ``*_unit`` columns.
UNIT_FEATURES: tuple[str, ...] = (
    "energy",
    "valence",
    "danceability",
    "acousticness",
    "instrumentalness",
    "speechiness",
)
TEMPO_SCALE = 10
LOUDNESS_SCALE = 100
POPULARITY_SCALE = 10  # an artist's mean popularity, in tenths (uint16)

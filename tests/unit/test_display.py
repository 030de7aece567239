"""Durations and UTF-16 lengths, as every front end shows and counts them."""

from __future__ import annotations

from core.display import duration, utf16_len


def test_a_track_length_reads_minutes_and_seconds() -> None:
    assert duration(187_000) == "3:07"


def test_an_hour_long_track_shows_hours() -> None:
    assert duration(3_723_000) == "1:02:03"


def test_an_unknown_length_shows_nothing() -> None:
    assert duration(0) == ""


def test_an_emoji_outside_the_basic_plane_counts_two_utf16_units() -> None:
    assert utf16_len("a🎵") == 3

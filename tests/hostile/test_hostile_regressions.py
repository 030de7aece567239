"""The concrete cases the property-based tests found, kept as plain examples."""

from __future__ import annotations

import time

import pytest

from core.errors import InvalidInput
from core.guard import clean_text
from core.models import Profile
from core.profile_edit import apply_changes, parse_assignments
from core.text import displayable, visible


def test_a_lone_surrogate_in_a_prompt_is_dropped_not_stored() -> None:
    # JSON lets a client send "\ud800"; SQLite (UTF-8) cannot store it and used to fail
    # with a UnicodeEncodeError, which reached the user as "something went wrong".
    assert clean_text("relaxing jazz \ud800 for studying", max_length=500) == (
        "relaxing jazz for studying"
    )


def test_a_long_profile_line_without_an_equals_sign_is_answered_at_once() -> None:
    # The key=value pattern used to try every suffix of a run of letters as a key:
    # 100 KB of "a" took about fifty seconds.
    started = time.perf_counter()
    with pytest.raises(InvalidInput):
        parse_assignments("a" * 3_999)
    with pytest.raises(InvalidInput):
        parse_assignments("a" * 100_000)
    assert time.perf_counter() - started < 0.5


def test_profile_entries_keep_no_invisible_or_unstorable_characters() -> None:
    profile = apply_changes(Profile(), {"artists": "Nina\u202e Simone\ud800, \u200bMiles"})
    assert profile.favourite_artists == ("Nina Simone", "Miles")


def test_names_are_shown_without_terminal_codes_or_bidi_overrides() -> None:
    assert displayable("\x1b[31mred\u202e song") == " [31mred song"
    assert displayable("family 👨\u200d👩\u200d👧") == "family 👨\u200d👩\u200d👧"  # joiners stay
    assert visible("zero\u200bwidth") == "zerowidth"

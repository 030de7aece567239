"""Match rules: a search hit counts only when it really is the suggested song."""

from __future__ import annotations

import pytest

from core.matching import artist_matches, core_title, dedup_key, normalise, title_matches


def test_normalise_strips_accents_case_and_punctuation() -> None:
    assert normalise("  Beyoncé — Halo!! ") == "beyonce halo"


@pytest.mark.parametrize(
    "title",
    ["Come Together - Remastered 2009", "Come Together (Live)", "Come Together [Mono]",
     "Come Together (feat. Someone)", "Come Together - 2019 Mix"],
)
def test_version_suffixes_do_not_change_the_song(title: str) -> None:
    assert core_title(title) == "come together"
    assert title_matches("Come Together", title)


def test_a_different_song_does_not_match() -> None:
    assert not title_matches("Come Together", "Come Undone")


def test_a_subtitle_that_is_part_of_the_name_is_kept() -> None:
    assert core_title("Don't Stop (Thinking About Tomorrow)") != core_title("Don't Stop")


@pytest.mark.parametrize(
    ("wanted", "artists"),
    [("The Beatles", ("Beatles",)), ("JAY-Z", ("Jay Z",)), ("Beyonce", ("Beyoncé",)),
     ("Daft Punk", ("Daft Punk", "Pharrell Williams"))],
)
def test_artist_spellings_match(wanted: str, artists: tuple[str, ...]) -> None:
    assert artist_matches(wanted, artists)


def test_another_artist_does_not_match() -> None:
    assert not artist_matches("Miles Davis", ("Miles Kane",))


def test_dedup_key_ignores_remaster_and_feat() -> None:
    assert dedup_key("Halo - Remastered", "Beyoncé") == dedup_key("Halo (feat. X)", "Beyonce")

"""Profile edits typed by users: parsed once for every front end, with clear refusals."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from core.models import Profile
from core.profile_edit import apply_changes, describe, parse_assignments


def test_assignments_with_quoted_values_are_parsed() -> None:
    pairs = parse_assignments('genres=jazz,soul artists="Nina Simone, Bill Evans" energy=0.4')
    assert pairs == {"genres": "jazz,soul", "artists": "Nina Simone, Bill Evans", "energy": "0.4"}


def test_changes_update_only_the_named_fields() -> None:
    profile = apply_changes(Profile(discovery="deep"), {"genres": "jazz, soul ,jazz", "explicit": "no"})
    assert profile.favourite_genres == ("jazz", "soul")
    assert profile.explicit_ok is False and profile.discovery == "deep"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [("energy", "loud", "energy"), ("energy", "1.5", "energy"), ("discovery", "weird", "discovery"),
     ("explicit", "perhaps", "explicit"), ("colour", "blue", "Unknown profile field")],
)
def test_bad_values_are_refused_naming_the_field(key: str, value: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        apply_changes(Profile(), {key: value})


def test_text_without_assignments_is_refused_with_an_example() -> None:
    with pytest.raises(InvalidInput, match="key=value"):
        parse_assignments("make it jazzier")


def test_describe_shows_every_field() -> None:
    text = describe(Profile(favourite_genres=("jazz",), energy=0.25, explicit_ok=False))
    assert "jazz" in text and "0.25" in text and "filtered out" in text


@pytest.mark.parametrize(("typed", "pinned"), [
    ("es", "es"), ("pt-BR", "pt_BR"), ("ZH_hans", "zh_Hans"), ("zh", "zh_Hans"), ("none", ""),
])
def test_a_language_is_pinned_by_its_code(typed: str, pinned: str) -> None:
    assert apply_changes(Profile(language="fr"), {"language": typed}).language == pinned


def test_a_language_the_bot_does_not_speak_is_refused_with_the_choices() -> None:
    with pytest.raises(InvalidInput, match="language must be one of en, es, pt_BR"):
        apply_changes(Profile(), {"lang": "klingon"})


def test_a_pinned_language_is_shown_with_the_profile() -> None:
    assert describe(Profile(language="es")).endswith("Language: es")
    assert "Language" not in describe(Profile())

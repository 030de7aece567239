"""The lexical validator accepts music requests and refuses other tasks, with no model."""

from __future__ import annotations

import pytest

from adapters.ai.reference_phrases import load_reference_phrases
from core.ports import PromptValidator
from core.validation import REJECTION_REASON, LexicalValidator

MUSIC_REQUESTS = (
    "songs for a rainy sunday",
    "something to cry to",
    "music for a road trip",
    "chill vibes",
    "workout",
    "90s hits",
    "beats to study to",
    "like Radiohead",
    "relaxing jazz for studying",
    "hip hop for a house party",
    "upbeat indie rock for a morning workout",
    "lofi",
    "k-pop bangers",
    "r&b slow jams",
    "dinner party background music",
    "classical music for sleeping",
    "what are good songs for a wedding?",
    "energetic EDM for running",
    "80s synthpop",
    "late night drive",
    "music by Taylor Swift",
    "rock 'n' roll",
    "something dreamy and melancholic",
    "Meditation",
    "anything but country",
    "play some Fleetwood Mac",
    "heartbreak",
    "French pop",
    "Taylor Swift",
    "what should I listen to while coding?",
)

OTHER_TASKS = (
    "what is the capital of France",
    "write my essay about the French revolution",
    "how do I fix my car",
    "tell me a joke",
    "2+2",
    "what's 17 * 23?",
    "translate hello into Spanish",
    "explain quantum physics",
    "who won the football game last night",
    "give me a recipe for lasagna",
    "summarize this article",
    "help me with my math homework",
    "what's the weather tomorrow",
    "write a python function to sort a list",
    "how many calories in an apple",
    "book a flight to Paris",
    "asdfghjkl",
    "hello",
    "who is the president of the united states",
    "what type of rock is granite",
    "how do I clean my house",
    "track my order",
)


@pytest.fixture
def validator() -> LexicalValidator:
    return LexicalValidator()


@pytest.mark.parametrize("prompt", MUSIC_REQUESTS)
async def test_music_request_is_accepted(validator: LexicalValidator, prompt: str) -> None:
    result = await validator.validate(prompt)
    assert result.ok, (prompt, result)


@pytest.mark.parametrize("prompt", OTHER_TASKS)
async def test_non_music_request_is_refused(validator: LexicalValidator, prompt: str) -> None:
    result = await validator.validate(prompt)
    assert not result.ok, (prompt, result)


async def test_capital_of_france_is_refused(validator: LexicalValidator) -> None:
    assert not (await validator.validate("what is the capital of France")).ok


async def test_songs_for_a_rainy_sunday_is_accepted(validator: LexicalValidator) -> None:
    assert (await validator.validate("songs for a rainy sunday")).ok


async def test_refusal_reason_invites_a_mood_genre_activity_or_artist(
    validator: LexicalValidator,
) -> None:
    result = await validator.validate("tell me a joke")
    assert result.reason == REJECTION_REASON()
    assert all(word in result.reason for word in ("mood", "genre", "activity", "artist"))


async def test_empty_prompt_is_refused_with_a_zero_score(validator: LexicalValidator) -> None:
    result = await validator.validate("   ")
    assert (result.ok, result.score) == (False, 0.0)


@pytest.mark.parametrize("prompt", MUSIC_REQUESTS + OTHER_TASKS)
async def test_score_is_between_zero_and_one(validator: LexicalValidator, prompt: str) -> None:
    score = (await validator.validate(prompt)).score
    assert 0.0 <= score <= 1.0


async def test_more_music_evidence_scores_higher(validator: LexicalValidator) -> None:
    plain = await validator.validate("jazz")
    rich = await validator.validate("relaxing jazz songs for studying")
    assert rich.score > plain.score


async def test_validation_is_deterministic(validator: LexicalValidator) -> None:
    first = await validator.validate("songs for a rainy sunday")
    again = await LexicalValidator().validate("songs for a rainy sunday")
    assert first == again


async def test_result_names_the_lexical_method(validator: LexicalValidator) -> None:
    result = await validator.validate("chill vibes")
    assert result.method == "lexical" == validator.name


def test_lexical_validator_is_a_prompt_validator(validator: LexicalValidator) -> None:
    assert isinstance(validator, PromptValidator)


async def test_music_words_outweigh_a_question_opening(validator: LexicalValidator) -> None:
    assert (await validator.validate("what are some good songs for a road trip?")).ok


async def test_a_stricter_threshold_refuses_borderline_prompts() -> None:
    assert (await LexicalValidator().validate("workout")).ok
    assert not (await LexicalValidator(threshold=0.9).validate("workout")).ok


def test_reference_phrases_are_about_thirty_distinct_phrases() -> None:
    assert 25 <= len(load_reference_phrases()) <= 40
    assert len(set(load_reference_phrases())) == len(load_reference_phrases())


@pytest.mark.parametrize("phrase", load_reference_phrases())
async def test_reference_phrase_is_itself_accepted(validator: LexicalValidator, phrase: str) -> None:
    assert (await validator.validate(phrase)).ok

"""The offline provider plans sensible playlists from a prompt's words alone."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.ai.offline import OfflineStrategyProvider
from core.engine import Engine, EngineConfig
from core.identity import UserKeys
from core.models import (
    LimitSettings,
    Playlist,
    Profile,
    SongSuggestion,
    Strategy,
    StrategyRequest,
    UserRef,
)
from core.ports import ChatModel
from core.strategy import parse_strategy, strategy_to_dict
from core.validation import LexicalValidator
from core.vocabulary.genres import CATALOGUE_GENRE_SET, CATALOGUE_GENRES
from core.vocabulary.lexicon import LEXICON
from data.catalogue.demo import DemoCatalogue, shared_catalogue
from data.sqlite_store import SqliteStore

USER = UserRef("console", "offline", "console")
BUNDLED_CATALOGUE = Path(__file__).resolve().parents[2] / "data" / "catalogue" / "dataset.npz"

PROMPTS = (
    "relaxing jazz for studying",
    "hip hop for a house party",
    "songs for a rainy sunday",
    "something to cry to",
    "music for a road trip",
    "chill vibes",
    "workout",
    "90s hits",
    "beats to study to",
    "like Radiohead",
    "sad songs for a road trip but no country",
    "80s synthpop for a night drive",
    "relaxing jazz piano",
    "music to sleep to",
    "songs like Radiohead and Portishead but no Coldplay",
    "lofi hip hop",
    "rnb and soul for date night",
    "anything but pop, rock or indie",
    "Taylor Swift",
    "asdfgh",
)
FEEDBACK = (
    "more energetic",
    "calmer",
    "no ballads",
    "more jazz",
    "add some soul",
    "no jazz",
    "less jazz",
    "more like Miles Davis",
    "no Kenny G",
    "only rock",
    "more 80s",
    "happier",
    "too sad",
)


@pytest.fixture
def provider() -> OfflineStrategyProvider:
    return OfflineStrategyProvider()


async def plan(provider: OfflineStrategyProvider, prompt: str, profile: Profile | None = None) -> Strategy:
    answer = await provider.plan(StrategyRequest(prompt=prompt, count=20, profile=profile or Profile()))
    assert answer.provider == "offline"
    return answer.strategy


async def refine(provider: OfflineStrategyProvider, previous: Strategy, feedback: str) -> Strategy:
    request = StrategyRequest(
        prompt="relaxing jazz for studying", count=20, feedback=feedback, previous=previous
    )
    return (await provider.plan(request)).strategy


# --- the two acceptance prompts -------------------------------------------------------


async def test_relaxing_jazz_for_studying_plans_calm_jazz(provider: OfflineStrategyProvider) -> None:
    strategy = await plan(provider, "relaxing jazz for studying")
    assert strategy.genres[0] == "jazz"
    assert strategy.energy is not None and strategy.energy <= 0.35
    assert 'genre:"jazz"' in strategy.queries


async def test_hip_hop_for_a_house_party_plans_energetic_hip_hop(provider: OfflineStrategyProvider) -> None:
    strategy = await plan(provider, "hip hop for a house party")
    assert strategy.genres[0] == "hip-hop"
    assert strategy.energy is not None and strategy.energy >= 0.8
    assert 'genre:"hip-hop"' in strategy.queries


async def test_title_is_derived_from_the_prompt(provider: OfflineStrategyProvider) -> None:
    assert (await plan(provider, "relaxing jazz for studying")).title == "Relaxing Jazz for Studying"
    assert (await plan(provider, "hip hop for a house party")).title == "Hip-Hop for a House Party"


# --- reading a prompt -------------------------------------------------------------------


async def test_prompt_without_genre_gets_genres_from_its_activity(provider: OfflineStrategyProvider) -> None:
    strategy = await plan(provider, "music to study to")
    assert "study" in strategy.genres[:3]
    assert strategy.energy is not None and strategy.energy < 0.4


async def test_party_without_genre_plans_danceable_genres(provider: OfflineStrategyProvider) -> None:
    strategy = await plan(provider, "party")
    assert {"dance", "pop", "hip-hop", "edm"} <= set(strategy.genres)


async def test_party_is_not_read_as_the_schlager_genre(provider: OfflineStrategyProvider) -> None:
    # the catalogue's "party" genre is German Schlager: the word is an activity
    assert "party" not in (await plan(provider, "house party bangers")).genres


async def test_sleep_plans_very_low_energy_ambient(provider: OfflineStrategyProvider) -> None:
    strategy = await plan(provider, "music to fall asleep to")
    assert "ambient" in strategy.genres
    assert strategy.energy is not None and strategy.energy <= 0.2


async def test_workout_plans_high_energy(provider: OfflineStrategyProvider) -> None:
    strategy = await plan(provider, "workout")
    assert strategy.energy is not None and strategy.energy >= 0.8


async def test_sad_prompt_plans_low_valence(provider: OfflineStrategyProvider) -> None:
    strategy = await plan(provider, "something to cry to")
    assert strategy.valence is not None and strategy.valence <= 0.3


async def test_artists_named_with_like_become_seeds_and_artist_queries(
    provider: OfflineStrategyProvider,
) -> None:
    strategy = await plan(provider, "songs like Radiohead and Portishead")
    assert strategy.seed_artists == ("Radiohead", "Portishead")
    assert 'artist:"Radiohead"' in strategy.queries and 'artist:"Portishead"' in strategy.queries


async def test_artists_named_with_by_become_seeds(provider: OfflineStrategyProvider) -> None:
    assert (await plan(provider, "jazz by Miles Davis")).seed_artists == ("Miles Davis",)


async def test_artists_such_as_become_seeds(provider: OfflineStrategyProvider) -> None:
    strategy = await plan(provider, "trip hop from artists such as Massive Attack, Portishead")
    assert strategy.seed_artists == ("Massive Attack", "Portishead")


async def test_an_excluded_artist_in_the_prompt_is_avoided(provider: OfflineStrategyProvider) -> None:
    strategy = await plan(provider, "britpop but nothing by Oasis")
    assert strategy.avoid_artists == ("Oasis",)
    assert "Oasis" not in strategy.seed_artists


async def test_an_excluded_genre_is_not_planned(provider: OfflineStrategyProvider) -> None:
    strategy = await plan(provider, "road trip songs but no country")
    assert "country" not in strategy.genres
    assert not any("country" in q for q in strategy.queries)


async def test_a_negation_stops_at_the_end_of_its_clause(provider: OfflineStrategyProvider) -> None:
    strategy = await plan(provider, "no sad songs, something happy")
    assert "happy" in strategy.moods and "sad" not in strategy.moods
    assert strategy.valence is not None and strategy.valence >= 0.7


async def test_an_era_adds_year_filtered_queries(provider: OfflineStrategyProvider) -> None:
    strategy = await plan(provider, "90s hip hop")
    assert strategy.era == "1990s"
    assert 'genre:"hip-hop" year:1990-1999' in strategy.queries


async def test_an_instrument_after_a_genre_searches_them_together(provider: OfflineStrategyProvider) -> None:
    assert 'genre:"jazz" piano' in (await plan(provider, "jazz piano")).queries


async def test_a_bare_artist_name_is_a_seed(provider: OfflineStrategyProvider) -> None:
    assert (await plan(provider, "Taylor Swift")).seed_artists == ("Taylor Swift",)


@pytest.mark.parametrize("prompt", PROMPTS)
async def test_offline_provider_suggests_no_invented_songs(
    provider: OfflineStrategyProvider, prompt: str
) -> None:
    assert (await plan(provider, prompt)).songs == ()


@pytest.mark.parametrize("prompt", PROMPTS)
async def test_every_emitted_genre_is_a_catalogue_genre(
    provider: OfflineStrategyProvider, prompt: str
) -> None:
    strategy = await plan(provider, prompt)
    assert set(strategy.genres) <= CATALOGUE_GENRE_SET
    for query in strategy.queries:
        if query.startswith('genre:"'):
            assert query.split('"')[1] in CATALOGUE_GENRE_SET, query


@pytest.mark.parametrize("prompt", PROMPTS)
async def test_each_plan_passes_parse_strategy(provider: OfflineStrategyProvider, prompt: str) -> None:
    strategy = await plan(provider, prompt)
    assert parse_strategy(strategy_to_dict(strategy)) == strategy
    assert strategy.title and strategy.queries
    assert strategy.energy is not None and strategy.valence is not None


async def test_planning_is_deterministic(provider: OfflineStrategyProvider) -> None:
    assert await plan(provider, "chill vibes") == await plan(OfflineStrategyProvider(), "chill vibes")


# --- the profile ------------------------------------------------------------------------


async def test_disliked_artists_from_profile_are_avoided(provider: OfflineStrategyProvider) -> None:
    profile = Profile(disliked_artists=("Nickelback",))
    assert "Nickelback" in (await plan(provider, "rock for driving", profile)).avoid_artists


async def test_favourite_genres_are_added_when_the_prompt_names_none(
    provider: OfflineStrategyProvider,
) -> None:
    profile = Profile(favourite_genres=("Hip Hop", "soul"))
    strategy = await plan(provider, "music for cooking", profile)
    assert {"hip-hop", "soul"} <= set(strategy.genres)


async def test_favourite_genres_do_not_override_a_named_genre(provider: OfflineStrategyProvider) -> None:
    profile = Profile(favourite_genres=("metal",))
    assert (await plan(provider, "relaxing jazz for studying", profile)).genres == ("jazz",)


async def test_profile_energy_nudges_the_target(provider: OfflineStrategyProvider) -> None:
    plain = await plan(provider, "music for cooking")
    lively = await plan(provider, "music for cooking", Profile(energy=1.0))
    assert plain.energy is not None and lively.energy is not None
    assert lively.energy > plain.energy


# --- refinement -------------------------------------------------------------------------


@pytest.fixture
async def calm_jazz(provider: OfflineStrategyProvider) -> Strategy:
    return await plan(provider, "relaxing jazz for studying")


@pytest.mark.parametrize("feedback", ["more energetic", "faster", "more upbeat"])
async def test_feedback_more_energetic_raises_energy(
    provider: OfflineStrategyProvider, calm_jazz: Strategy, feedback: str
) -> None:
    refined = await refine(provider, calm_jazz, feedback)
    assert refined.energy is not None and calm_jazz.energy is not None
    assert refined.energy >= calm_jazz.energy + 0.1


@pytest.mark.parametrize("feedback", ["calmer", "slower", "softer please"])
async def test_feedback_calmer_lowers_energy(
    provider: OfflineStrategyProvider, calm_jazz: Strategy, feedback: str
) -> None:
    refined = await refine(provider, calm_jazz, feedback)
    assert refined.energy is not None and calm_jazz.energy is not None
    assert refined.energy < calm_jazz.energy


async def test_feedback_more_energetic_on_an_energetic_plan_still_raises_energy(
    provider: OfflineStrategyProvider,
) -> None:
    party = await plan(provider, "hip hop for a house party")
    refined = await refine(provider, party, "more energetic")
    assert refined.energy is not None and party.energy is not None
    assert refined.energy > party.energy


async def test_feedback_no_ballads_raises_energy_and_drops_ballad_moods(
    provider: OfflineStrategyProvider,
) -> None:
    sad = await plan(provider, "sad love songs")
    refined = await refine(provider, sad, "no ballads")
    assert refined.energy is not None and sad.energy is not None
    assert refined.energy > sad.energy
    assert not {"ballad", "sad", "romantic"} & set(refined.moods)


async def test_feedback_more_jazz_adds_jazz_first(provider: OfflineStrategyProvider) -> None:
    party = await plan(provider, "party")
    refined = await refine(provider, party, "more jazz")
    assert refined.genres[0] == "jazz"
    assert 'genre:"jazz"' in refined.queries


async def test_feedback_add_some_soul_adds_soul(
    provider: OfflineStrategyProvider, calm_jazz: Strategy
) -> None:
    refined = await refine(provider, calm_jazz, "add some soul")
    assert refined.genres[:2] == ("jazz", "soul")


async def test_feedback_no_genre_removes_it_and_its_queries(
    provider: OfflineStrategyProvider, calm_jazz: Strategy
) -> None:
    refined = await refine(provider, calm_jazz, "no jazz")
    assert "jazz" not in refined.genres and refined.genres
    assert not any('genre:"jazz"' in q for q in refined.queries)


async def test_feedback_no_artist_adds_it_to_avoid_artists(
    provider: OfflineStrategyProvider, calm_jazz: Strategy
) -> None:
    assert "Kenny G" in (await refine(provider, calm_jazz, "no Kenny G")).avoid_artists


async def test_feedback_less_artist_adds_it_to_avoid_artists(provider: OfflineStrategyProvider) -> None:
    seeded = await plan(provider, "songs like Coldplay and Keane")
    refined = await refine(provider, seeded, "less Coldplay")
    assert refined.avoid_artists == ("Coldplay",)
    assert refined.seed_artists == ("Keane",)
    assert 'artist:"Coldplay"' not in refined.queries


async def test_feedback_more_like_adds_a_seed_artist(
    provider: OfflineStrategyProvider, calm_jazz: Strategy
) -> None:
    refined = await refine(provider, calm_jazz, "more like Chet Baker")
    assert refined.seed_artists == ("Chet Baker",)
    assert refined.queries[0] == 'artist:"Chet Baker"'


async def test_refinement_keeps_a_models_songs_but_drops_avoided_artists(
    provider: OfflineStrategyProvider,
) -> None:
    from_model = Strategy(
        title="Late Night Jazz",
        genres=("jazz",),
        energy=0.3,
        songs=(SongSuggestion("So What", "Miles Davis"), SongSuggestion("Autumn Leaves", "Kenny G")),
        queries=('genre:"jazz"',),
    )
    refined = await refine(provider, from_model, "no Kenny G")
    assert refined.songs == (SongSuggestion("So What", "Miles Davis"),)


async def test_refinement_maps_a_models_genres_onto_the_catalogue(provider: OfflineStrategyProvider) -> None:
    from_model = Strategy(title="Mix", genres=("Hip Hop", "bedroom pop vibes"), queries=("x",))
    refined = await refine(provider, from_model, "calmer")
    assert set(refined.genres) <= CATALOGUE_GENRE_SET
    assert "hip-hop" in refined.genres


async def test_feedback_without_previous_plans_the_prompt_first(provider: OfflineStrategyProvider) -> None:
    request = StrategyRequest(prompt="relaxing jazz for studying", count=20, feedback="add some soul")
    strategy = (await provider.plan(request)).strategy
    assert strategy.genres[:2] == ("jazz", "soul")


@pytest.mark.parametrize("feedback", FEEDBACK)
async def test_every_refinement_passes_parse_strategy_with_catalogue_genres(
    provider: OfflineStrategyProvider, calm_jazz: Strategy, feedback: str
) -> None:
    refined = await refine(provider, calm_jazz, feedback)
    assert parse_strategy(strategy_to_dict(refined)) == refined
    assert set(refined.genres) <= CATALOGUE_GENRE_SET
    assert refined.songs == ()
    assert refined.queries


# --- the provider as a port, and its vocabulary ------------------------------------------


def test_offline_provider_is_a_chat_model(provider: OfflineStrategyProvider) -> None:
    assert isinstance(provider, ChatModel)
    assert provider.name == "offline"


async def test_offline_provider_is_always_healthy(provider: OfflineStrategyProvider) -> None:
    status = await provider.health()
    assert (status.name, status.ok) == ("model:offline", True)


def test_vocabulary_points_only_at_catalogue_genres() -> None:
    pointed = {genre for term in LEXICON.values() for genre in term.genres}
    assert pointed <= CATALOGUE_GENRE_SET, pointed - CATALOGUE_GENRE_SET


def test_catalogue_genres_are_the_genres_of_the_bundled_catalogue() -> None:
    if not BUNDLED_CATALOGUE.exists():
        pytest.skip("bundled catalogue not built")
    found = set(asyncio.run(DemoCatalogue(BUNDLED_CATALOGUE).genres()))
    assert found == set(CATALOGUE_GENRES)
    assert len(CATALOGUE_GENRES) == 114


# --- regenerating on the demo catalogue -------------------------------------------------


async def demo_engine(store: SqliteStore, *, per_artist: int = 3) -> Engine:
    return Engine(
        store=store, model=OfflineStrategyProvider(), catalogue=shared_catalogue(),
        validator=LexicalValidator(), keys=UserKeys(b"o" * 32),
        config=EngineConfig(defaults=LimitSettings(max_playlists_per_day=3),
                            max_tracks_per_artist=per_artist),
    )


def shared_ids(a: Playlist, b: Playlist) -> int:
    return len({t.id for t in a.tracks} & {t.id for t in b.tracks})


async def test_regenerate_after_a_refine_is_new_against_every_earlier_version() -> None:
    async with SqliteStore(":memory:") as store:
        engine = await demo_engine(store)
        first = await engine.generate(USER, "calm jazz for studying", 20)
        second = await engine.refine(USER, "more energetic")
        third = await engine.regenerate(USER)
    assert len(third.tracks) == 20 and third.note is None
    assert shared_ids(third, first) * 4 <= 20 and shared_ids(third, second) * 4 <= 20


async def test_a_regeneration_the_catalogue_cannot_fill_with_new_songs_says_so() -> None:
    # Only Portishead, up to 20 per artist: the catalogue has about a dozen of their songs.
    async with SqliteStore(":memory:") as store:
        engine = await demo_engine(store, per_artist=20)
        first = await engine.generate(USER, "Portishead", 10)
        assert len(first.tracks) == 10
        again = await engine.regenerate(USER)
    assert 0 < len(again.tracks) < 10
    assert shared_ids(again, first) * 4 <= len(again.tracks)
    assert again.note is not None and "ran short of new matches" in again.note

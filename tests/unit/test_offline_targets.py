"""The offline planner's feature targets, arcs, named artists and refinements (issue 17)."""

from __future__ import annotations

from adapters.ai.offline import OfflineStrategyProvider
from core.models import Profile, Strategy, StrategyRequest
from core.targets import FeatureTarget, by_feature
from tests.fakes.knowledge import FakeKnowledge, profile

KNOWLEDGE = FakeKnowledge([
    profile("Taylor Swift", {"pop": 1.0, "country": 0.3}, tracks=11),
    profile("Radiohead", {"alt-rock": 1.0, "alternative": 0.45}, tracks=11),
])


async def plan(prompt: str, knowledge: FakeKnowledge | None = None) -> Strategy:
    request = StrategyRequest(prompt=prompt, count=20, profile=Profile())
    return (await OfflineStrategyProvider(knowledge).plan(request)).strategy


async def refine(prompt: str, feedback: str) -> tuple[Strategy, Strategy]:
    provider = OfflineStrategyProvider()
    before = (await provider.plan(StrategyRequest(prompt=prompt, count=20))).strategy
    request = StrategyRequest(prompt=prompt, count=20, feedback=feedback, previous=before)
    return before, (await provider.plan(request)).strategy


def target(strategy: Strategy, feature: str) -> FeatureTarget:
    found = by_feature(strategy.targets).get(feature)  # type: ignore[call-overload]
    assert found is not None, f"no {feature} target in {strategy.targets}"
    return found


async def test_instrumental_music_for_focus_asks_firmly_for_instrumental_tracks() -> None:
    strategy = await plan("instrumental music for deep focus")
    goal = target(strategy, "instrumentalness")
    assert goal.upward and goal.strength >= 0.8
    assert not target(strategy, "energy").upward


async def test_a_workout_asks_for_energy_and_tempo_and_is_shaped_as_a_workout() -> None:
    strategy = await plan("hip hop workout mix")
    assert target(strategy, "energy").upward and target(strategy, "tempo").upward
    assert strategy.arc == "workout"


async def test_a_party_asks_for_danceable_tracks_and_builds() -> None:
    strategy = await plan("party music to get everyone dancing")
    assert target(strategy, "danceability").upward
    assert strategy.arc == "party"


async def test_falling_asleep_winds_down() -> None:
    strategy = await plan("calm classical music for falling asleep")
    assert not target(strategy, "energy").upward
    assert strategy.arc == "wind-down"


async def test_a_genre_alone_implies_its_energy_only_weakly() -> None:
    assert target(await plan("jazz"), "energy").strength <= 0.3


async def test_an_artists_deep_cuts_seed_that_artist_and_ask_for_unfamiliar_tracks() -> None:
    strategy = await plan("Taylor Swift deep cuts", KNOWLEDGE)
    assert strategy.seed_artists == ("Taylor Swift",)
    assert strategy.familiarity == "deep"


async def test_songs_like_an_album_mean_the_artists_neighbours_in_their_genres() -> None:
    strategy = await plan("songs like Radiohead's OK Computer", KNOWLEDGE)
    assert strategy.like_artists == ("Radiohead",)
    assert strategy.genres[:1] == ("alt-rock",)


async def test_without_knowledge_a_possessive_is_trimmed_from_the_named_artist() -> None:
    strategy = await plan("songs like Radiohead's OK Computer")
    assert strategy.like_artists == ("Radiohead",)


async def test_no_vocals_raises_the_instrumentalness_target_firmly() -> None:
    _, after = await refine("relaxing jazz for studying", "no vocals please, only instrumental tracks")
    goal = target(after, "instrumentalness")
    assert goal.direction == "up" and goal.value >= 0.8 and goal.strength >= 0.8
    assert after.genres == ("jazz",)


async def test_more_danceable_raises_danceability() -> None:
    _, after = await refine("hip hop for a party", "more danceable")
    assert target(after, "danceability").direction == "up"
    assert after.genres == ("hip-hop",)


async def test_less_danceable_lowers_it() -> None:
    _, after = await refine("hip hop for a party", "less danceable")
    assert target(after, "danceability").direction == "down"


async def test_slower_lowers_the_tempo() -> None:
    _, after = await refine("upbeat pop songs for a workout", "slower")
    assert target(after, "tempo").direction == "down"


async def test_sadder_lowers_valence() -> None:
    before, after = await refine("indie rock for a road trip", "sadder")
    assert target(after, "valence").direction == "down"
    assert after.genres == before.genres


async def test_more_acoustic_raises_acousticness_and_keeps_the_genres() -> None:
    before, after = await refine("chill pop for the evening", "more acoustic")
    assert target(after, "acousticness").direction == "up"
    assert after.genres == before.genres


async def test_less_mainstream_asks_for_unfamiliar_tracks() -> None:
    _, after = await refine("rock classics", "less mainstream")
    assert after.familiarity == "deep"


async def test_more_like_the_third_song_points_at_it_and_names_no_artist() -> None:
    _, after = await refine("relaxing jazz for studying", "more like the third song")
    assert after.like_tracks == (3,)
    assert after.seed_artists == ()


async def test_more_energetic_no_ballads_on_jazz_stays_jazz_and_raises_energy() -> None:
    _, after = await refine("smooth jazz for dinner", "more energetic, no ballads")
    assert after.genres == ("jazz",)
    assert target(after, "energy").direction == "up"

"""The scene-aware ranking, feature targets and listening arc, one behaviour each."""

from __future__ import annotations

import random
import statistics

from core.arc import arrange, intensity, roughness
from core.models import Track
from core.ranking import Ranker, RankingRequest
from core.strategy import parse_strategy, strategy_to_dict
from core.targets import FeatureTarget, TargetFeature, steer
from tests.fakes.knowledge import FakeKnowledge, profile, sound


def track(n: int, artist: str, genre: str = "jazz", *, energy: float | None = 0.5,
          popularity: int | None = 50, instrumentalness: float | None = 0.1,
          tempo: float | None = 110.0) -> Track:
    return Track(id=f"t{n:021d}", title=f"Song {n}", artists=(artist,), genres=(genre,),
                 popularity=popularity, energy=energy, instrumentalness=instrumentalness,
                 tempo=tempo, valence=0.5)


KNOWLEDGE = FakeKnowledge([
    profile("Etta James", {"jazz": 0.8, "blues": 1.0, "soul": 0.6}),
    profile("Sertab Erener", {"turkish": 1.0, "jazz": 0.9}, scene="turkish"),
    profile("Pop Star", {"pop": 1.0, "jazz": 0.1}),
])
JAZZ = RankingRequest(genres=("jazz",), scenes=RankingRequest.asked_scenes(("jazz",)))


def test_an_artist_of_a_scene_the_request_did_not_ask_for_does_not_fit() -> None:
    scored = Ranker(KNOWLEDGE).score(track(1, "Sertab Erener"), JAZZ)
    assert not scored.fits


def test_an_artist_of_an_unasked_scene_ranks_below_the_genres_own_artists() -> None:
    ranked = Ranker(KNOWLEDGE).rank([track(1, "Sertab Erener"), track(2, "Etta James")], JAZZ)
    assert [s.track.artist for s in ranked] == ["Etta James", "Sertab Erener"]


def test_a_request_for_a_scene_gets_that_scene() -> None:
    turkish = RankingRequest(genres=("turkish",), scenes=RankingRequest.asked_scenes(("turkish",)))
    assert Ranker(KNOWLEDGE).score(track(1, "Sertab Erener", "turkish"), turkish).fits


def test_coherence_is_judged_by_the_artists_genres_not_the_tracks_label() -> None:
    ranker = Ranker(KNOWLEDGE)
    pop_in_jazz = ranker.score(track(1, "Pop Star", "jazz"), JAZZ)
    assert not pop_in_jazz.fits
    assert pop_in_jazz.score < ranker.score(track(2, "Etta James", "jazz"), JAZZ).score


def test_tracks_on_the_asked_side_of_a_target_rank_first() -> None:
    calm = RankingRequest(genres=("jazz",), targets=(FeatureTarget("energy", 0.3, 0.6),))
    ranked = Ranker(KNOWLEDGE).rank(
        [track(1, "Etta James", energy=0.8), track(2, "Etta James", energy=0.1)], calm
    )
    assert ranked[0].track.energy == 0.1


def test_familiar_tracks_lead_by_default_and_deep_discovery_reverses_it() -> None:
    tracks = [track(1, "Etta James", popularity=10), track(2, "Etta James", popularity=90)]
    ranker = Ranker(KNOWLEDGE)
    assert ranker.rank(tracks, JAZZ)[0].track.popularity == 90
    deep = RankingRequest(genres=("jazz",), discovery="deep")
    assert ranker.rank(tracks, deep)[0].track.popularity == 10


def test_a_track_far_on_the_wrong_side_of_a_firm_target_does_not_fit() -> None:
    no_vocals = RankingRequest(genres=("jazz",),
                               targets=(FeatureTarget("instrumentalness", 0.9, 0.9, "up"),))
    ranker = Ranker(KNOWLEDGE)
    assert not ranker.score(track(1, "Etta James", instrumentalness=0.0), no_vocals).fits
    assert ranker.score(track(2, "Etta James", instrumentalness=0.95), no_vocals).fits


def test_features_come_from_the_dataset_when_the_catalogue_gives_none() -> None:
    live = Track(id="live000000000000000001", title="Live", artists=("Etta James",))
    knowledge = FakeKnowledge(features={live.id: sound(0.2, instrumentalness=0.9)})
    assert Ranker(knowledge).features(live)["instrumentalness"] == 0.9
    assert Ranker(knowledge).enrich(live).energy == 0.2


def test_a_track_the_dataset_does_not_cover_is_neither_rewarded_nor_punished() -> None:
    live = Track(id="live000000000000000002", title="Live", artists=("Unknown",))
    calm = (FeatureTarget("energy", 0.2, 0.9),)
    assert Ranker(FakeKnowledge()).feature_fit(live, calm) == 0.5


def test_a_moved_target_is_pushed_past_where_the_playlist_was() -> None:
    before = (FeatureTarget("danceability", 0.6, 0.5),)
    asked = (FeatureTarget("danceability", 0.7, 0.8, "up"),)
    heard: dict[TargetFeature, float] = {"danceability": 0.72}
    (steered,) = steer(asked, before, heard)
    assert steered.value > 0.72 and steered.upward


def test_an_unchanged_target_is_left_alone_by_a_refinement() -> None:
    same = (FeatureTarget("energy", 0.3, 0.6),)
    assert steer(same, same, {"energy": 0.5}) == same


def test_feature_targets_survive_the_schema_round_trip() -> None:
    strategy = parse_strategy({
        "title": "T", "queries": ['genre:"jazz"'],
        "targets": {"energy": {"value": 0.2, "strength": 0.7},
                    "tempo": {"value": 300, "strength": 0.5}},
        "familiarity": "deep", "arc": "wind-down", "like_artists": ["Radiohead"],
    })
    assert [t.feature for t in strategy.targets] == ["energy", "tempo"]
    assert strategy.targets[1].value == 200.0  # clamped to a tempo people play
    assert parse_strategy(strategy_to_dict(strategy)) == strategy


# --- the arc -------------------------------------------------------------------------
def _arc_tracks(n: int = 12) -> list[Track]:
    rng = random.Random(7)
    return [track(i, f"A{i}", energy=round(rng.uniform(0.2, 0.95), 2), tempo=rng.uniform(80, 160))
            for i in range(n)]


def _levels(tracks: list[Track]) -> list[float]:
    features = Ranker(FakeKnowledge()).features
    return [intensity(features(t)) or 0.0 for t in tracks]


def test_a_workout_warms_up_peaks_and_cools_down() -> None:
    levels = _levels(arrange(_arc_tracks(), "workout", Ranker(FakeKnowledge()).features))
    peak = statistics.mean(levels[3:9])
    assert levels[0] < peak and levels[-1] < peak
    assert max(levels) in levels[2:10]


def test_a_party_builds() -> None:
    levels = _levels(arrange(_arc_tracks(), "party", Ranker(FakeKnowledge()).features))
    assert statistics.mean(levels[:4]) < statistics.mean(levels[4:8]) < statistics.mean(levels[8:])


def test_a_wind_down_descends() -> None:
    levels = _levels(arrange(_arc_tracks(), "wind-down", Ranker(FakeKnowledge()).features))
    assert statistics.mean(levels[:4]) > statistics.mean(levels[4:8]) > statistics.mean(levels[8:])


def test_a_steady_arc_joins_neighbours_more_smoothly_than_chance() -> None:
    features = Ranker(FakeKnowledge()).features
    tracks = _arc_tracks(16)
    ordered = arrange(tracks, "steady", features)
    shuffles = []
    for seed in range(50):
        shuffled = tracks[:]
        random.Random(seed).shuffle(shuffled)
        shuffles.append(roughness([features(t) for t in shuffled]))
    assert roughness([features(t) for t in ordered]) < 0.6 * statistics.mean(shuffles)
    assert ordered[0] == tracks[0]  # the best-ranked track still opens


def test_the_arc_keeps_every_track_once() -> None:
    tracks = _arc_tracks()
    for arc in ("workout", "party", "wind-down", "steady"):
        assert sorted(t.id for t in arrange(tracks, arc, Ranker(FakeKnowledge()).features)) == \
            sorted(t.id for t in tracks)

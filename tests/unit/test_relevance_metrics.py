"""The relevance benchmark's own judgement (tests/bench/relevance.py), on tiny synthetic data."""

from __future__ import annotations

import json
import math

import numpy as np

from tests.bench.relevance import (
    Dataset,
    Judge,
    Run,
    arc_roughness,
    close_labels,
    coherent,
    english_looking,
    guarantees,
    judge_case,
    judge_refinement,
    moved,
    percentile_toward,
    roughness,
    scene_of,
    summarise,
)
from tests.bench.relevance_cases import CASES, REFINEMENTS, Case, Expect, Refinement

FEATURE_COLUMNS = {"energy": "0.5", "valence": "0.5", "danceability": "0.5", "acousticness": "0.5",
                   "instrumentalness": "0.0", "tempo": "120"}


def row(track_id: str, artists: str, genre: str, title: str = "Love Song", **values: str) -> dict[str, str]:
    return {"track_id": track_id, "artists": artists, "track_name": title, "track_genre": genre,
            "popularity": values.pop("popularity", "50"), **FEATURE_COLUMNS, **values}


def test_percentile_is_toward_the_asked_end_with_ties_counted_half() -> None:
    reference = np.array([0.1, 0.2, 0.3, 0.4])
    assert percentile_toward(0.35, reference, "high") == 0.75
    assert percentile_toward(0.35, reference, "low") == 0.25
    assert percentile_toward(0.3, reference, "high") == 0.625
    assert math.isnan(percentile_toward(float("nan"), reference, "high"))


def test_an_artist_mostly_under_a_regional_label_belongs_to_that_scene() -> None:
    labels = [frozenset({"jazz", "turkish"}), frozenset({"turkish"}), frozenset({"jazz"})]
    assert scene_of(labels, ["Adıyaman", "Kime Kin Ettin", "Sevda"], "Kızılırmak") == "turkish"


def test_one_regional_track_out_of_many_gives_no_scene() -> None:
    labels = [frozenset({"jazz"})] * 3 + [frozenset({"jazz", "turkish"})]
    assert scene_of(labels, ["Blue Moon"] * 4, "Someone") is None


def test_an_english_singer_filed_as_often_under_j_pop_as_under_jazz_has_no_scene() -> None:
    labels = [frozenset({"jazz", "j-pop"})] * 4
    english = ["Come Away With Me", "Don't Know Why", "Shoot The Moon", "Sunrise"]
    indonesian = ["Duhai Sayang", "Buktikan", "Apakah Kamu", "Mata Hati Telinga"]
    assert scene_of(labels, english, "Norah Jones") is None
    assert scene_of(labels, indonesian, "Yura Yunita") == "japanese"


def test_k_pop_titled_in_english_is_still_k_pop() -> None:
    labels = [frozenset({"k-pop"})] * 9 + [frozenset({"k-pop", "pop"})]
    assert scene_of(labels, ["Butter", "Dynamite", "Boy With Luv", "Love Yourself"] * 3, "BTS") == "korean"


def test_composers_under_a_european_language_label_have_no_scene() -> None:
    labels = [frozenset({"classical", "german"})] * 3
    assert scene_of(labels, ["Kinderszenen, Op. 15: 7. Träumerei"] * 3, "Robert Schumann") is None


def test_an_artist_no_label_places_is_placed_by_script() -> None:
    assert scene_of([frozenset({"electronic"})], ["Холодно"], "Скриптонит") == "russian"
    assert scene_of([frozenset({"electronic"})], ["Cold"], "Skriptonite") is None


def test_english_looking_needs_an_english_word_and_nothing_foreign() -> None:
    assert english_looking("Love Me Tender - Remastered 2002") is True
    assert english_looking("Mata Hati Telinga") is False
    assert english_looking("Porta Do Teu Prédio") is False
    assert english_looking("Quiero Amor") is False
    assert english_looking("123") is None


def test_artist_coherence_counts_close_labels_and_needs_a_substantial_share() -> None:
    assert "blues" in close_labels(["jazz"])
    assert coherent([frozenset({"blues"}), frozenset({"soul"}), frozenset({"rock"})], ["jazz"])
    assert not coherent([frozenset({"jazz"})] + [frozenset({"turkish"})] * 4, ["jazz"])
    assert not coherent([], ["jazz"])


def test_roughness_of_a_smooth_arc_is_below_its_shuffles() -> None:
    rising = [float(i) for i in range(10)]
    assert roughness(rising) == 1.0
    assert roughness([1.0, float("nan"), 3.0]) == 2.0
    arc = arc_roughness({"energy": rising}, shuffles=50)
    assert arc["energy"] == 1.0 and arc["energy_shuffled"] > 2.0 and arc["ratio"] < 0.5


def test_guarantees_name_each_broken_rule() -> None:
    ids = ["a", "b", "c", "d", "d"]
    figures = guarantees(ids, ["X", "X", "x", "X", "Y"], 5, {"a", "b", "c"}, expected_count=5)
    assert figures == {"exact_count": True, "distinct_ids": False, "max_3_per_artist": False,
                       "ids_known": False}
    assert all(guarantees(["a", "b"], ["X", "Y"], 2, {"a", "b"}, expected_count=2).values())


def test_a_refinement_must_move_strictly_the_asked_way() -> None:
    assert moved(0.2, 0.5, "high") and moved(0.5, 0.2, "low")
    assert not moved(0.2, 0.2, "high") and not moved(0.5, 0.2, "high")
    assert not moved(float("nan"), 0.5, "high")


def test_the_dataset_keeps_one_track_per_id_with_its_genres_and_highest_popularity() -> None:
    data = Dataset.from_rows([
        row("t1", "A;B", "jazz", popularity="40"),
        row("t1", "A;B", "blues", popularity="41"),
        row("t2", "", "jazz"),
        row("t3", "A", "jazz", tempo="0"),
    ])
    assert data.ids == ["t1", "t3"]
    assert data.genres[0] == {"jazz", "blues"} and data.popularity[0] == 41
    assert data.by_artist["B"] == [0] and data.by_artist["A"] == [0, 1]
    assert math.isnan(data.value(1, "tempo"))
    assert list(data.reference(["blues"], "energy")) == [0.5]
    assert data.artist_named("a") == "A"


def test_the_evaluation_set_names_only_known_features_and_directions() -> None:
    known = {*FEATURE_COLUMNS, "popularity"}
    assert len({c.name for c in CASES}) == len(CASES) >= 40
    assert len({r.name for r in REFINEMENTS}) == len(REFINEMENTS) >= 10
    for case in CASES:
        assert all(f in known and d in {"high", "low"} for f, d in case.features), case.name
    for refinement in REFINEMENTS:
        assert refinement.feature in known and refinement.direction in {"high", "low"}


def jazz_dataset() -> Dataset:
    """Ten jazz tracks of rising energy by five artists, and a Turkish singer's two."""
    rows = [row(f"j{i}", f"Jazz {i % 5}", "jazz", energy=f"{i / 10:.1f}", popularity=str(10 * i))
            for i in range(10)]
    rows += [row("t1", "Sertab", "jazz", "Sevda Yok", energy="0.1"),
             row("t2", "Sertab", "turkish", "Bir Gün", energy="0.2")]
    return Dataset.from_rows(rows)


def playlist_run(ids: list[str], requested: int = 3) -> Run:
    tracks = [{"id": i, "title": "x", "artist": "?"} for i in ids]
    body = {"draft_id": 1, "tracks": tracks, "requested_count": requested, "note": None}
    return Run(0, json.dumps(body), "", 0.5)


def test_a_prompt_is_judged_by_feature_percentile_scene_and_coherence() -> None:
    judge = Judge(jazz_dataset(), frozenset())
    case = Case("calm", "calm jazz", ("jazz",), (("energy", "low"),))
    result = judge_case(judge, case, playlist_run(["j0", "j1", "t1"]))
    # median energy 0.1 among 11 jazz energies (0.0..0.9 and Sertab's 0.1): ties count half
    assert result["features"]["energy"]["percentile"] == round(1 - 2 / 11, 3)
    assert result["all_on_side"] is True
    assert result["unasked_scene_tracks"] == ["Sertab (turkish)"]
    assert result["artist_coherence"] == 1.0  # Sertab: 1 of 2 tracks under jazz
    assert result["guarantees"]["exact_count"] is False  # 3 tracks, not the default 20
    assert result["ok"] is False


def test_a_refusal_counts_against_every_threshold_but_naming_a_missing_artist_passes() -> None:
    judge = Judge(jazz_dataset(), frozenset())
    refused = Run(1, "", "I couldn't find songs for that.", 0.4)
    missing = Case("gone", "songs by Nobody", (), expect=(Expect("missing", artist="Nobody"),))
    moody = Case("moody", "calm jazz", ("jazz",), (("energy", "low"),))
    named = Run(1, "", "Nobody is not in the catalogue.", 0.4)
    prompts = [judge_case(judge, moody, refused), judge_case(judge, missing, named)]
    assert prompts[1]["ok"] is True
    figures = summarise(prompts, [], None)
    assert figures["refused"] == ["moody"] and figures["thresholds"]["no_refusals"]["pass"] is False
    assert figures["all_on_side_share"] == 0.0 and figures["pass"] is False


def test_a_refinement_passes_when_the_named_feature_moves_the_asked_way() -> None:
    judge = Judge(jazz_dataset(), frozenset())
    ref = Refinement("up", "calm jazz", "more energetic", "energy", "high", ("jazz",))
    result = judge_refinement(judge, ref, playlist_run(["j0", "j1"], 2), playlist_run(["j8", "j9"], 2))
    assert result["moved"] is True and result["changed_tracks"] == 2
    back = judge_refinement(judge, ref, playlist_run(["j8", "j9"], 2), playlist_run(["j0", "j1"], 2))
    assert back["moved"] is False and back["ok"] is False

"""The bundled dataset's knowledge of tracks and artists (``data.catalogue.knowledge``).

Every test reads the real shipped pack, ``data/catalogue/dataset.npz``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.models import Track
from core.ports import MusicKnowledge
from core.vocabulary.genre_phrases import REGION_PHRASES
from core.vocabulary.genres import CATALOGUE_GENRE_SET
from core.vocabulary.scenes import SCENE_LABELS, SCENE_REGIONS, SCENES, scene_of_genre
from data.catalogue.knowledge import DatasetKnowledge, shared_knowledge

SOURCE = Path(__file__).resolve().parents[3] / "shared" / "data" / "spotify_tracks.csv"
ORDINARY_PROMPTS = (
    "relaxing jazz for studying",
    "upbeat indie rock for a morning workout",
    "sad songs for a rainy day",
    "party music",
    "chill electronic music to code to",
    "calm classical music for falling asleep",
    "instrumental music for deep focus",
    "90s hip hop classics",
    "techno for a warehouse rave",
    "soul and r&b for a dinner party",
    "happy songs for a road trip",
    "love songs for a wedding",
    "workout music with heavy bass",
    "music for a quiet Sunday morning",
    "Relax. Chill. Jazz.",
    "No vocals please, only instrumental tracks",
    "more danceable",
    "something like a rainy night in the city",
    "songs about summer love",
    "low energy music for a long drive home",
    "Best Of Love Songs",
    "Songs Of Love",
    "Music from Brazil",
    "rock and Love",
)


@pytest.fixture(scope="module")
def knowledge() -> DatasetKnowledge:
    return shared_knowledge()


def test_is_a_music_knowledge(knowledge: DatasetKnowledge) -> None:
    assert isinstance(knowledge, MusicKnowledge)


def test_shared_knowledge_is_one_instance_per_process() -> None:
    assert shared_knowledge() is shared_knowledge()


def test_a_turkish_singer_filed_under_jazz_is_in_the_turkish_scene(
    knowledge: DatasetKnowledge,
) -> None:
    profile = knowledge.artist("Kızılırmak")
    assert profile is not None
    assert profile.share("jazz") > 0
    assert profile.scene == "turkish"


def test_a_tamil_composer_filed_under_k_pop_is_in_the_indian_scene(
    knowledge: DatasetKnowledge,
) -> None:
    profile = knowledge.artist("Yuvan Shankar Raja")
    assert profile is not None
    assert profile.genres[0][0] == "k-pop"
    assert profile.scene == "indian"


def test_a_spanish_singing_artist_filed_only_under_r_n_b_has_a_spanish_language_scene(
    knowledge: DatasetKnowledge,
) -> None:
    profile = knowledge.artist("Joan Sebastian")
    assert profile is not None
    assert [genre for genre, _ in profile.genres] == ["r-n-b"]
    assert profile.scene in {"spanish", "latin"}


def test_a_k_pop_group_with_english_titles_stays_k_pop(knowledge: DatasetKnowledge) -> None:
    profile = knowledge.artist("BTS")
    assert profile is not None and profile.scene == "k-pop"


def test_instrumental_music_under_a_country_label_belongs_to_no_scene(
    knowledge: DatasetKnowledge,
) -> None:
    profile = knowledge.artist("Hans Zimmer")
    assert profile is not None
    assert profile.genres[0][0] == "german"
    assert profile.scene is None


def test_artist_names_ignore_case_and_accents(knowledge: DatasetKnowledge) -> None:
    profile = knowledge.artist("kizilirmak")
    assert profile is not None and profile.name == "Kızılırmak"


def test_etta_james_belongs_to_no_regional_scene(knowledge: DatasetKnowledge) -> None:
    profile = knowledge.artist("Etta James")
    assert profile is not None
    assert profile.scene is None
    assert profile.genres[0][0] in {"blues", "jazz", "soul"}


def test_an_english_jazz_singer_filed_under_j_pop_belongs_to_no_scene(
    knowledge: DatasetKnowledge,
) -> None:
    profile = knowledge.artist("Norah Jones")
    assert profile is not None
    assert profile.share("j-pop") > 0.5
    assert profile.scene is None


def test_an_artist_profile_carries_genre_shares_sound_and_counts(
    knowledge: DatasetKnowledge,
) -> None:
    profile = knowledge.artist("Radiohead")
    assert profile is not None
    assert profile.genres[0] == ("alt-rock", 1.0)
    assert [share for _, share in profile.genres] == sorted(
        (share for _, share in profile.genres), reverse=True
    )
    assert profile.tracks >= 10
    assert 0 < profile.popularity <= 100
    assert 0 <= profile.sound.energy <= 1 and profile.sound.tempo is not None


def test_an_unknown_artist_is_none(knowledge: DatasetKnowledge) -> None:
    assert knowledge.artist("Nobody Of This Name At All") is None


def test_features_are_found_by_spotify_id(knowledge: DatasetKnowledge) -> None:
    # "Comedy" by Gen Hoshino, the dataset's first row: energy 0.461, tempo 87.917.
    track = Track(id="5SuOikwiRyPMVoIQDJUgSV", title="?", artists=("?",))
    features = knowledge.features(track)
    assert features is not None
    assert features.energy == pytest.approx(0.461, abs=0.003)
    assert features.tempo == pytest.approx(87.9, abs=0.05)
    assert features.popularity == 73


def test_features_of_another_release_are_found_by_title_and_artist(
    knowledge: DatasetKnowledge,
) -> None:
    live_result = Track(
        id="0000000000000000000000", title="Karma Police - Remastered 2017", artists=("RADIOHEAD",)
    )
    features = knowledge.features(live_result)
    assert features is not None
    assert 0 < features.energy < 1


def test_a_featured_artist_credit_is_the_same_song(knowledge: DatasetKnowledge) -> None:
    plain = knowledge.features(Track(id="-", title="Karma Police", artists=("Radiohead",)))
    credited = knowledge.features(
        Track(id="-", title="Karma Police (feat. Someone)", artists=("Radiohead", "Someone"))
    )
    assert plain is not None and plain == credited


def test_a_track_the_dataset_lacks_has_no_features(knowledge: DatasetKnowledge) -> None:
    assert knowledge.features(Track(id="-", title="No Such Song", artists=("Radiohead",))) is None


def test_similar_artists_of_radiohead_are_rock_artists_of_no_regional_scene(
    knowledge: DatasetKnowledge,
) -> None:
    similar = knowledge.similar_artists("Radiohead", limit=10)
    assert len(similar) == 10 and "Radiohead" not in similar
    rockish = {"alt-rock", "alternative", "indie", "rock", "grunge", "british", "punk", "emo"}
    for name in similar:
        profile = knowledge.artist(name)
        assert profile is not None and profile.scene is None, name
        assert rockish & {genre for genre, _ in profile.genres}, name


def test_similar_artists_of_an_unknown_artist_are_empty(knowledge: DatasetKnowledge) -> None:
    assert knowledge.similar_artists("Nobody Of This Name At All") == ()


@pytest.mark.parametrize(
    ("prompt", "artists"),
    [
        ("Taylor Swift deep cuts", ("Taylor Swift",)),
        ("songs like Radiohead's OK Computer", ("Radiohead",)),
        ("songs by nas", ("Nas",)),
        ("like daft punk and justice", ("Daft Punk", "Justice")),
        ("TAYLOR SWIFT", ("Taylor Swift",)),
    ],
)
def test_artists_named_in_a_prompt_are_found(
    knowledge: DatasetKnowledge, prompt: str, artists: tuple[str, ...]
) -> None:
    assert knowledge.artists_named_in(prompt) == artists


def test_a_distinctive_album_title_names_its_artist(knowledge: DatasetKnowledge) -> None:
    assert knowledge.artists_named_in("something with an OK Computer feel") == ("Radiohead",)


def test_an_everyday_word_is_a_name_only_when_introduced_as_one(
    knowledge: DatasetKnowledge,
) -> None:
    assert knowledge.artists_named_in("music like Air") == ("Air",)
    assert knowledge.artists_named_in("music for the air we breathe") == ()


def test_a_well_known_one_word_name_needs_no_introduction(knowledge: DatasetKnowledge) -> None:
    assert knowledge.artists_named_in("anything but Coldplay") == ("Coldplay",)


def test_an_artist_popularity_is_that_of_their_best_known_tracks(
    knowledge: DatasetKnowledge,
) -> None:
    profile = knowledge.artist("Coldplay")
    assert profile is not None and profile.popularity >= 70


@pytest.mark.parametrize("prompt", ORDINARY_PROMPTS)
def test_an_ordinary_prompt_names_no_artist(knowledge: DatasetKnowledge, prompt: str) -> None:
    assert knowledge.artists_named_in(prompt) == ()


def test_every_scene_label_is_a_catalogue_genre() -> None:
    labels = {label for labels in SCENE_LABELS.values() for label in labels}
    assert labels <= CATALOGUE_GENRE_SET
    assert all(scene_of_genre(label) in SCENES for label in labels)


def test_region_words_ask_for_the_scenes_their_genres_mark() -> None:
    for word, genres in REGION_PHRASES.items():
        marked = {scene_of_genre(g) for g in genres} - {None}
        asked = {scene for scene, words in SCENE_REGIONS.items() if word in words}
        assert marked <= asked, word


@pytest.mark.slow
@pytest.mark.skipif(not SOURCE.exists(), reason="the source dataset is not on this machine")
def test_the_shipped_pack_is_what_the_build_script_makes(tmp_path: Path) -> None:
    from data.catalogue import build_knowledge

    output = tmp_path / "dataset.npz"
    assert build_knowledge.main([str(SOURCE), "--output", str(output)]) == 0
    shipped = Path(build_knowledge.__file__).with_name("dataset.npz")
    assert output.read_bytes() == shipped.read_bytes()

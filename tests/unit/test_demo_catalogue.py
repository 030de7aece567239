"""The bundled demo catalogue behaves like Spotify's search over real tracks.

Most tests run on a small fixture file; a few run on the packaged catalogue,
loaded once for the module.
"""

from __future__ import annotations

import asyncio
import gzip
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.errors import CatalogueError
from core.models import AudioTarget, DependencyStatus, Track
from core.ports import MusicCatalogue
from data.catalogue import demo as demo_catalogue
from data.catalogue.demo import DemoCatalogue

HEADER = (
    "id,title,artists,album,genres,popularity,explicit,duration_ms,"
    "energy,valence,danceability,tempo,acousticness,instrumentalness"
)
# Written out of id order on purpose: the catalogue orders by id itself.
ROWS = (
    "id15,Twin B,Twins,Same,ambient,40,0,100000,0.5,0.5,0.5,100,0.5,0.5",
    "id01,So What,Miles Davis;John Coltrane,Kind of Blue,jazz,60,0,562640,"
    "0.15,0.21,0.532,136.759,0.706,0.001",
    "id02,So What - Remastered,Miles Davis,Kind of Blue (Legacy Edition),jazz,70,0,562000,"
    "0.2,0.2,0.5,136,0.7,0",
    "id03,So What (Live),Miles Davis,Live at Newport,jazz,30,0,600000,0.35,0.3,0.5,140,0.6,0",
    "id04,Say So What You Mean,Test Band,Phrases,pop,90,0,200000,0.6,0.6,0.6,120,0.1,0",
    "id05,What Is So,Test Band,Phrases,pop,95,0,200000,0.6,0.6,0.6,120,0.1,0",
    "id06,Take Five,The Dave Brubeck Quartet,Time Out,jazz,66,0,324133,"
    "0.26,0.598,0.454,174.322,0.539,0.001",
    'id07,"Sing, Sing, Sing",Benny Goodman,The Famous 1938 Carnegie Hall Jazz Concert,jazz,55,0,'
    "720000,0.9,0.7,0.6,220,0.3,0.2",
    "id08,Jazz (We've Got),A Tribe Called Quest,The Low End Theory,hip-hop,75,1,250000,"
    "0.55,0.6,0.8,96,0.2,0",
    "id09,Gangsta's Paradise,Coolio;L.V.,Gangsta's Paradise,funk;hip-hop,89,0,240000,"
    "0.514,0.387,0.647,79.974,0.07,0",
    "id10,Gymnopédie No.1,Erik Satie,Gymnopédies,classical;piano,45,0,190000,"
    "0.02,0.1,0.3,,0.99,0.9",
    "id11,Clair de Lune,Claude Debussy,Suite bergamasque,classical;piano,50,0,300000,"
    "0.05,0.1,0.2,0,0.99,0.9",
    "id12,Johnny B. Goode,Chuck Berry,Chuck Berry Is on Top,r-n-b;rock-n-roll,76,0,160000,"
    "0.8,0.9,0.5,167,0.3,0",
    "id13,Thunderstruck,AC/DC,The Razors Edge,hard-rock;rock,85,0,292000,0.95,0.3,0.5,134,0,0.1",
    "id14,Twin A,Twins,Same,ambient,40,0,100000,0.5,0.5,0.5,100,0.5,0.5",
)
JAZZ = {"id01", "id02", "id03", "id06", "id07"}


def write_catalogue(path: Path, rows: tuple[str, ...] = ROWS, header: str = HEADER) -> Path:
    text = "\n".join((header, *rows)) + "\n"
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def fixture_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_catalogue(tmp_path_factory.mktemp("catalogue") / "tracks.csv.gz")


@pytest.fixture
def catalogue(fixture_file: Path) -> DemoCatalogue:
    return DemoCatalogue(fixture_file)


@pytest.fixture(scope="module")
def packaged() -> Iterator[DemoCatalogue]:
    """The real packaged catalogue, loaded once (in a private loop) for the module."""
    real = DemoCatalogue()
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(real.size())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        loop.close()
    yield real


def ids(tracks: list[Track]) -> list[str]:
    return [t.id for t in tracks]


# --- the port and its life cycle -----------------------------------------------------


def test_demo_catalogue_implements_the_music_catalogue_port(catalogue: DemoCatalogue) -> None:
    assert isinstance(catalogue, MusicCatalogue)
    assert catalogue.name == "demo"


async def test_catalogue_is_not_loaded_until_first_search(catalogue: DemoCatalogue) -> None:
    assert not catalogue.is_loaded

    await catalogue.search("jazz")

    assert catalogue.is_loaded


def test_creating_a_catalogue_reads_nothing(tmp_path: Path) -> None:
    absent = DemoCatalogue(tmp_path / "does-not-exist.csv.gz")

    assert not absent.is_loaded


async def test_missing_file_fails_on_first_use(tmp_path: Path) -> None:
    absent = DemoCatalogue(tmp_path / "does-not-exist.csv.gz")

    with pytest.raises(CatalogueError):
        await absent.search("jazz")


async def test_concurrent_first_searches_load_the_file_once(
    catalogue: DemoCatalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    real_load = demo_catalogue._load

    def counting_load(source: Any) -> Any:
        calls.append(source)
        return real_load(source)

    monkeypatch.setattr(demo_catalogue, "_load", counting_load)

    await asyncio.gather(*(catalogue.search("jazz") for _ in range(5)))

    assert len(calls) == 1


async def test_file_is_parsed_in_a_worker_thread(
    catalogue: DemoCatalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    real_load = demo_catalogue._load

    def recording_load(source: Any) -> Any:
        threads.append(threading.current_thread())
        return real_load(source)

    monkeypatch.setattr(demo_catalogue, "_load", recording_load)

    await catalogue.size()

    assert threads and threads[0] is not threading.main_thread()


async def test_plain_csv_files_load_too(tmp_path: Path) -> None:
    plain = DemoCatalogue(write_catalogue(tmp_path / "tracks.csv"))

    assert await plain.size() == len(ROWS)


async def test_file_without_the_expected_columns_is_a_catalogue_error(tmp_path: Path) -> None:
    broken = DemoCatalogue(write_catalogue(tmp_path / "t.csv", ("x,y",), header="id,title"))

    with pytest.raises(CatalogueError):
        await broken.size()


async def test_health_reports_the_catalogue_size(catalogue: DemoCatalogue) -> None:
    status = await catalogue.health()

    assert status.name == "catalogue"
    assert status.ok
    assert f"{len(ROWS)} tracks" in status.detail


async def test_health_reports_an_unreadable_file(tmp_path: Path) -> None:
    status = await DemoCatalogue(tmp_path / "missing.csv.gz").health()

    assert status == DependencyStatus(name="catalogue", ok=False, detail=status.detail)
    assert not status.ok


async def test_genres_lists_every_genre_sorted(catalogue: DemoCatalogue) -> None:
    genres = await catalogue.genres()

    assert genres == sorted(genres)
    assert {"jazz", "hip-hop", "r-n-b", "ambient"} <= set(genres)


async def test_size_counts_tracks(catalogue: DemoCatalogue) -> None:
    assert await catalogue.size() == len(ROWS)


# --- arguments -----------------------------------------------------------------------


async def test_limit_over_ten_is_refused_like_spotify(catalogue: DemoCatalogue) -> None:
    with pytest.raises(CatalogueError, match="Invalid limit"):
        await catalogue.search("jazz", limit=11)


async def test_limit_below_one_is_refused(catalogue: DemoCatalogue) -> None:
    with pytest.raises(CatalogueError, match="Invalid limit"):
        await catalogue.search("jazz", limit=0)


async def test_negative_offset_is_refused(catalogue: DemoCatalogue) -> None:
    with pytest.raises(CatalogueError, match="Invalid offset"):
        await catalogue.search("jazz", offset=-1)


async def test_offset_past_spotifys_maximum_is_refused(catalogue: DemoCatalogue) -> None:
    with pytest.raises(CatalogueError, match="Invalid offset"):
        await catalogue.search("jazz", offset=1001)


async def test_bad_arguments_are_refused_before_any_loading(tmp_path: Path) -> None:
    absent = DemoCatalogue(tmp_path / "missing.csv.gz")

    with pytest.raises(CatalogueError, match="Invalid limit"):
        await absent.search("jazz", limit=50)
    assert not absent.is_loaded


async def test_empty_query_is_refused_like_spotify(catalogue: DemoCatalogue) -> None:
    with pytest.raises(CatalogueError):
        await catalogue.search("   ")


# --- results -------------------------------------------------------------------------


async def test_results_are_complete_tracks(catalogue: DemoCatalogue) -> None:
    (track,) = await catalogue.search('track:"Take Five"')

    assert track == Track(
        id="id06",
        title="Take Five",
        artists=("The Dave Brubeck Quartet",),
        album="Time Out",
        duration_ms=324133,
        explicit=False,
        popularity=66,
        genres=("jazz",),
        image_url=None,
        energy=0.26,
        valence=0.598,
        danceability=0.454,
        tempo=174.322,
        acousticness=0.539,
        instrumentalness=0.001,
    )


async def test_explicit_flag_is_read(catalogue: DemoCatalogue) -> None:
    (track,) = await catalogue.search('track:"Jazz" artist:"A Tribe Called Quest"')

    assert track.explicit


@pytest.mark.parametrize("title", ["Gymnopédie No.1", "Clair de Lune"])
async def test_unknown_tempo_becomes_none(catalogue: DemoCatalogue, title: str) -> None:
    (track,) = await catalogue.search(f'track:"{title}"')

    assert track.tempo is None


async def test_genres_come_back_as_a_sorted_tuple(catalogue: DemoCatalogue) -> None:
    (track,) = await catalogue.search('track:"Gangsta\'s Paradise"')

    assert track.genres == ("funk", "hip-hop")


# --- filters -------------------------------------------------------------------------


async def test_track_and_artist_filters_find_the_song(catalogue: DemoCatalogue) -> None:
    found = await catalogue.search('track:"Take Five" artist:"Dave Brubeck"')

    assert ids(found) == ["id06"]


async def test_exact_title_ranks_first_then_versions_then_looser_matches(
    catalogue: DemoCatalogue,
) -> None:
    found = await catalogue.search('track:"So What"')

    # exact; versions ("- Remastered", "(Live)") by popularity; phrase inside; words anywhere
    assert ids(found) == ["id01", "id02", "id03", "id04", "id05"]


async def test_artist_filter_matches_any_of_the_artists(catalogue: DemoCatalogue) -> None:
    assert ids(await catalogue.search('artist:"John Coltrane"')) == ["id01"]


async def test_filters_ignore_case_accents_and_punctuation(catalogue: DemoCatalogue) -> None:
    found = await catalogue.search('track:"gymnopedie no 1" artist:"ERIK SATIE"')

    assert ids(found) == ["id10"]


async def test_artist_filter_finds_a_name_made_of_punctuated_letters(
    catalogue: DemoCatalogue,
) -> None:
    assert ids(await catalogue.search('artist:"AC/DC"')) == ["id13"]


async def test_album_filter_matches_the_album(catalogue: DemoCatalogue) -> None:
    found = await catalogue.search('album:"Kind of Blue"')

    assert ids(found) == ["id01", "id02"]  # exact album first, then its edition


async def test_genre_filter_accepts_hip_hop_spelled_with_a_space(
    catalogue: DemoCatalogue,
) -> None:
    found = await catalogue.search('genre:"hip hop"')

    assert set(ids(found)) == {"id08", "id09"}


@pytest.mark.parametrize("spelling", ["r&b", "rnb", '"R n B"', '"rhythm and blues"'])
async def test_genre_filter_knows_other_spellings_of_r_n_b(
    catalogue: DemoCatalogue, spelling: str
) -> None:
    assert ids(await catalogue.search(f"genre:{spelling}")) == ["id12"]


async def test_genre_filter_with_an_unknown_genre_finds_nothing(
    catalogue: DemoCatalogue,
) -> None:
    assert await catalogue.search("genre:zydeco") == []


async def test_genre_filter_falls_back_to_genres_containing_its_word(
    catalogue: DemoCatalogue,
) -> None:
    found = await catalogue.search("genre:hard")  # no genre "hard": "hard-rock" has the word

    assert ids(found) == ["id13"]


async def test_filters_combine_with_and(catalogue: DemoCatalogue) -> None:
    assert await catalogue.search('track:"So What" genre:pop artist:"Miles Davis"') == []


async def test_year_filter_is_accepted_and_ignored(catalogue: DemoCatalogue) -> None:
    found = await catalogue.search('track:"Take Five" year:1959')

    assert ids(found) == ["id06"]


async def test_year_filter_alone_matches_every_track(catalogue: DemoCatalogue) -> None:
    found = await catalogue.search("year:1990-1999", limit=3)

    assert ids(found) == ["id05", "id04", "id09"]  # the most popular tracks


async def test_unknown_song_returns_nothing(catalogue: DemoCatalogue) -> None:
    assert await catalogue.search('track:"Purple Elephant Waltz" artist:"Nobody"') == []


# --- free words ----------------------------------------------------------------------


async def test_free_words_rank_genre_hits_above_title_hits(catalogue: DemoCatalogue) -> None:
    found = await catalogue.search("jazz")

    assert set(ids(found[:5])) == JAZZ
    assert ids(found[5:]) == ["id08"]  # "Jazz (We've Got)": a title hit, ranked after


async def test_free_words_rank_artist_hits_above_title_hits(catalogue: DemoCatalogue) -> None:
    found = await catalogue.search("miles what")

    # Miles Davis's "So What"s hit twice (artist and title), "What Is So" once
    assert ids(found)[-2:] == ["id05", "id04"]
    assert set(ids(found)[:3]) == {"id01", "id02", "id03"}


async def test_free_words_without_filters_must_hit_something(
    catalogue: DemoCatalogue,
) -> None:
    assert await catalogue.search("zzyzx") == []


async def test_free_words_only_rank_when_a_filter_is_present(
    catalogue: DemoCatalogue,
) -> None:
    found = await catalogue.search("genre:jazz live")

    assert set(ids(found)) == JAZZ
    assert found[0].id == "id03"  # "So What (Live)"


async def test_spelled_out_genre_in_free_text_finds_the_genre(
    catalogue: DemoCatalogue,
) -> None:
    assert ids(await catalogue.search("rock and roll")) == ["id12"]  # not plain "rock"


async def test_punctuation_only_free_text_finds_nothing(catalogue: DemoCatalogue) -> None:
    assert await catalogue.search("!!! ...") == []


# --- ranking and paging --------------------------------------------------------------


async def test_without_target_popularity_decides_among_equals(
    catalogue: DemoCatalogue,
) -> None:
    found = await catalogue.search("genre:jazz")

    assert ids(found) == ["id02", "id06", "id01", "id07", "id03"]


async def test_energy_target_ranks_calm_tracks_first(catalogue: DemoCatalogue) -> None:
    found = await catalogue.search("genre:jazz", target=AudioTarget(energy=0.1))

    assert ids(found) == ["id01", "id02", "id06", "id03", "id07"]


async def test_energy_target_ranks_lively_tracks_first(catalogue: DemoCatalogue) -> None:
    found = await catalogue.search("genre:jazz", target=AudioTarget(energy=0.95))

    assert found[0].id == "id07"


async def test_target_does_not_override_relevance(catalogue: DemoCatalogue) -> None:
    found = await catalogue.search('track:"So What"', target=AudioTarget(energy=0.6))

    assert found[0].id == "id01"  # the exact title, although id04/id05 match the energy


async def test_empty_target_changes_nothing(catalogue: DemoCatalogue) -> None:
    plain = await catalogue.search("genre:jazz")

    assert await catalogue.search("genre:jazz", target=AudioTarget()) == plain


async def test_ties_are_broken_by_track_id(catalogue: DemoCatalogue) -> None:
    assert ids(await catalogue.search("genre:ambient")) == ["id14", "id15"]


async def test_offset_pages_without_overlap(catalogue: DemoCatalogue) -> None:
    pages = [await catalogue.search("genre:jazz", limit=2, offset=o) for o in (0, 2, 4)]

    assert [len(p) for p in pages] == [2, 2, 1]
    assert ids([t for p in pages for t in p]) == ids(await catalogue.search("genre:jazz"))


async def test_offset_past_the_results_returns_nothing(catalogue: DemoCatalogue) -> None:
    assert await catalogue.search("genre:jazz", offset=5) == []


async def test_same_search_gives_the_same_answer(catalogue: DemoCatalogue) -> None:
    first = await catalogue.search("so what jazz", target=AudioTarget(valence=0.3))

    assert await catalogue.search("so what jazz", target=AudioTarget(valence=0.3)) == first


# --- the packaged catalogue ----------------------------------------------------------


async def test_packaged_catalogue_holds_real_tracks_of_114_genres(
    packaged: DemoCatalogue,
) -> None:
    assert len(await packaged.genres()) == 114
    assert await packaged.size() > 60_000


async def test_packaged_catalogue_keeps_the_documented_tracks(packaged: DemoCatalogue) -> None:
    # SOURCE.md: the 723 most popular tracks of each genre, 67,020 tracks.
    assert await packaged.size() == 67_020


async def test_a_packaged_track_carries_the_source_values(packaged: DemoCatalogue) -> None:
    track = await packaged.get_track("4vLYewWIvqHfKtJDk8c8tq")

    assert track == Track(
        id="4vLYewWIvqHfKtJDk8c8tq",
        title="So What (feat. John Coltrane, Cannonball Adderley & Bill Evans)",
        artists=("Miles Davis", "John Coltrane", "Cannonball Adderley", "Bill Evans"),
        album="Kind Of Blue (Legacy Edition)",
        duration_ms=562640,
        explicit=False,
        popularity=61,
        genres=("jazz",),
        energy=0.151,
        valence=0.211,
        danceability=0.532,
        tempo=136.759,
        acousticness=0.706,
        instrumentalness=0.001,
    )


async def test_a_packaged_track_of_unknown_tempo_has_none(packaged: DemoCatalogue) -> None:
    track = await packaged.get_track("4YukH0BeXhJmcCmz2BBRke")  # white noise, tempo 0

    assert track is not None and track.tempo is None and track.energy == 0


async def test_track_and_artist_filters_find_a_real_song(packaged: DemoCatalogue) -> None:
    found = await packaged.search('track:"So What" artist:"Miles Davis"')

    assert found[0].id == "4vLYewWIvqHfKtJDk8c8tq"  # Kind of Blue (Legacy Edition)
    assert found[0].title.startswith("So What")
    assert found[0].artist == "Miles Davis"
    assert "jazz" in found[0].genres


async def test_track_filter_finds_a_remastered_version_after_the_original(
    packaged: DemoCatalogue,
) -> None:
    found = await packaged.search('track:"Bohemian Rhapsody" artist:"Queen"')

    assert [t.title for t in found] == ["Bohemian Rhapsody", "Bohemian Rhapsody - Remastered 2011"]


async def test_apostrophes_do_not_stop_a_real_match(packaged: DemoCatalogue) -> None:
    found = await packaged.search('track:"Dont Stop Me Now" artist:"queen"')

    assert [t.title for t in found] == ["Don't Stop Me Now - Remastered 2011"]


async def test_real_hip_hop_is_found_with_a_space(packaged: DemoCatalogue) -> None:
    found = await packaged.search('genre:"hip hop"')

    assert len(found) == 10
    assert all("hip-hop" in t.genres for t in found)


async def test_real_unknown_song_returns_nothing(packaged: DemoCatalogue) -> None:
    assert await packaged.search('track:"Purple Elephant Waltz" artist:"Nobody"') == []

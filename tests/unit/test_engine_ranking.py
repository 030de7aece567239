"""The engine with a MusicKnowledge: a ranked pool, scenes kept out, named artists, arcs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.engine import Engine, EngineConfig
from core.errors import NothingFound
from core.identity import UserKeys
from core.models import LimitSettings, Strategy, Track, UserRef
from core.targets import FeatureTarget
from core.validation import LexicalValidator
from data.sqlite_store import SqliteStore
from tests.fakes.catalogue import FakeCatalogue
from tests.fakes.knowledge import FakeKnowledge, profile, sound
from tests.fakes.model import ScriptedModel

ALICE = UserRef("console", "alice", "console")


def song(n: int, artist: str, genre: str = "jazz", *, energy: float = 0.3,
         instrumentalness: float = 0.1, popularity: int = 50) -> Track:
    return Track(id=f"s{n:021d}", title=f"Song {n}", artists=(artist,), genres=(genre,),
                 popularity=popularity, energy=energy, valence=0.5, danceability=0.5,
                 acousticness=0.5, instrumentalness=instrumentalness, tempo=100.0)


JAZZ_ARTISTS = [f"Jazz {a}" for a in range(8)]
KNOWLEDGE = FakeKnowledge(
    [*(profile(a, {"jazz": 1.0}) for a in JAZZ_ARTISTS),
     profile("Turkish Star", {"turkish": 1.0, "jazz": 1.0}, scene="turkish"),
     profile("Radiohead", {"alt-rock": 1.0})],
    similar={"Radiohead": ("Jazz 0", "Jazz 1", "Jazz 2", "Jazz 3")},
)


def catalogue() -> FakeCatalogue:
    tracks = [song(100, "Turkish Star", popularity=99), song(101, "Turkish Star", popularity=98)]
    for a, artist in enumerate(JAZZ_ARTISTS):
        for s in range(3):
            tracks.append(song(a * 10 + s, artist, energy=0.1 + 0.1 * s,
                               instrumentalness=0.9 if s == 2 else 0.05))
    tracks += [song(200 + s, "Radiohead", "alt-rock") for s in range(5)]
    return FakeCatalogue(tracks)


def engine(store: SqliteStore, strategy: Strategy, knowledge: FakeKnowledge | None = KNOWLEDGE,
           ) -> Engine:
    return Engine(
        store=store, model=ScriptedModel(strategy), catalogue=catalogue(),
        validator=LexicalValidator(), keys=UserKeys(b"k" * 32),
        config=EngineConfig(defaults=LimitSettings(max_playlists_per_day=10)),
        clock=lambda: datetime(2026, 12, 1, 12, 0, tzinfo=UTC), knowledge=knowledge,
    )


JAZZ = Strategy(title="Jazz", genres=("jazz",), queries=('genre:"jazz"',),
                targets=(FeatureTarget("energy", 0.2, 0.6),))


async def test_an_unasked_scene_is_left_out_when_the_genre_has_enough_of_its_own(
    store: SqliteStore,
) -> None:
    playlist = await engine(store, JAZZ).generate(ALICE, "relaxing jazz", 10)
    assert len(playlist.tracks) == 10
    assert "Turkish Star" not in {t.artist for t in playlist.tracks}


async def test_without_knowledge_the_catalogues_order_decides_as_before(store: SqliteStore) -> None:
    playlist = await engine(store, JAZZ, knowledge=None).generate(ALICE, "relaxing jazz", 10)
    assert playlist.tracks[0].artist == "Turkish Star"


async def test_the_calmest_tracks_are_chosen_for_a_calm_request(store: SqliteStore) -> None:
    playlist = await engine(store, JAZZ).generate(ALICE, "relaxing jazz", 10)
    assert sum(t.energy or 0 for t in playlist.tracks) / 10 < 0.25


async def test_songs_like_an_artist_take_few_of_their_own(store: SqliteStore) -> None:
    like = Strategy(title="Like Radiohead", genres=("alt-rock",), seed_artists=("Radiohead",),
                    like_artists=("Radiohead",), queries=('artist:"Radiohead"',))
    playlist = await engine(store, like).generate(ALICE, "songs like Radiohead", 10)
    own = [t for t in playlist.tracks if t.artist == "Radiohead"]
    assert 1 <= len(own) <= 2
    assert {t.artist for t in playlist.tracks} & {"Jazz 0", "Jazz 1", "Jazz 2", "Jazz 3"}


async def test_a_named_artist_missing_from_the_catalogue_is_said_plainly(store: SqliteStore) -> None:
    named = Strategy(title="Nobody", genres=("jazz",), seed_artists=("The Nobodies",),
                     queries=('artist:"The Nobodies"', 'genre:"jazz"'))
    playlist = await engine(store, named).generate(ALICE, "songs by The Nobodies", 10)
    assert playlist.note is not None and "no songs by The Nobodies" in playlist.note


async def test_only_missing_artists_named_is_refused_with_their_names(store: SqliteStore) -> None:
    named = Strategy(title="Nobody", seed_artists=("The Nobodies",),
                     queries=('artist:"The Nobodies"',))
    with pytest.raises(NothingFound, match="no songs by The Nobodies"):
        await engine(store, named).generate(ALICE, "songs by The Nobodies", 10)


async def test_a_firm_no_vocals_target_replaces_the_sung_tracks(store: SqliteStore) -> None:
    instrumental = Strategy(title="Jazz", genres=("jazz",), queries=('genre:"jazz"',),
                            targets=(FeatureTarget("instrumentalness", 0.9, 0.9, "up"),))
    playlist = await engine(store, instrumental).generate(ALICE, "instrumental jazz", 8)
    assert all((t.instrumentalness or 0) >= 0.9 for t in playlist.tracks)


async def test_features_the_catalogue_lacks_are_filled_from_the_dataset(store: SqliteStore) -> None:
    bare = Track(id="b" * 22, title="Bare", artists=("Jazz 0",), genres=("jazz",))
    knowledge = FakeKnowledge([profile("Jazz 0", {"jazz": 1.0})],
                              features={bare.id: sound(0.15, instrumentalness=0.5)})
    model = ScriptedModel(JAZZ)
    eng = Engine(store=store, model=model, catalogue=FakeCatalogue([bare]),
                 validator=LexicalValidator(), keys=UserKeys(b"k" * 32), knowledge=knowledge)
    playlist = await eng.generate(ALICE, "relaxing jazz", 5, min_count=1)
    assert playlist.tracks[0].energy == 0.15

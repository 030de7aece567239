"""Issue 17's gap, on the bundled catalogue with no language model (a new user's first path).

Each spec is one of the failures the issue lists, judged with the dataset's own
artist-level knowledge (``data.catalogue.knowledge``).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable

from adapters.ai.offline import OfflineStrategyProvider
from core.engine import Engine, EngineConfig
from core.identity import UserKeys
from core.matching import artist_key
from core.models import LimitSettings, Playlist, Track, UserRef
from core.validation import LexicalValidator
from data.catalogue.demo import shared_catalogue
from data.catalogue.knowledge import shared_knowledge
from data.sqlite_store import SqliteStore

KNOWLEDGE = shared_knowledge()
USER = UserRef("console", "listener", "console")


def engine(store: SqliteStore) -> Engine:
    return Engine(
        store=store, model=OfflineStrategyProvider(KNOWLEDGE), catalogue=shared_catalogue(),
        validator=LexicalValidator(), keys=UserKeys(b"k" * 32),
        config=EngineConfig(defaults=LimitSettings(max_playlists_per_day=50,
                                                   max_refinements_per_playlist=10)),
        knowledge=KNOWLEDGE,
    )


def scenes(tracks: Iterable[Track]) -> list[str]:
    found = []
    for track in tracks:
        profile = KNOWLEDGE.artist(track.artist)
        if profile is not None and profile.scene is not None:
            found.append(f"{track.artist} ({profile.scene})")
    return found


def label_share(track: Track, labels: Iterable[str]) -> float:
    profile = KNOWLEDGE.artist(track.artist)
    return 0.0 if profile is None else sum(profile.share(label) for label in labels)


def median(tracks: Iterable[Track], feature: str) -> float:
    return statistics.median(getattr(t, feature) for t in tracks if getattr(t, feature) is not None)


async def generate(store: SqliteStore, prompt: str, count: int = 20) -> Playlist:
    return await engine(store).generate(USER, prompt, count)


async def test_relaxing_jazz_for_studying_has_no_turkish_or_indonesian_pop(store: SqliteStore) -> None:
    playlist = await generate(store, "relaxing jazz for studying")
    names = {t.artist for t in playlist.tracks}
    assert not names & {"Kızılırmak", "Sertab Erener", "Yura Yunita", "MALIQ & D'Essentials"}
    assert scenes(playlist.tracks) == []


async def test_a_soul_and_rnb_dinner_has_no_brazilian_or_mexican_pop(store: SqliteStore) -> None:
    playlist = await generate(store, "soul and r&b for a dinner party")
    latin = ("brazil", "mpb", "sertanejo", "pagode", "latin", "latino", "reggaeton")
    assert [t.artist for t in playlist.tracks if label_share(t, latin) >= 0.5] == []
    assert scenes(playlist.tracks) == []


async def test_calm_classical_for_falling_asleep_has_no_sung_devotional_music(
    store: SqliteStore,
) -> None:
    playlist = await generate(store, "calm classical music for falling asleep")
    sung_indian = [t.artist for t in playlist.tracks
                   if label_share(t, ("indian", "pop-film")) > 0 and (t.instrumentalness or 0) < 0.5]
    assert sung_indian == []
    assert median(playlist.tracks, "instrumentalness") >= 0.7


async def test_taylor_swift_deep_cuts_give_her_less_popular_songs(store: SqliteStore) -> None:
    playlist = await generate(store, "Taylor Swift deep cuts")
    hers = [t for t in playlist.tracks if "taylor swift" in map(artist_key, t.artists)]
    assert len(hers) >= 3
    own = await shared_catalogue().search('artist:"Taylor Swift"', limit=10)
    least = min(own, key=lambda t: t.popularity or 0)
    assert least.id in {t.id for t in hers}


async def test_songs_like_ok_computer_are_served_with_alternative_rock(store: SqliteStore) -> None:
    playlist = await generate(store, "songs like Radiohead's OK Computer")
    assert len(playlist.tracks) == 20
    rock = [t for t in playlist.tracks if label_share(t, ("alt-rock", "alternative")) >= 0.3]
    assert len(rock) >= 16
    assert sum(t.artist == "Radiohead" for t in playlist.tracks) <= 2


async def test_no_vocals_changes_the_tracks_and_raises_instrumentalness(store: SqliteStore) -> None:
    eng = engine(store)
    before = await eng.generate(USER, "relaxing jazz for studying", 20)
    after = await eng.refine(USER, "no vocals please, only instrumental tracks")
    assert {t.id for t in after.tracks} != {t.id for t in before.tracks}
    assert median(after.tracks, "instrumentalness") > median(before.tracks, "instrumentalness")


async def test_more_danceable_raises_danceability(store: SqliteStore) -> None:
    eng = engine(store)
    before = await eng.generate(USER, "hip hop for a party", 20)
    after = await eng.refine(USER, "more danceable")
    assert median(after.tracks, "danceability") > median(before.tracks, "danceability")


async def test_more_energetic_no_ballads_on_jazz_stays_jazz(store: SqliteStore) -> None:
    eng = engine(store)
    before = await eng.generate(USER, "smooth jazz for dinner", 20)
    after = await eng.refine(USER, "more energetic, no ballads")
    assert median(after.tracks, "energy") > median(before.tracks, "energy")
    assert [t.artist for t in after.tracks if label_share(t, ("jazz",)) < 0.3] == []
    assert scenes(after.tracks) == []


async def test_a_workout_warms_up_peaks_and_cools_down(store: SqliteStore) -> None:
    playlist = await generate(store, "hip hop workout mix")
    energy = [t.energy or 0.0 for t in playlist.tracks]
    peak = statistics.mean(energy[5:15])
    assert energy[0] < peak and energy[-1] < peak


async def test_a_sleep_playlist_descends(store: SqliteStore) -> None:
    playlist = await generate(store, "calm classical music for falling asleep")
    energy = [t.energy or 0.0 for t in playlist.tracks]
    assert statistics.mean(energy[:5]) > statistics.mean(energy[-5:])

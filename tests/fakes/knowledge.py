"""An in-memory ``MusicKnowledge`` (our own port) for ranking and engine specs.

Artists are declared with their genre shares, scene and typical sound; track features
can be given per track id (as the dataset would know a live Spotify track's).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from core.knowledge import ArtistProfile, SoundFeatures
from core.matching import artist_key
from core.models import Track


def sound(energy: float = 0.5, *, valence: float = 0.5, danceability: float = 0.5,
          acousticness: float = 0.3, instrumentalness: float = 0.0, tempo: float | None = 110.0,
          key: int = -1, mode: int = 1, popularity: int = 50) -> SoundFeatures:
    """A ``SoundFeatures`` with middling defaults."""
    return SoundFeatures(energy=energy, valence=valence, danceability=danceability,
                         acousticness=acousticness, instrumentalness=instrumentalness,
                         speechiness=0.05, tempo=tempo, loudness=-8.0, key=key, mode=mode,
                         popularity=popularity)


def profile(name: str, genres: Mapping[str, float], scene: str | None = None, *,
            popularity: float = 50.0, tracks: int = 5) -> ArtistProfile:
    """An artist judged by ``genres`` (genre -> share of their tracks)."""
    ordered = tuple(sorted(genres.items(), key=lambda item: -item[1]))
    return ArtistProfile(name=name, genres=ordered, scene=scene, sound=sound(),
                         popularity=popularity, tracks=tracks)


class FakeKnowledge:
    """Knows the artists and track features it is given, nothing else."""

    def __init__(self, artists: Iterable[ArtistProfile] = (),
                 features: Mapping[str, SoundFeatures] | None = None,
                 similar: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self._artists = {artist_key(a.name): a for a in artists}
        self._features = dict(features or {})
        self._similar = {artist_key(k): v for k, v in (similar or {}).items()}

    def artist(self, name: str) -> ArtistProfile | None:
        return self._artists.get(artist_key(name))

    def features(self, track: Track) -> SoundFeatures | None:
        return self._features.get(track.id)

    def similar_artists(self, name: str, limit: int = 10) -> tuple[str, ...]:
        return self._similar.get(artist_key(name), ())[:limit]

    def artists_named_in(self, text: str) -> tuple[str, ...]:
        folded = f" {text.casefold()} "
        found = [(folded.find(a.name.casefold()), a.name) for a in self._artists.values()
                 if f"{a.name.casefold()}" in folded]
        return tuple(name for _, name in sorted(found))

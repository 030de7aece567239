"""What the bundled dataset knows about tracks and artists, as the ranking sees it.

The catalogue's genre labels are noisy ("jazz" holds Turkish pop, "hip-hop" much
Punjabi rap), so the ranking judges an *artist* by all of their tracks: their genre
distribution, their scene (a regional or language label most of their tracks carry),
their typical sound and their popularity.  These shapes are what a ``MusicKnowledge``
(``core.ports``) answers; ``data.catalogue`` builds them from the dataset, for the demo
catalogue and for live Spotify alike (by track id, or by normalised title and artist).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SoundFeatures:
    """A track's (or an artist's typical) audio features, as the dataset gives them.

    0..1 scales except ``tempo`` (BPM, None when unknown), ``loudness`` (dB),
    ``key`` (pitch class 0..11, -1 unknown), ``mode`` (1 major, 0 minor) and
    ``popularity`` (0..100).
    """

    energy: float
    valence: float
    danceability: float
    acousticness: float
    instrumentalness: float
    speechiness: float
    tempo: float | None
    loudness: float
    key: int
    mode: int
    popularity: int


@dataclass(frozen=True, slots=True)
class ArtistProfile:
    """One artist judged by all of their tracks in the dataset.

    ``genres``: catalogue genre → share of the artist's tracks carrying it (largest
    first).  ``scene``: the regional or language label (e.g. ``"turkish"``,
    ``"indian"``, ``"k-pop"``) most of their tracks carry, or None for an artist of
    no particular scene.  ``sound``: their typical (median) features.
    """

    name: str
    genres: tuple[tuple[str, float], ...]
    scene: str | None
    sound: SoundFeatures
    popularity: float
    tracks: int

    def share(self, genre: str) -> float:
        """The share of this artist's tracks labelled ``genre`` (0 when none)."""
        return next((share for name, share in self.genres if name == genre), 0.0)

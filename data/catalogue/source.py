"""Reading the public "Spotify Tracks Dataset" CSV into distinct tracks (build time only).

Shared by the builders of the shipped files (``build_catalogue``, ``build_knowledge``).
The source has one row per (track, genre) pair: a track collected under several genres
appears once per genre, so rows are merged by Spotify id with the genres as a set.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

# Every audio feature of the source, in the order the pack stores them.
SOURCE_FEATURES: tuple[str, ...] = (
    "energy",
    "valence",
    "danceability",
    "acousticness",
    "instrumentalness",
    "speechiness",
    "liveness",
    "tempo",
    "loudness",
    "key",
    "mode",
)


@dataclass(slots=True)
class SourceTrack:
    """One distinct track of the source, genres merged over its rows."""

    id: str
    title: str
    artists: tuple[str, ...]
    album: str
    popularity: int
    explicit: bool
    duration_ms: int
    features: dict[str, float]
    genres: set[str] = field(default_factory=set)

    @property
    def artist(self) -> str:
        """The primary (first credited) artist."""
        return self.artists[0]


def read_source(path: Path) -> dict[str, SourceTrack]:
    """The source CSV's distinct tracks keyed by Spotify id, in file order.

    Rows of the same id differ only by genre and (in 720 cases) by one point of
    popularity, a snapshot artefact: the highest popularity is kept.  The one row with
    no name, artist or album (source index 65900) is skipped.
    """
    tracks: dict[str, SourceTrack] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            title = row["track_name"].strip()
            artists = tuple(a.strip() for a in row["artists"].split(";") if a.strip())
            if not title or not artists:
                continue
            track_id = row["track_id"].strip()
            popularity = int(row["popularity"])
            known = tracks.get(track_id)
            if known is None:
                known = SourceTrack(
                    id=track_id,
                    title=title,
                    artists=artists,
                    album=row["album_name"].strip(),
                    popularity=popularity,
                    explicit=row["explicit"].strip().lower() == "true",
                    duration_ms=int(row["duration_ms"]),
                    features={name: float(row[name]) for name in SOURCE_FEATURES},
                )
                tracks[track_id] = known
            else:
                known.popularity = max(known.popularity, popularity)
            known.genres.add(row["track_genre"].strip())
    return tracks

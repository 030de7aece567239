"""Derive the bundled demo catalogue from the public "Spotify Tracks Dataset".

Run by hand when the source changes::

    python -m data.catalogue.build_catalogue /work/shared/data/spotify_tracks.csv

It reads the source CSV (114,000 rows, one per (track, genre) pair), keeps one row
per Spotify track id with its genres as a set, drops the one nameless row, keeps
only the columns the demo catalogue uses (features rounded to 3 decimals, tempo 0
written as empty = unknown) and writes ``data/catalogue/tracks.csv.gz`` sorted by
(artists, album, title, id) with a zeroed gzip timestamp, so two runs on the same
input give the same bytes.  Every distinct track is kept when the result fits the size budget;
otherwise the most popular ``N`` tracks of each genre are kept, with ``N`` the
largest value that fits (or the value given with ``--max-per-genre``).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from data.catalogue import COLUMNS, FEATURES

OUTPUT = Path(__file__).with_name("tracks.csv.gz")
DEFAULT_BUDGET_BYTES = 4 * 1024 * 1024



@dataclass(slots=True)
class SourceTrack:
    """One distinct track of the source, genres merged over its rows."""

    id: str
    title: str
    artists: str
    album: str
    popularity: int
    explicit: bool
    duration_ms: int
    features: dict[str, float]
    genres: set[str] = field(default_factory=set)


def _feature(value: str) -> float:
    return round(float(value), 3)


def _format_feature(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def read_source(path: Path) -> dict[str, SourceTrack]:
    """Reads the source CSV into distinct tracks keyed by Spotify id.

    Rows of the same id differ only by genre and (in 720 cases) by one point of
    popularity, a snapshot artefact: the highest popularity is kept.
    """
    tracks: dict[str, SourceTrack] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            title = row["track_name"].strip()
            artists = row["artists"].strip()
            if not title or not artists:
                continue  # the one row (index 65900) with no name, artist or album
            track_id = row["track_id"].strip()
            popularity = int(row["popularity"])
            known = tracks.get(track_id)
            if known is None:
                known = SourceTrack(
                    id=track_id,
                    title=title,
                    artists=";".join(a.strip() for a in artists.split(";") if a.strip()),
                    album=row["album_name"].strip(),
                    popularity=popularity,
                    explicit=row["explicit"].strip().lower() == "true",
                    duration_ms=int(row["duration_ms"]),
                    features={name: _feature(row[name]) for name in FEATURES},
                )
                tracks[track_id] = known
            else:
                known.popularity = max(known.popularity, popularity)
            known.genres.add(row["track_genre"].strip())
    return tracks


def most_popular_per_genre(tracks: Iterable[SourceTrack], per_genre: int) -> list[SourceTrack]:
    """Keeps the ``per_genre`` most popular tracks of each genre (ties by id).

    A track kept for one genre keeps all its genres.
    """
    by_genre: dict[str, list[SourceTrack]] = {}
    for track in tracks:
        for genre in track.genres:
            by_genre.setdefault(genre, []).append(track)
    kept: dict[str, SourceTrack] = {}
    for members in by_genre.values():
        members.sort(key=lambda t: (-t.popularity, t.id))
        for track in members[:per_genre]:
            kept[track.id] = track
    return list(kept.values())


def render(tracks: Iterable[SourceTrack]) -> bytes:
    """The gzipped CSV of ``tracks``, byte-for-byte reproducible.

    Rows are sorted by (artists, album, title, id): tracks of one album sit together,
    which gzip compresses about 20 % better than id order (random base62 ids).
    """
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for track in sorted(tracks, key=lambda t: (t.artists, t.album, t.title, t.id)):
        tempo = track.features["tempo"]
        writer.writerow(
            (
                track.id,
                track.title,
                track.artists,
                track.album,
                ";".join(sorted(track.genres)),
                track.popularity,
                int(track.explicit),
                track.duration_ms,
                _format_feature(track.features["energy"]),
                _format_feature(track.features["valence"]),
                _format_feature(track.features["danceability"]),
                _format_feature(tempo) if tempo > 0 else "",
                _format_feature(track.features["acousticness"]),
                _format_feature(track.features["instrumentalness"]),
            )
        )
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
        gz.write(text.getvalue().encode("utf-8"))
    return raw.getvalue()


def choose(
    tracks: dict[str, SourceTrack], budget: int, per_genre: int | None
) -> tuple[bytes, int | None]:
    """Renders every track if it fits ``budget`` bytes, else the largest top-N per genre.

    Returns the file bytes and the per-genre cap used (None when all were kept).
    """
    if per_genre is not None:
        return render(most_popular_per_genre(tracks.values(), per_genre)), per_genre
    everything = render(tracks.values())
    if len(everything) <= budget:
        return everything, None
    low, high, best = 1, 1000, render(most_popular_per_genre(tracks.values(), 1))
    chosen = 1
    while low <= high:
        middle = (low + high) // 2
        candidate = render(most_popular_per_genre(tracks.values(), middle))
        if len(candidate) <= budget:
            best, chosen, low = candidate, middle, middle + 1
        else:
            high = middle - 1
    return best, chosen


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", type=Path, help="spotify_tracks.csv of the source dataset")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default: {OUTPUT}")
    parser.add_argument(
        "--budget",
        type=int,
        default=DEFAULT_BUDGET_BYTES,
        help="largest gzipped size in bytes before tracks are dropped (default 4 MiB)",
    )
    parser.add_argument(
        "--max-per-genre",
        type=int,
        default=None,
        help="keep only the N most popular tracks of each genre",
    )
    args = parser.parse_args(argv)

    tracks = read_source(args.source)
    data, per_genre = choose(tracks, args.budget, args.max_per_genre)
    args.output.write_bytes(data)

    text = gzip.decompress(data).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    genres = {g for row in rows for g in row["genres"].split(";")}
    kept = "all distinct tracks" if per_genre is None else f"top {per_genre} per genre"
    print(
        f"{args.output}: {len(data):,} bytes, {len(rows):,} of {len(tracks):,} tracks "
        f"({kept}), {len(genres)} genres",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

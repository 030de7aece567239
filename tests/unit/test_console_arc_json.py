"""``python -m bot generate --json`` reports the listening arc and each track's features."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.console.render import playlist_json
from core.models import Playlist, Strategy, Track

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def playlist(tracks: tuple[Track, ...], strategy: Strategy) -> Playlist:
    return Playlist(draft_id=1, version=1, title="T", prompt="p", tracks=tracks,
                    requested_count=len(tracks), provider="offline", catalogue="demo",
                    created_at=NOW, expires_at=NOW, strategy=strategy)


def test_the_json_names_the_arc_and_gives_each_tracks_known_features() -> None:
    known = Track(id="a" * 22, title="A", artists=("X",), energy=0.8, tempo=128.0)
    unknown = Track(id="b" * 22, title="B", artists=("Y",))
    data = playlist_json(playlist((known, unknown), Strategy(title="T", arc="workout")))
    assert data["arc"]["name"] == "workout"
    assert data["tracks"][0]["features"] == {"energy": 0.8, "tempo": 128.0}
    assert data["tracks"][1]["features"] == {}  # nothing said of what the dataset lacks


def test_a_plan_without_an_arc_is_reported_steady() -> None:
    data = playlist_json(playlist((), Strategy(title="T")))
    assert data["arc"] == {"name": "steady", "roughness": 0.0}

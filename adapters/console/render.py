"""Plain-text rendering of replies, for terminals and scripts."""

from __future__ import annotations

from typing import Any, assert_never

from core import wording
from core.arc import arc_for, roughness
from core.models import Health, LimitsStatus, Playlist, Track
from core.profile_edit import describe, describe_limits, describe_settings
from core.replies import (
    HealthReply,
    LimitsReply,
    PlaylistReply,
    ProfileReply,
    Reply,
    SettingsReply,
    TextReply,
    UrisReply,
)
from core.targets import TARGET_FEATURES, TargetFeature, feature_of
from core.text import displayable


def _duration(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def render_playlist(playlist: Playlist) -> str:
    # Names come from users, catalogues and models: a terminal must get no control codes.
    show = displayable
    head = wording.playlist_heading_draft(show(playlist.title), playlist.draft_id, playlist.version)
    lines = [head, wording.prompt_line(show(playlist.prompt))]
    if playlist.feedback:
        lines.append(wording.refined_with(show(playlist.feedback)))
    lines.append("")
    width = len(str(len(playlist.tracks)))
    for n, track in enumerate(playlist.tracks, 1):
        artists = show(", ".join(track.artists))
        length = f" [{_duration(track.duration_ms)}]" if track.duration_ms else ""
        lines.append(f"{n:>{width}}. {show(track.title)} - {artists}{length}  {track.url}")
    lines.append("")
    if playlist.note:
        lines.append(show(playlist.note))
    lines.append(wording.console_playlist_footer(len(playlist.tracks), playlist.provider,
                                                 playlist.catalogue))
    lines.append(wording.REFINE_IT_WITH())
    return "\n".join(lines)


def render_limits(status: LimitsStatus) -> str:
    return describe_limits(status, str)


def render_health(health: Health) -> str:
    lines = [f"{wording.OVERALL()} {wording.overall_state(health.ok)}"]
    for dep in health.dependencies:
        detail = " - " + dep.detail if dep.detail else ""
        lines.append(f"  {dep.name}: {wording.dependency_word(dep.ok)}{detail}")
    return "\n".join(lines)


def render_uris(playlist: Playlist) -> str:
    return "\n".join(track.uri for track in playlist.tracks)


def render_reply(reply: Reply) -> str:
    """Any reply as plain text; a new kind of reply is a type error until it is handled."""
    match reply:
        case TextReply(text=text, link=link):
            return f"{text}\n{link}" if link else text
        case PlaylistReply(playlist=playlist, share_url=share_url):
            text = render_playlist(playlist)
            return f"{text}\n{wording.playlist_page_line(share_url)}" if share_url else text
        case UrisReply(playlist=playlist, note=note):
            return "\n".join(part for part in (note, render_uris(playlist)) if part)
        case ProfileReply(profile=profile, heading=heading):
            return f"{heading}\n{describe(profile)}"
        case LimitsReply(status=status):
            return render_limits(status)
        case SettingsReply(settings=settings, where=where):
            return wording.limits_where(where, describe_settings(settings))
        case HealthReply(health=health):
            return render_health(health)
    assert_never(reply)


def track_features(track: Track) -> dict[TargetFeature, float]:
    """The audio features known for a track (the catalogue's, or the dataset's for it)."""
    known = {name: feature_of(track, name) for name in TARGET_FEATURES}
    return {name: round(value, 3) for name, value in known.items() if value is not None}


def playlist_json(playlist: Playlist) -> dict[str, Any]:
    """The JSON form printed by ``python -m bot generate --json``."""
    return {
        "draft_id": playlist.draft_id,
        "version": playlist.version,
        "title": playlist.title,
        "prompt": playlist.prompt,
        "tracks": [
            {
                "title": t.title,
                "artist": t.artist,
                "artists": list(t.artists),
                "album": t.album,
                "id": t.id,
                "uri": t.uri,
                "url": t.url,
                "duration_ms": t.duration_ms,
                "explicit": t.explicit,
                "genres": list(t.genres),
                "features": track_features(t),
            }
            for t in playlist.tracks
        ],
        "arc": {
            "name": arc_for(playlist.strategy),
            # mean jump between neighbours (energy, tempo, mood): lower is smoother
            "roughness": round(roughness([track_features(t) for t in playlist.tracks]), 3),
        },
        "provider": playlist.provider,
        "catalogue": playlist.catalogue,
        "count": len(playlist.tracks),
        "requested_count": playlist.requested_count,
        "note": playlist.note,
        "expires_at": playlist.expires_at.isoformat(),
    }

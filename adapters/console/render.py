"""Plain-text rendering of replies, for terminals and scripts."""

from __future__ import annotations

from typing import Any, assert_never

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
    head = f"{show(playlist.title)}  (draft {playlist.draft_id}"
    head += f", version {playlist.version})" if playlist.version > 1 else ")"
    lines = [head, f"Prompt: {show(playlist.prompt)}"]
    if playlist.feedback:
        lines.append(f"Refined with: {show(playlist.feedback)}")
    lines.append("")
    width = len(str(len(playlist.tracks)))
    for n, track in enumerate(playlist.tracks, 1):
        artists = show(", ".join(track.artists))
        length = f" [{_duration(track.duration_ms)}]" if track.duration_ms else ""
        lines.append(f"{n:>{width}}. {show(track.title)} - {artists}{length}  {track.url}")
    lines.append("")
    if playlist.note:
        lines.append(show(playlist.note))
    lines.append(
        f"{len(playlist.tracks)} tracks - planned by {playlist.provider}, "
        f"found on the {playlist.catalogue} catalogue."
    )
    lines.append("Refine it with: /refine <what to change>")
    return "\n".join(lines)


def render_limits(status: LimitsStatus) -> str:
    return describe_limits(status, str)


def render_health(health: Health) -> str:
    lines = [f"Overall: {'ok' if health.ok else 'degraded'}"]
    for dep in health.dependencies:
        lines.append(f"  {dep.name}: {'ok' if dep.ok else 'DOWN'}{' - ' + dep.detail if dep.detail else ''}")
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
            return f"{text}\nPlaylist page: {share_url}" if share_url else text
        case UrisReply(playlist=playlist, note=note):
            return "\n".join(part for part in (note, render_uris(playlist)) if part)
        case ProfileReply(profile=profile, heading=heading):
            return f"{heading}\n{describe(profile)}"
        case LimitsReply(status=status):
            return render_limits(status)
        case SettingsReply(settings=settings, where=where):
            return f"Limits in {where}: {describe_settings(settings)}"
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

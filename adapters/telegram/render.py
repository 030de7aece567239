"""Replies as Telegram HTML: every user- or Spotify-supplied string escaped, long texts split.

Telegram refuses messages over 4096 characters.  Each rendered line is complete HTML
(no tag spans two lines), so splitting on line boundaries never breaks markup.  We
count the HTML source in UTF-16 code units, which is never less than what Telegram
counts after parsing, so a chunk that fits here fits there.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from core.commands import Reply
from core.models import Health, LimitSettings, LimitsStatus, Playlist, Profile, Track
from core.profile_edit import describe, describe_limits
from core.text import displayable

MESSAGE_LIMIT = 4096
# Bounds for strings we did not write, so one line can never approach the limit.
MAX_FIELD = 300
_TAG = re.compile(r"<[^>]*>")


def esc(text: object, limit: int = MAX_FIELD) -> str:
    """Escapes text for Telegram HTML after bounding its length; @mentions are defused.

    A word joiner after "@" keeps "@someone" in a prompt or a track name from
    notifying (or linking to) that account.
    """
    value = displayable(str(text))  # no lone surrogates (unsendable), no bidi tricks
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return html.escape(value, quote=False).replace("@", "@\u2060")


def attr(value: str) -> str:
    """Escapes a value for an HTML attribute (quotes included)."""
    return html.escape(value, quote=True)


def tg_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _cut_plain(line: str, limit: int) -> list[str]:
    """Last resort for a single over-long line: drop markup, cut the escaped text safely."""
    plain = html.escape(html.unescape(_TAG.sub("", line)), quote=False)
    pieces: list[str] = []
    while plain:
        end = min(len(plain), limit)
        while tg_length(plain[:end]) > limit:
            end -= 1
        # Never cut inside an entity such as &amp;.
        amp = plain.rfind("&", max(0, end - 6), end)
        if amp != -1 and ";" not in plain[amp:end]:
            end = amp
        pieces.append(plain[:end])
        plain = plain[end:]
    return pieces


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Splits text into chunks of at most ``limit`` on line boundaries, never inside a tag."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        pieces = [line] if tg_length(line) <= limit else _cut_plain(line, limit)
        for piece in pieces:
            extra = tg_length(piece) + (1 if current else 0)
            if current and size + extra > limit:
                chunks.append("\n".join(current))
                current, size = [], 0
                extra = tg_length(piece)
            current.append(piece)
            size += extra
    if current:
        chunks.append("\n".join(current))
    # Blank edges are invisible and Telegram refuses an empty message.
    return [c.strip("\n") for c in chunks if c.strip()]


def pre_blocks(lines: Sequence[str], limit: int = MESSAGE_LIMIT, heading: str = "") -> list[str]:
    """Plain lines in monospace ``<pre>`` blocks, each message complete on its own."""
    wrapper = tg_length("<pre></pre>")
    messages: list[str] = []
    body: list[str] = []
    prefix = heading + "\n" if heading else ""
    size = tg_length(prefix) + wrapper
    for line in lines:
        escaped = esc(line)
        extra = tg_length(escaped) + (1 if body else 0)
        if body and size + extra > limit:
            messages.append(prefix + "<pre>" + "\n".join(body) + "</pre>")
            prefix, body, size = "", [], wrapper
            extra = tg_length(escaped)
        body.append(escaped)
        size += extra
    if body:
        messages.append(prefix + "<pre>" + "\n".join(body) + "</pre>")
    return messages


def _duration(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def track_line(n: int, track: Track) -> str:
    artists = esc(", ".join(track.artists))
    length = f" <i>{_duration(track.duration_ms)}</i>" if track.duration_ms else ""
    return f'{n}. <a href="{attr(track.url)}">{esc(track.title)}</a> — {artists}{length}'


def render_playlist(playlist: Playlist) -> str:
    """Title, prompt, numbered linked tracks, the honest note and who planned it."""
    head = f"<b>{esc(playlist.title)}</b>"
    if playlist.version > 1:
        head += f" <i>(version {playlist.version})</i>"
    lines = [head, f"Prompt: <i>{esc(playlist.prompt)}</i>"]
    if playlist.feedback:
        lines.append(f"Refined with: <i>{esc(playlist.feedback)}</i>")
    lines.append("")
    lines.extend(track_line(n, t) for n, t in enumerate(playlist.tracks, 1))
    lines.append("")
    if playlist.note:
        lines.append(esc(playlist.note))
    lines.append(
        f"{len(playlist.tracks)} tracks · planned by {esc(playlist.provider)} · "
        f"found in the {esc(playlist.catalogue)} catalogue"
    )
    return "\n".join(lines)


def render_uris(playlist: Playlist) -> list[str]:
    """The track URIs, ready to paste into a Spotify desktop playlist."""
    heading = (
        f"<b>{esc(playlist.title)}</b>: copy these and paste them into a playlist in the "
        "Spotify desktop app."
    )
    return pre_blocks([t.uri for t in playlist.tracks], heading=heading)


def render_limits(status: LimitsStatus) -> str:
    return describe_limits(status, lambda n: f"<b>{n}</b>")


def render_health(health: Health) -> str:
    lines = [f"<b>Overall:</b> {'ok' if health.ok else 'degraded'}"]
    for dep in health.dependencies:
        detail = f" — {esc(dep.detail)}" if dep.detail else ""
        lines.append(f"{esc(dep.name)}: {'ok' if dep.ok else '<b>DOWN</b>'}{detail}")
    return "\n".join(lines)


def render_profile(profile: Profile) -> str:
    return esc(describe(profile), limit=3000)


def render_settings(settings: LimitSettings, where: str = "this group") -> str:
    """A group's limits, as /settings shows them to its admins."""

    def switch(on: bool) -> str:
        return "on" if on else "off"

    return "\n".join([
        f"<b>Limits in {esc(where)}</b>",
        f"Daily playlist limit: {switch(settings.playlist_limit_enabled)}, "
        f"{settings.max_playlists_per_day} per user (<code>playlists=</code>, "
        "<code>playlist_limit=on|off</code>)",
        f"Refinement limit: {switch(settings.refinement_limit_enabled)}, "
        f"{settings.max_refinements_per_playlist} per playlist (<code>refinements=</code>, "
        "<code>refinement_limit=on|off</code>)",
        f"Max songs per playlist: {settings.max_songs} (<code>songs=</code>)",
        "",
        "Change with e.g. <code>/settings playlists=5 refinements=2 songs=30</code>, "
        "<code>/settings reset</code>, or <code>/settings spotify</code> to give this group "
        "its own Spotify app (in a private chat).",
    ])


def _text_lines(text: str) -> str:
    return "\n".join(esc(line, limit=MESSAGE_LIMIT) for line in text.split("\n"))


def render_reply(reply: Reply) -> str:
    """A command's reply as one HTML text (split it with ``split_html`` before sending)."""
    parts: list[str] = []
    if reply.text:
        text = _text_lines(reply.text)
        parts.append(f"⚠️ {text}" if reply.is_error else text)
    if reply.playlist is not None:
        parts.append(render_playlist(reply.playlist))
    if reply.profile is not None:
        parts.append(render_profile(reply.profile))
    if reply.limits is not None:
        parts.append(render_limits(reply.limits))
    if reply.health is not None:
        parts.append(render_health(reply.health))
    return "\n".join(parts)


def render_help(text: str, extra: Iterable[str] = ()) -> list[str]:
    """The shared help text in monospace, plus Telegram's own commands, as messages."""
    return pre_blocks([*text.split("\n"), *extra])

"""Replies as Telegram HTML: every user- or Spotify-supplied string escaped, long texts split.

Telegram refuses messages over 4096 characters.  Each rendered line is complete HTML
(no tag spans two lines), so splitting on line boundaries never breaks markup.  We
count the HTML source in UTF-16 code units, which is never less than what Telegram
counts after parsing, so a chunk that fits here fits there.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, assert_never

from core import wording
from core.display import duration, utf16_len
from core.models import Health, LimitSettings, Playlist, Track
from core.profile_edit import describe, describe_limits
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


def formatted(sentence: Callable[..., str], *parts: str) -> str:
    """A ``core.wording`` sentence as HTML: its own words escaped, ``parts`` (HTML we
    formatted: a bold title, a command in code) put in its slots as they are."""
    slots = [f"\x00{n}\x00" for n in range(len(parts))]
    text = html.escape(sentence(*slots), quote=False)
    for slot, part in zip(slots, parts, strict=True):
        text = text.replace(slot, part)
    return text


def attr(value: str) -> str:
    """Escapes a value for an HTML attribute (quotes included)."""
    return html.escape(value, quote=True)


def _cut_plain(line: str, limit: int) -> list[str]:
    """Last resort for a single over-long line: drop markup, cut the escaped text safely."""
    plain = html.escape(html.unescape(_TAG.sub("", line)), quote=False)
    pieces: list[str] = []
    while plain:
        end = min(len(plain), limit)
        while utf16_len(plain[:end]) > limit:
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
        pieces = [line] if utf16_len(line) <= limit else _cut_plain(line, limit)
        for piece in pieces:
            extra = utf16_len(piece) + (1 if current else 0)
            if current and size + extra > limit:
                chunks.append("\n".join(current))
                current, size = [], 0
                extra = utf16_len(piece)
            current.append(piece)
            size += extra
    if current:
        chunks.append("\n".join(current))
    # Blank edges are invisible and Telegram refuses an empty message.
    return [c.strip("\n") for c in chunks if c.strip()]


def pre_blocks(lines: Sequence[str], limit: int = MESSAGE_LIMIT, heading: str = "") -> list[str]:
    """Plain lines in monospace ``<pre>`` blocks, each message complete on its own."""
    wrapper = utf16_len("<pre></pre>")
    messages: list[str] = []
    body: list[str] = []
    prefix = heading + "\n" if heading else ""
    size = utf16_len(prefix) + wrapper
    for line in lines:
        escaped = esc(line)
        extra = utf16_len(escaped) + (1 if body else 0)
        if body and size + extra > limit:
            messages.append(prefix + "<pre>" + "\n".join(body) + "</pre>")
            prefix, body, size = "", [], wrapper
            extra = utf16_len(escaped)
        body.append(escaped)
        size += extra
    if body:
        messages.append(prefix + "<pre>" + "\n".join(body) + "</pre>")
    return messages


def track_line(n: int, track: Track) -> str:
    artists = esc(", ".join(track.artists))
    length = f" <i>{duration(track.duration_ms)}</i>" if track.duration_ms else ""
    return f'{n}. <a href="{attr(track.url)}">{esc(track.title)}</a> — {artists}{length}'


def render_playlist(playlist: Playlist, credits: Sequence[str] = (), summary: str = "") -> str:
    """Title, prompt, numbered linked tracks, the honest note and who planned it; a blend's
    ``credits`` (whose taste each track serves: plain names, no mention links) and its
    ``summary`` line."""
    head = f"<b>{esc(playlist.title)}</b>"
    if playlist.version > 1:
        head += f" <i>{esc(wording.version_tag(playlist.version))}</i>"
    lines = [head, formatted(wording.prompt_line, f"<i>{esc(playlist.prompt)}</i>")]
    if playlist.feedback:
        lines.append(formatted(wording.refined_with, f"<i>{esc(playlist.feedback)}</i>"))
    if summary:
        lines.append(f"👥 {esc(summary)}")
    lines.append("")
    for n, track in enumerate(playlist.tracks, 1):
        credit = credits[n - 1] if n <= len(credits) else ""
        lines.append(track_line(n, track) + (f" · <i>{esc(credit)}</i>" if credit else ""))
    lines.append("")
    if playlist.note:
        lines.append(esc(playlist.note))
    lines.append(esc(wording.chat_playlist_footer(len(playlist.tracks), playlist.provider,
                                                  playlist.catalogue)))
    return "\n".join(lines)


def render_uris(playlist: Playlist) -> list[str]:
    """The track URIs, ready to paste into a Spotify desktop playlist."""
    heading = formatted(wording.uris_heading, f"<b>{esc(playlist.title)}</b>")
    return pre_blocks([t.uri for t in playlist.tracks], heading=heading)


def render_health(health: Health) -> str:
    lines = [f"<b>{esc(wording.OVERALL())}</b> {esc(wording.overall_state(health.ok))}"]
    for dep in health.dependencies:
        detail = f" — {esc(dep.detail)}" if dep.detail else ""
        state = esc(wording.dependency_word(dep.ok))
        lines.append(f"{esc(dep.name)}: {state if dep.ok else f'<b>{state}</b>'}{detail}")
    return "\n".join(lines)


def render_settings(settings: LimitSettings, where: str | None = None) -> str:
    """A group's limits, as /settings shows them to its admins."""

    def code(*names: str) -> str:
        return ", ".join(f"<code>{name}</code>" for name in names)

    return "\n".join([
        f"<b>{esc(wording.settings_heading(where or wording.THIS_GROUP()))}</b>",
        formatted(lambda keys: wording.settings_playlist_limit(
            settings.playlist_limit_enabled, settings.max_playlists_per_day, keys),
            code("playlists=", "playlist_limit=on|off")),
        formatted(lambda keys: wording.settings_refinement_limit(
            settings.refinement_limit_enabled, settings.max_refinements_per_playlist, keys),
            code("refinements=", "refinement_limit=on|off")),
        formatted(lambda key: wording.settings_max_songs(settings.max_songs, key), code("songs=")),
        formatted(lambda keys: wording.settings_blends(
            settings.blends_enabled, settings.max_blend_members, keys),
            code("blends=on|off", "blend_members=")),
        "",
        formatted(wording.settings_how_to_change, code("/settings playlists=5 refinements=2 songs=30"),
                  code("/settings reset"), code("/settings spotify")),
    ])


def text_lines(text: str) -> str:
    """A plain text (a sentence from ``core.wording``, possibly quoting the user) as HTML."""
    return "\n".join(esc(line, limit=MESSAGE_LIMIT) for line in text.split("\n"))


def link(url: str, label: str) -> str:
    return f'<a href="{attr(url)}">{esc(label)}</a>'


# --- the reply union ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PlaylistButtons:
    """Refine / Regenerate / Save / URIs under ``playlist`` (keys made when sent)."""

    playlist: Playlist


@dataclass(frozen=True, slots=True)
class DeepLinkButton:
    """One button opening a private chat with the bot for ``kind`` (a fresh one-time payload)."""

    kind: Literal["link", "unlink", "app"]
    label: str


Buttons = PlaylistButtons | DeepLinkButton | None


@dataclass(frozen=True, slots=True)
class Rendered:
    """A reply as Telegram messages (each under the limit), and the buttons under the last."""

    messages: list[str] = field(default_factory=list)
    buttons: Buttons = None


def _text(reply: TextReply, *, group: bool) -> Rendered:
    body = text_lines(reply.text)
    if reply.link:
        label = reply.link_label or reply.link
        escaped = esc(label)
        # The label inside the sentence (a saved playlist's title) becomes the link itself.
        if reply.link_label and escaped in body:
            body = body.replace(escaped, link(reply.link, label), 1)
        else:
            body += "\n" + link(reply.link, label)
    if reply.error:
        body = "⚠️ " + body
    buttons: Buttons = None
    if reply.code == "not_linked" and group:
        buttons = DeepLinkButton("link", "🔗 " + wording.LINK_PRIVATELY())
    return Rendered(split_html(body), buttons)


def _playlist(reply: PlaylistReply) -> Rendered:
    text = render_playlist(reply.playlist, reply.credits, reply.summary)
    if reply.share_url:
        text += "\n🔗 " + formatted(wording.playlist_page,
                                    link(reply.share_url, wording.PLAYLIST_PAGE_LABEL()))
    return Rendered(split_html(text), PlaylistButtons(reply.playlist))


def render_reply(reply: Reply, *, group: bool = False) -> Rendered:
    """Any reply as Telegram HTML; a new kind of reply is a type error until it is handled.

    ``group`` says the reply goes to a group, where a private step (linking) needs a
    deep-link button.
    """
    match reply:
        case TextReply():
            return _text(reply, group=group)
        case PlaylistReply():
            return _playlist(reply)
        case UrisReply(playlist=playlist, note=note):
            return Rendered(([text_lines(note)] if note else []) + render_uris(playlist))
        case ProfileReply(profile=profile, heading=heading):
            return Rendered(split_html(f"<b>{esc(heading)}</b>\n" + text_lines(describe(profile))))
        case LimitsReply(status=status):
            return Rendered(split_html(describe_limits(status, lambda n: f"<b>{n}</b>")))
        case SettingsReply(settings=settings, where=where, changed=changed):
            text = render_settings(settings, where)
            return Rendered(split_html(f"{wording.SETTINGS_SAVED()}\n{text}" if changed else text))
        case HealthReply(health=health):
            return Rendered(split_html(render_health(health)))
    assert_never(reply)


def render_help(text: str, extra: Iterable[str] = ()) -> list[str]:
    """The shared help text in monospace, plus Telegram's own commands, as messages."""
    return pre_blocks([*text.split("\n"), *extra])

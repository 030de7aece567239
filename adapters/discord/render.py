"""Embeds for every answer, always within Discord's size limits.

Discord refuses a whole message when one limit is broken, so everything here is
measured before it is sent: 256 characters per title, 4096 per description, 25
fields of 1024 characters (names 256), 2048 per footer, 10 embeds and 6000
characters of embed text per message, 2000 characters of content.  Lengths are
counted in UTF-16 code units, as Discord's clients do, so an emoji counts twice
and a limit is never overshot.

Everything a user or the catalogue wrote (prompts, feedback, track and artist
names, profile entries) is escaped: markdown cannot restyle the message and a
name like ``@everyone`` is shown, never turned into a mention.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import assert_never

import discord

from core import wording
from core.display import utf16_len
from core.models import Health, LimitSettings, LimitsStatus, Playlist, Profile, Track
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

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_PER_EMBED = 25
FOOTER_LIMIT = 2048
EMBEDS_PER_MESSAGE = 10
EMBED_CHARS_PER_MESSAGE = 6000
CONTENT_LIMIT = 2000
LINK_BUTTON_URL_LIMIT = 512
BUTTON_LABEL_LIMIT = 80

SPOTIFY_GREEN = discord.Colour(0x1DB954)
ERROR_RED = discord.Colour(0xE03E3E)

# Track lines are clipped so a playlist of long names still reads as a list.
TRACK_TITLE_CLIP = 80
TRACK_ARTISTS_CLIP = 60
PROMPT_CLIP = 300

# Brackets are enough to stop a masked link; parentheses ("feat. X") stay readable.
_MARKDOWN = re.compile(r"([\\*_~|`>#\[\]<])")
_MENTION = re.compile(r"@(everyone|here|[!&]?[0-9]{15,21})")


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-16 units, with an ellipsis when it was cut.

    Never splits a surrogate pair; clip raw text *before* escaping it, so a cut
    cannot leave a dangling backslash.
    """
    if utf16_len(text) <= limit:
        return text
    out: list[str] = []
    used = 0
    for char in text:
        width = utf16_len(char)
        if used + width > limit - 1:
            break
        out.append(char)
        used += width
    return "".join(out).rstrip() + "…"


def neutralise_mentions(text: str) -> str:
    """``@everyone``, ``@here`` and id mentions shown as text (a zero-width space after @)."""
    return _MENTION.sub("@\u200b\\1", text)


def escape(text: str) -> str:
    """Markdown and mentions of untrusted text made inert (and bidi controls removed)."""
    return neutralise_mentions(_MARKDOWN.sub(r"\\\1", displayable(text)))


def embed_chars(embed: discord.Embed) -> int:
    """The characters of an embed that count towards the 6000 per message."""
    total = utf16_len(embed.title or "") + utf16_len(embed.description or "")
    total += utf16_len(embed.footer.text or "") + utf16_len(embed.author.name or "")
    for f in embed.fields:
        total += utf16_len(f.name or "") + utf16_len(f.value or "")
    return total


def track_line(number: int, track: Track) -> str:
    """``12. [Title](link) — Artist, Artist`` with both names clipped and escaped."""
    title = escape(clip(track.title, TRACK_TITLE_CLIP))
    artists = escape(clip(", ".join(track.artists) or wording.UNKNOWN_ARTIST(), TRACK_ARTISTS_CLIP))
    return f"`{number}.` [{title}]({track.url}) — {artists}"


@dataclass
class _Message:
    embeds: list[discord.Embed] = field(default_factory=list)
    chars: int = 0


class _Packer:
    """Fills descriptions, then fields, then more embeds, then more messages.

    Every message keeps ``reserve`` characters free for the footer that the last
    embed of the last message gets.
    """

    def __init__(self, title: str, continued_title: str, reserve: int) -> None:
        self.title = title
        self.continued_title = continued_title
        self.reserve = reserve
        self.messages: list[_Message] = []
        self.field_first: list[int] = []  # first track number of each open field
        self._new_message(title, "")

    # -- containers --------------------------------------------------------------
    def _new_message(self, title: str, description: str) -> None:
        self.messages.append(_Message())
        self._new_embed(title, description)

    def _new_embed(self, title: str, description: str) -> None:
        message = self.messages[-1]
        embed = discord.Embed(title=title, description=description or None, colour=SPOTIFY_GREEN)
        message.embeds.append(embed)
        message.chars += utf16_len(title) + utf16_len(description)

    @property
    def _embed(self) -> discord.Embed:
        return self.messages[-1].embeds[-1]

    def _room(self, cost: int) -> bool:
        return self.messages[-1].chars + cost + self.reserve <= EMBED_CHARS_PER_MESSAGE

    # -- placing text ---------------------------------------------------------------
    def add_header(self, text: str) -> None:
        """Text for the top of the first embed (fits: callers clip it)."""
        self._embed.description = text
        self.messages[-1].chars += utf16_len(text)

    def add_line(self, line: str, label: int) -> None:
        cost = utf16_len(line) + 1
        embed = self._embed
        description = embed.description or ""
        if not embed.fields and utf16_len(description) + cost <= DESCRIPTION_LIMIT and self._room(cost):
            embed.description = f"{description}\n{line}" if description else line
            self.messages[-1].chars += cost
            return
        if embed.fields:
            last = embed.fields[-1]
            value = last.value or ""
            if utf16_len(value) + cost <= FIELD_VALUE_LIMIT and self._room(cost):
                self._set_field(len(embed.fields) - 1, f"{value}\n{line}", label)
                self.messages[-1].chars += cost
                return
        name_reserve = utf16_len(wording.tracks_label(100, 100))
        if len(embed.fields) < FIELDS_PER_EMBED and self._room(name_reserve + cost):
            self.field_first.append(label)
            embed.add_field(name=self._field_name(label, label), value=line, inline=False)
            self.messages[-1].chars += name_reserve + cost
            return
        title = clip(self.continued_title, TITLE_LIMIT)
        if len(self.messages[-1].embeds) < EMBEDS_PER_MESSAGE and self._room(utf16_len(title) + cost):
            self._new_embed(title, line)
            return
        self._new_message(title, line)

    def _field_name(self, first: int, last: int) -> str:
        return wording.tracks_label(first, last)

    def _set_field(self, index: int, value: str, label: int) -> None:
        first = self.field_first[-1]
        self._embed.set_field_at(index, name=self._field_name(first, label), value=value, inline=False)


def _footer(playlist: Playlist) -> str:
    parts = wording.draft_footer(
        playlist.draft_id, playlist.version, len(playlist.tracks), playlist.provider,
        playlist.catalogue, f"{playlist.expires_at:%Y-%m-%d %H:%M}",
    )
    return clip(" · ".join(parts), FOOTER_LIMIT)


def playlist_messages(
    playlist: Playlist, *, share_url: str | None = None, credits: Sequence[str] = (),
    summary: str = "",
) -> list[list[discord.Embed]]:
    """The playlist as one or more messages of embeds, each within every limit.

    The first embed has the title, the prompt, the link to the playlist's page (when
    ``share_url`` is given) and the album art; tracks fill its description, then fields,
    then further embeds and messages; the last embed carries the footer (draft, provider,
    catalogue, expiry).  A blend's ``credits`` (whose taste each track serves, as plain
    names: never mentions) follow each track, its ``summary`` the header.
    """
    # Titles render no markdown but are still someone else's text (a model's): no mention-like
    # text, no bidi trickery.
    shown = neutralise_mentions(displayable(playlist.title)) or wording.UNTITLED_PLAYLIST()
    title = clip(shown, TITLE_LIMIT)
    footer = _footer(playlist)
    packer = _Packer(title, clip(wording.continued(shown), TITLE_LIMIT), reserve=utf16_len(footer))
    header = [f"> {escape(clip(playlist.prompt, PROMPT_CLIP))}"]
    if playlist.feedback:
        header.append(wording.refined_with(f"*{escape(clip(playlist.feedback, PROMPT_CLIP))}*"))
    if playlist.note:
        header.append(f"*{escape(clip(playlist.note, PROMPT_CLIP))}*")
    if share_url and utf16_len(share_url) <= LINK_BUTTON_URL_LIMIT:
        # Our own URL (PUBLIC_BASE_URL + a URL-safe id): nothing in it to escape.
        header.append(f"🔗 [{wording.PLAYLIST_PAGE_LABEL()}]({share_url}) — "
                      f"{wording.PLAYLIST_PAGE_BLURB()}")
    if summary:
        header.append(f"👥 {escape(clip(summary, PROMPT_CLIP))}")
    packer.add_header("\n".join(header) + "\n")
    for number, track in enumerate(playlist.tracks, 1):
        credit = credits[number - 1] if number <= len(credits) else ""
        line = track_line(number, track)
        if credit:
            line += f" · *{escape(clip(credit, TRACK_ARTISTS_CLIP))}*"
        packer.add_line(line, number)
    first = packer.messages[0].embeds[0]
    art = next((t.image_url for t in playlist.tracks if t.image_url), None)
    if art and art.startswith(("https://", "http://")):
        first.set_thumbnail(url=art)
    last = packer.messages[-1].embeds[-1]
    last.set_footer(text=footer)
    last.timestamp = playlist.created_at
    return [m.embeds for m in packer.messages]


def uri_messages(playlist: Playlist) -> list[list[discord.Embed]]:
    """The ``spotify:track:`` URIs in code blocks, to paste into Spotify desktop."""
    title = clip(wording.uris_title(playlist.title), TITLE_LIMIT)
    hint = wording.URIS_HINT()
    blocks: list[list[str]] = [[]]
    room = DESCRIPTION_LIMIT - utf16_len("```\n\n```")
    used = 0
    for track in playlist.tracks:
        cost = utf16_len(track.uri) + 1
        if blocks[-1] and used + cost > room:
            blocks.append([])
            used = 0
        blocks[-1].append(track.uri)
        used += cost
    messages: list[list[discord.Embed]] = [[]]
    chars = 0
    for n, block in enumerate(blocks):
        text = "```\n" + "\n".join(block) + "\n```"
        name = title if n == 0 else clip(wording.continued(playlist.title), TITLE_LIMIT)
        cost = utf16_len(text) + utf16_len(name) + utf16_len(hint)
        if messages[-1] and (chars + cost > EMBED_CHARS_PER_MESSAGE
                             or len(messages[-1]) >= EMBEDS_PER_MESSAGE):
            messages.append([])
            chars = 0
        messages[-1].append(discord.Embed(title=name, description=text, colour=SPOTIFY_GREEN))
        chars += utf16_len(text) + utf16_len(name)
    messages[-1][-1].set_footer(text=hint)
    return messages


def profile_embed(profile: Profile, *, heading: str | None = None) -> discord.Embed:
    """The profile, one line per field, with the user's entries escaped."""
    embed = discord.Embed(title=heading or wording.PROFILE_SHOWN(), colour=SPOTIFY_GREEN)
    lines = [escape(line) for line in describe(profile).splitlines()]
    embed.description = clip("\n".join(lines), DESCRIPTION_LIMIT)
    embed.set_footer(text=wording.PROFILE_FOOTER())
    return embed


def _when(moment: datetime) -> str:
    """A Discord timestamp: each reader sees it in their own time zone."""
    return f"<t:{int(moment.timestamp())}:t> (<t:{int(moment.timestamp())}:R>)"


def _bold(text: str) -> str:
    return f"**{text}**"


def limits_embed(status: LimitsStatus) -> discord.Embed:
    """Playlists and refinements left, and when the daily count resets: ``describe_limits``'s
    sentence, with the numbers left in bold and the reset time in the reader's time zone."""
    embed = discord.Embed(title=wording.LIMITS_TITLE(), colour=SPOTIFY_GREEN)
    embed.description = clip(describe_limits(status, _bold, _when), DESCRIPTION_LIMIT)
    return embed


def health_embed(health: Health) -> discord.Embed:
    """Each dependency with a tick or a cross."""
    embed = discord.Embed(
        title=wording.status_title(health.ok), colour=SPOTIFY_GREEN if health.ok else ERROR_RED
    )
    for dep in health.dependencies:
        state = wording.dependency_state(dep.ok)
        detail = f" ({escape(clip(dep.detail, 200))})" if dep.detail else ""
        embed.add_field(name=clip(dep.name, FIELD_NAME_LIMIT), value=state + detail, inline=True)
    return embed


def limit_settings_embed(settings: LimitSettings, *, where: str, changed: bool) -> discord.Embed:
    """A server's limits as an admin sets them, shown back after every change."""
    title = wording.settings_title(where, changed)
    embed = discord.Embed(title=clip(title, TITLE_LIMIT), colour=SPOTIFY_GREEN)

    state = wording.limit_state
    embed.add_field(
        name=wording.SETTING_DAILY_PLAYLISTS(),
        value=state(settings.playlist_limit_enabled, settings.max_playlists_per_day,
                    wording.PER_DAY()),
        inline=False,
    )
    embed.add_field(
        name=wording.SETTING_REFINEMENTS(),
        value=state(settings.refinement_limit_enabled, settings.max_refinements_per_playlist,
                    wording.PER_PLAYLIST()),
        inline=False,
    )
    embed.add_field(name=wording.SETTING_MAX_SONGS(), value=str(settings.max_songs), inline=False)
    embed.add_field(name=wording.SETTING_BLENDS(),
                    value=wording.blend_state(settings.blends_enabled, settings.max_blend_members),
                    inline=False)
    embed.set_footer(text=wording.SETTINGS_FOOTER())
    return embed


@dataclass(frozen=True)
class Rendered:
    """A reply as Discord shows it: content, messages of embeds, and what goes under it.

    ``link`` is a (URL, label) for a link button; ``buttons`` the (draft id, version) whose
    playlist buttons go under the last message.  Sending is the caller's (it knows whether
    the answer is public or private).
    """

    content: str | None = None
    messages: list[list[discord.Embed]] = field(default_factory=list)
    link: tuple[str, str] | None = None
    buttons: tuple[int, int] | None = None
    error: bool = False


def render(reply: Reply) -> Rendered:
    """Every kind of reply, rendered in one place (mypy checks none is forgotten)."""
    match reply:
        case TextReply(text=text, error=error, link=link, link_label=label):
            return Rendered(content_text(text), error=error,
                            link=(link, label or link) if link else None)
        case PlaylistReply(playlist=playlist, share_url=share_url, credits=credits,
                           summary=summary):
            return Rendered(messages=playlist_messages(playlist, share_url=share_url,
                                                       credits=credits, summary=summary),
                            buttons=(playlist.draft_id, playlist.version))
        case UrisReply(playlist=playlist, note=note):
            return Rendered(content_text(note) if note else None, uri_messages(playlist))
        case ProfileReply(profile=profile, heading=heading):
            return Rendered(messages=[[profile_embed(profile, heading=heading)]])
        case LimitsReply(status=status):
            return Rendered(messages=[[limits_embed(status)]])
        case SettingsReply(settings=settings, where=where, changed=changed):
            return Rendered(messages=[[limit_settings_embed(settings, where=where,
                                                            changed=changed)]])
        case HealthReply(health=health):
            return Rendered(messages=[[health_embed(health)]])
        case _:
            assert_never(reply)


def reply_content(reply: Reply) -> tuple[str | None, list[discord.Embed]]:
    """A reply as one message's content and embeds (an unprompted message, e.g. "linked")."""
    shown = render(reply)
    embeds = shown.messages[0] if shown.messages else []
    return shown.content, embeds[:EMBEDS_PER_MESSAGE]


def content_text(text: str) -> str:
    """Our own sentence (possibly quoting user input) fit for message content."""
    return clip(neutralise_mentions(text), CONTENT_LIMIT)


def total_chars(embeds: Iterable[discord.Embed]) -> int:
    return sum(embed_chars(e) for e in embeds)


def flatten(messages: Sequence[Sequence[discord.Embed]]) -> list[discord.Embed]:
    return [e for m in messages for e in m]

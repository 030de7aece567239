"""Hostile names and prompts through the real renderers of Telegram, Discord, the console and
the web: nothing crashes, every message stays within the platform's limits, and what a user
or a catalogue wrote is shown as text, never as markup, a link, a mention or a terminal code.

Telegram HTML is checked with the fake Bot API's parser, which follows Telegram's rules (an
unknown tag or a bad entity is a refused message).  Strings here are what can reach a
renderer: the boundaries (input guard, strategy parser, catalogue adapters) keep lone
surrogates out, which ``test_hostile_boundaries.py`` proves.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import discord
from hypothesis import given
from hypothesis import strategies as st

from adapters.console.render import render_playlist as console_playlist
from adapters.discord import render as discord_render
from adapters.telegram import render as telegram_render
from adapters.web.server import callback_page
from core.display import utf16_len as discord_utf16_len
from core.models import LinkOutcome, Playlist, Strategy, Track
from core.replies import PlaylistReply
from core.text import displayable
from tests.fakes.telegram_server import MESSAGE_LIMIT, parse_html, utf16_len
from tests.hostile.strategies import PAYLOADS

NOW = datetime(2026, 5, 9, 12, 0, tzinfo=UTC)


def valid_text(max_size: int = 200) -> st.SearchStrategy[str]:
    """Any valid unicode text (no lone surrogates), payloads woven in."""
    chars = st.characters(codec="utf-8", categories=None)
    pieces = st.one_of(st.sampled_from([p for p in PAYLOADS if _encodable(p)]),
                       st.text(chars, max_size=40))
    return st.one_of(st.lists(pieces, min_size=1, max_size=5).map(" ".join),
                     st.text(chars, max_size=max_size))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def playlist(title: str, artist: str, prompt: str, feedback: str | None = None,
             n: int = 3) -> Playlist:
    tracks = tuple(
        Track(id=f"{k:022d}", title=f"{title} {k}" if k else title, artists=(artist, "Second"),
              album=title, duration_ms=200_000)
        for k in range(n)
    )
    return Playlist(
        draft_id=7, version=2 if feedback else 1, title=title, prompt=prompt, tracks=tracks,
        requested_count=n, provider="offline", catalogue="demo", created_at=NOW,
        expires_at=NOW + timedelta(hours=72), strategy=Strategy(title=title), feedback=feedback,
        note=f"note about {title}",
    )


# --- Telegram ----------------------------------------------------------------------------
@given(title=valid_text(), artist=valid_text(), prompt=valid_text(), feedback=valid_text())
def test_telegram_html_always_parses_and_links_only_to_spotify(
    title: str, artist: str, prompt: str, feedback: str
) -> None:
    rendered = telegram_render.render_reply(PlaylistReply(playlist(title, artist, prompt, feedback)))
    visible = []
    for chunk in rendered.messages:  # the messages as sent, each split to Telegram's limit
        text, links = parse_html(chunk)  # raises on anything Telegram would refuse
        assert 0 < utf16_len(text) <= MESSAGE_LIMIT
        assert all(link.startswith("https://open.spotify.com/track/") for link in links), links
        visible.append(text)
    shown = "\n".join(visible)
    # Each user string is shown as text (bounded, "@" defused by a word joiner).
    for raw in (title, artist):
        expected = telegram_render.esc(raw)
        assert html.unescape(expected) in shown or len(raw) > telegram_render.MAX_FIELD
    assert not re.search(r"@(everyone|here)\b", shown)


@given(text=valid_text(400))
def test_telegram_escaping_shows_exactly_the_text(text: str) -> None:
    escaped = telegram_render.esc(text, limit=10_000)
    shown, links = parse_html(f"<b>{escaped}</b>.")
    assert links == []
    assert shown == displayable(text).replace("@", "@\u2060") + "."


# --- Discord -----------------------------------------------------------------------------
_MARKUP = set("\\*_~|`>#[]<")


def _unescaped_markup(text: str) -> list[str]:
    """Markdown characters not preceded by a backslash."""
    found, escaped = [], False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in _MARKUP:
            found.append(char)
    return found


@given(text=valid_text(400))
def test_discord_escaping_leaves_no_markdown_link_or_mention(text: str) -> None:
    escaped = discord_render.escape(text)
    assert _unescaped_markup(escaped) == []
    assert not re.search(r"@(everyone|here)", escaped)
    assert not re.search(r"<@[!&]?\d", escaped)


def _embed_texts(embed: discord.Embed) -> list[str]:
    texts = [embed.title or "", embed.description or "", embed.footer.text or ""]
    for f in embed.fields:
        texts += [f.name or "", f.value or ""]
    return texts


@given(title=valid_text(), artist=valid_text(), prompt=valid_text(), feedback=valid_text(),
       n=st.integers(1, 60))
def test_discord_playlist_embeds_stay_within_every_limit_and_link_only_to_spotify(
    title: str, artist: str, prompt: str, feedback: str, n: int
) -> None:
    messages = discord_render.playlist_messages(playlist(title, artist, prompt, feedback, n))
    for embeds in messages:
        assert 1 <= len(embeds) <= discord_render.EMBEDS_PER_MESSAGE
        assert sum(discord_render.embed_chars(e) for e in embeds) <= discord_render.EMBED_CHARS_PER_MESSAGE
        for embed in embeds:
            assert discord_utf16_len(embed.title or "") <= discord_render.TITLE_LIMIT
            assert discord_utf16_len(embed.description or "") <= discord_render.DESCRIPTION_LIMIT
            assert len(embed.fields) <= discord_render.FIELDS_PER_EMBED
            for text in _embed_texts(embed):
                assert not re.search(r"@(everyone|here)", text)
            for text in _embed_texts(embed)[1:]:  # titles render no links
                for target in re.findall(r"(?<!\\)\]\(([^)]*)\)", text):
                    assert target.startswith("https://open.spotify.com/track/"), target


# --- the console ---------------------------------------------------------------------------
@given(title=valid_text(), artist=valid_text(), prompt=valid_text(), feedback=valid_text())
def test_the_console_prints_no_terminal_control_codes(
    title: str, artist: str, prompt: str, feedback: str
) -> None:
    text = console_playlist(playlist(title, artist, prompt, feedback))
    bad = [c for c in text if (c != "\n" and unicodedata.category(c) == "Cc")
           or "\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069"]
    assert not bad, [hex(ord(c)) for c in bad[:5]]


# --- the web -------------------------------------------------------------------------------
class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parsed(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


@given(message=valid_text(400).map(lambda text: f"Linking didn't work: {text}"), ok=st.booleans())
def test_the_callback_page_shows_any_message_as_text(message: str, ok: bool) -> None:
    page = _parsed(callback_page(LinkOutcome(ok, message)))
    plain = _parsed(callback_page(LinkOutcome(ok, "plain words")))
    assert page.tags == plain.tags  # the message added no tag and no attribute
    assert "".join(message.split()) in "".join("".join(page.text).split())

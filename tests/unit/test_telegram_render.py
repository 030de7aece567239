"""Telegram HTML: everything we did not write is escaped, and long texts split into valid messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.telegram.admin import apply_limit_changes
from adapters.telegram.render import (
    MESSAGE_LIMIT,
    DeepLinkButton,
    PlaylistButtons,
    esc,
    formatted,
    pre_blocks,
    render_playlist,
    render_reply,
    split_html,
)
from core.display import utf16_len as tg_length
from core.errors import InvalidInput
from core.models import LimitSettings, Playlist, Strategy, Track
from core.replies import PlaylistReply, TextReply
from tests.fakes.telegram_server import parse_html

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def track(n: int, title: str = "Song", artist: str = "Artist") -> Track:
    return Track(id=f"{n:022d}", title=title, artists=(artist,), duration_ms=201_000)


def playlist(tracks: list[Track], title: str = "Calm Jazz", prompt: str = "calm jazz") -> Playlist:
    return Playlist(
        draft_id=7, version=1, title=title, prompt=prompt, tracks=tuple(tracks),
        requested_count=len(tracks), provider="offline", catalogue="demo", created_at=NOW,
        expires_at=NOW + timedelta(hours=1), strategy=Strategy(title=title),
    )


def test_markup_in_a_prompt_and_in_track_names_is_shown_literally() -> None:
    evil = playlist(
        [track(1, "<b>bold</b> & <script>alert(1)</script>", 'AC/DC "<i>"')],
        title="</b><a href='x'>", prompt="<pre>relaxing & jazz",
    )
    visible, links = parse_html(render_playlist(evil))
    assert "<b>bold</b> & <script>alert(1)</script>" in visible
    assert 'AC/DC "<i>"' in visible
    assert "</b><a href='x'>" in visible
    assert "<pre>relaxing & jazz" in visible
    assert links == ["https://open.spotify.com/track/0000000000000000000001"]


def test_an_at_sign_cannot_mention_anyone() -> None:
    visible, _ = parse_html(esc("for @everyone and @alice"))
    assert "@everyone" not in visible and "@alice" not in visible
    assert visible.replace("\u2060", "") == "for @everyone and @alice"


def test_a_hundred_track_playlist_splits_on_line_boundaries_under_the_limit() -> None:
    long_title = "A Very Long Song Title That Goes On " * 6
    big = playlist([track(n, f"{long_title}{n}", f"Artist {n}") for n in range(1, 101)])
    chunks = split_html(render_playlist(big))
    assert len(chunks) > 1
    numbered: list[str] = []
    for chunk in chunks:
        visible, _ = parse_html(chunk)  # every chunk is valid HTML on its own
        assert tg_length(visible) <= MESSAGE_LIMIT
        numbered += [line for line in visible.split("\n") if line.split(". ", 1)[0].isdigit()]
    assert [line.split(".", 1)[0] for line in numbered] == [str(n) for n in range(1, 101)]


def test_a_line_longer_than_a_message_is_cut_without_breaking_entities() -> None:
    text = "&amp;" * 2000
    chunks = split_html(text, limit=1000)
    assert all(tg_length(c) <= 1000 for c in chunks)
    assert "".join(parse_html(c)[0] for c in chunks) == "&" * 2000


def test_split_counts_utf16_units_like_telegram() -> None:
    emoji_lines = "\n".join("🎷" * 100 for _ in range(30))  # 200 UTF-16 units per line
    chunks = split_html(emoji_lines)
    assert all(tg_length(c) <= MESSAGE_LIMIT for c in chunks)
    assert sum(c.count("🎷") for c in chunks) == 3000


def test_uri_blocks_are_complete_messages_under_the_limit() -> None:
    uris = [f"spotify:track:{n:022d}" for n in range(300)]
    blocks = pre_blocks(uris, heading="<b>Title</b>")
    assert len(blocks) > 1
    seen: list[str] = []
    for block in blocks:
        visible, _ = parse_html(block)
        assert tg_length(visible) <= MESSAGE_LIMIT
        seen += [line for line in visible.split("\n") if line.startswith("spotify:")]
    assert seen == uris


def test_error_replies_are_escaped_too() -> None:
    [message] = render_reply(TextReply("Unknown command /<b>. Type /help.", error=True)).messages
    visible, _ = parse_html(message)
    assert "Unknown command /<b>." in visible


def test_limit_changes_read_numbers_and_switches() -> None:
    changed = apply_limit_changes(LimitSettings(), "playlists=5 refinements=1 songs=30 "
                                                  "playlist_limit=off refinement_limit=on")
    assert changed == LimitSettings(playlist_limit_enabled=False, max_playlists_per_day=5,
                                    refinement_limit_enabled=True, max_refinements_per_playlist=1,
                                    max_songs=30)


@pytest.mark.parametrize("args", ["playlists=many", "songs=-3", "colour=blue", "playlist_limit=maybe"])
def test_bad_limit_changes_are_refused_with_a_reason(args: str) -> None:
    with pytest.raises(InvalidInput):
        apply_limit_changes(LimitSettings(), args)


def test_a_sentence_is_escaped_around_the_html_put_in_its_slots() -> None:
    def sentence(title: str) -> str:
        return f"Tom & Jerry <3 {title}."

    shown = formatted(sentence, "<b>Calm &amp; Jazz</b>")
    assert shown == "Tom &amp; Jerry &lt;3 <b>Calm &amp; Jazz</b>."
    assert parse_html(shown)[0] == "Tom & Jerry <3 Calm & Jazz."


def test_a_reply_link_becomes_the_label_in_its_sentence() -> None:
    reply = TextReply("Saved Calm <Jazz> to your Spotify.",
                      link="https://open.spotify.com/playlist/1", link_label="Calm <Jazz>")
    [message] = render_reply(reply).messages
    visible, links = parse_html(message)
    assert visible == "Saved Calm <Jazz> to your Spotify."
    assert links == ["https://open.spotify.com/playlist/1"]


def test_not_linked_in_a_group_offers_the_private_link_button_and_privately_nothing() -> None:
    reply = TextReply("Link your Spotify account first: /link", error=True, code="not_linked")
    in_group = render_reply(reply, group=True)
    assert isinstance(in_group.buttons, DeepLinkButton) and in_group.buttons.kind == "link"
    assert render_reply(reply).buttons is None
    assert in_group.messages[0].startswith("⚠️ ")


def test_a_playlist_reply_carries_its_buttons_and_its_page_line() -> None:
    shown = playlist([track(1)])
    rendered = render_reply(PlaylistReply(shown, share_url="https://bot.example.org/p/abc"))
    assert rendered.buttons == PlaylistButtons(shown)
    visible, links = parse_html("\n".join(rendered.messages))
    assert "Open the playlist page" in visible and "https://bot.example.org/p/abc" in links

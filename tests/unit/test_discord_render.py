"""Discord rendering: escaping, clipping and packing within every size limit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import discord

from adapters.discord import render
from adapters.discord.answer import ProgressDisplay
from adapters.discord.commands import genre_choices
from adapters.discord.views import modal_feedback
from core import wording
from core.display import utf16_len
from core.models import (
    DependencyStatus,
    Health,
    LimitSettings,
    LimitsStatus,
    Playlist,
    Profile,
    Strategy,
    Track,
)
from core.profile_edit import describe_limits
from core.replies import (
    HealthReply,
    LimitsReply,
    PlaylistReply,
    ProfileReply,
    SettingsReply,
    TextReply,
    UrisReply,
)

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _playlist(tracks: list[Track], *, title: str = "Late Night Jazz", prompt: str = "late jazz") -> Playlist:
    return Playlist(
        draft_id=7, version=1, title=title, prompt=prompt, tracks=tuple(tracks),
        requested_count=len(tracks), provider="offline", catalogue="demo", created_at=NOW,
        expires_at=NOW + timedelta(hours=72), strategy=Strategy(title=title),
    )


def _track(n: int, title: str, artists: tuple[str, ...] = ("Artist",), **extra: object) -> Track:
    return Track(id=f"{n:022d}", title=title, artists=artists, **extra)  # type: ignore[arg-type]


def _limits_hold(messages: list[list[discord.Embed]]) -> None:
    for embeds in messages:
        assert 1 <= len(embeds) <= render.EMBEDS_PER_MESSAGE
        assert render.total_chars(embeds) <= render.EMBED_CHARS_PER_MESSAGE
        for embed in embeds:
            assert utf16_len(embed.title or "") <= render.TITLE_LIMIT
            assert utf16_len(embed.description or "") <= render.DESCRIPTION_LIMIT
            assert len(embed.fields) <= render.FIELDS_PER_EMBED
            for f in embed.fields:
                assert utf16_len(f.name or "") <= render.FIELD_NAME_LIMIT
                assert utf16_len(f.value or "") <= render.FIELD_VALUE_LIMIT
            assert utf16_len(embed.footer.text or "") <= render.FOOTER_LIMIT


def test_escape_shows_markdown_literally_and_neutralises_mentions() -> None:
    text = render.escape("**loud** _x_ `y` ~~z~~ ||s|| > q # h [a](b) <@123456789012345678> @everyone @here")

    assert text == (
        r"\*\*loud\*\* \_x\_ \`y\` \~\~z\~\~ \|\|s\|\| \> q \# h \[a\](b) "
        "\\<@\u200b123456789012345678\\> @\u200beveryone @\u200bhere"
    )


def test_clip_counts_like_discord_and_never_splits_an_emoji() -> None:
    assert utf16_len("🎷") == 2
    clipped = render.clip("🎷" * 10, 7)
    assert clipped == "🎷🎷🎷…" and utf16_len(clipped) == 7
    assert render.clip("short", 10) == "short"


def test_a_hundred_tracks_of_emoji_and_long_names_fit_every_limit_in_order() -> None:
    tracks = [
        _track(n, f"{n} " + "🎺 Ünïcødé *title* " * 20, tuple(f"Artist {n}-{k} " * 10 for k in range(4)),
               image_url="https://i.scdn.co/image/abc" if n == 3 else None)
        for n in range(1, 101)
    ]
    messages = render.playlist_messages(_playlist(tracks, title="T" * 400, prompt="p" * 600))

    _limits_hold(messages)
    lines = [line for embeds in messages for e in embeds
             for text in [e.description or "", *(f.value or "" for f in e.fields)]
             for line in text.splitlines() if line.startswith("`")]
    assert [int(line[1:line.index(".")]) for line in lines] == list(range(1, 101))
    first, last = messages[0][0], messages[-1][-1]
    assert first.thumbnail.url == "https://i.scdn.co/image/abc"
    assert last.footer.text is not None and last.footer.text.startswith("Draft 7 · 100 tracks")
    assert all(e.footer.text is None for embeds in messages for e in embeds if e is not last)


def test_a_short_playlist_is_one_embed_with_the_prompt_quoted() -> None:
    messages = render.playlist_messages(_playlist([_track(1, "So What", ("Miles Davis",))]))

    (embeds,) = messages
    (embed,) = embeds
    assert embed.description == (
        "> late jazz\n\n`1.` [So What](https://open.spotify.com/track/0000000000000000000001) — Miles Davis"
    )


def test_uris_for_a_hundred_tracks_are_one_private_message() -> None:
    tracks = [_track(n, f"Song {n}") for n in range(1, 101)]
    messages = render.uri_messages(_playlist(tracks))

    _limits_hold(messages)
    (embeds,) = messages
    block = "".join(e.description or "" for e in embeds)
    assert block.count("spotify:track:") == 100


def test_reply_content_never_pings() -> None:
    content, embeds = render.reply_content(TextReply("hi @everyone"))

    assert content == "hi @\u200beveryone" and embeds == []


def test_genre_choices_complete_the_last_item_and_skip_chosen_ones() -> None:
    values = [c.value for c in genre_choices("soul, jazz, hop")]

    assert values == ["soul, jazz, hip-hop", "soul, jazz, trip-hop"]
    assert [c.value for c in genre_choices("jazz, ja")] == []
    assert len(genre_choices("")) == 25


def test_modal_feedback_reads_label_and_action_row_layouts() -> None:
    label = {"components": [{"type": 18, "component": {"type": 4, "custom_id": "feedback",
                                                       "value": "more bass"}}]}
    row = {"components": [{"type": 1, "components": [{"type": 4, "custom_id": "feedback",
                                                      "value": "less bass"}]}]}

    assert modal_feedback(label) == "more bass"
    assert modal_feedback(row) == "less bass"
    assert modal_feedback({"components": []}) == ""


async def test_progress_shows_only_the_latest_text_and_close_waits_for_an_edit() -> None:
    shown: list[str] = []
    gate = asyncio.Event()

    async def edit(text: str) -> None:
        await gate.wait()
        shown.append(text)

    display = ProgressDisplay(edit, interval_s=0)
    display.show("searching 1/9")
    await asyncio.sleep(0)
    for n in range(2, 10):
        display.show(f"searching {n}/9")
    closing = asyncio.create_task(display.close())
    await asyncio.sleep(0.01)
    assert not closing.done()  # an edit is in flight: close waits for it
    gate.set()
    await closing
    assert shown == ["searching 1/9"]
    display.show("too late")
    await asyncio.sleep(0.01)
    assert shown == ["searching 1/9"]


# --- the reply union, rendered in one place ------------------------------------------------
def test_every_kind_of_reply_renders_to_content_or_embeds() -> None:
    playlist = _playlist([_track(1, "So What", ("Miles Davis",))])
    status = LimitsStatus(settings=LimitSettings(), playlists_used_today=1, resets_at=NOW)
    replies = [
        TextReply("hi"), PlaylistReply(playlist), UrisReply(playlist, note="paste these"),
        ProfileReply(Profile(), "Profile saved"), LimitsReply(status),
        SettingsReply(LimitSettings(), "Jazz Club", changed=True),
        HealthReply(Health((DependencyStatus("database", True),))),
    ]

    for reply in replies:
        shown = render.render(reply)
        assert shown.content or shown.messages, reply
        _limits_hold(shown.messages)
    assert render.render(PlaylistReply(playlist)).buttons == (7, 1)
    assert render.render(UrisReply(playlist, note="paste these")).content == "paste these"


def test_an_error_reply_is_marked_as_one_and_a_link_becomes_a_button() -> None:
    refused = render.render(TextReply("No more today.", error=True, code="quota_exceeded"))
    saved = render.render(TextReply("Saved.", link="https://open.spotify.com/playlist/x",
                                    link_label="Late Night Jazz"))

    assert refused.error and refused.content == "No more today." and refused.link is None
    assert not saved.error and saved.link == ("https://open.spotify.com/playlist/x", "Late Night Jazz")


def test_the_limits_embed_is_the_shared_sentence_with_a_discord_timestamp() -> None:
    status = LimitsStatus(settings=LimitSettings(), playlists_used_today=1, resets_at=NOW,
                          latest_draft_id=7)
    embed = render.limits_embed(status)

    stamp = int(NOW.timestamp())
    assert embed.description == describe_limits(
        status, lambda n: f"**{n}**", lambda _: f"<t:{stamp}:t> (<t:{stamp}:R>)")
    assert embed.fields == []


def test_sentences_come_from_the_shared_wording() -> None:
    health = render.health_embed(Health((DependencyStatus("catalogue", False, "HTTP 503"),)))
    profile = render.profile_embed(Profile())

    assert health.title == wording.status_title(False)
    assert health.fields[0].value == f"{wording.dependency_state(False)} (HTTP 503)"
    assert profile.title == wording.PROFILE_SHOWN() and profile.footer.text == wording.PROFILE_FOOTER()

"""A private chat with the bot, through python-telegram-bot and the fake Bot API."""

from __future__ import annotations

import re
from pathlib import Path

from core.models import LimitSettings
from tests.fakes.catalogue import FakeCatalogue, make_track
from tests.fakes.telegram_server import MESSAGE_LIMIT, utf16_len
from tests.integration.telegram_support import ALICE, ALICE_DM, running_bot


def jazz(n_artists: int = 12, per_artist: int = 5, title: str = "Tune") -> FakeCatalogue:
    return FakeCatalogue([
        make_track(a * 100 + s, f"{title} {a}-{s}", f"Artist {a}", "jazz")
        for a in range(n_artists) for s in range(per_artist)
    ])


def numbered_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.split(". ", 1)[0].isdigit()]


async def test_a_plain_message_is_a_prompt_answered_with_a_playlist_and_its_buttons(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.say(ALICE_DM, ALICE, "relaxing jazz for studying")
        answer = bot.playlist_message(ALICE_DM)
        assert len(numbered_lines(answer.text)) == 20
        assert "planned by offline" in answer.text and "demo catalogue" in answer.text
        assert [b["text"] for b in answer.buttons()] == [
            "✏️ Refine", "🔄 Regenerate", "💾 Save to Spotify", "📋 URIs"]
        assert all(len(b["callback_data"].encode()) <= 64 for b in answer.buttons())
        assert all(link.startswith("https://open.spotify.com/track/") for link in answer.links)
        assert len(answer.links) == 20


async def test_the_status_message_shows_progress_and_becomes_the_answer(tmp_path: Path) -> None:
    catalogue = jazz()
    catalogue.latency = 0.05  # searches take long enough for progress to be shown
    async with running_bot(tmp_path, catalogue=catalogue) as bot:
        await bot.say(ALICE_DM, ALICE, "/playlist calm jazz for studying 8")
        assert bot.fake.calls_of("sendChatAction")[0].params["action"] == "typing"
        sends = bot.fake.calls_of("sendMessage")
        assert len(sends) == 1 and sends[0].params["text"].startswith("⏳")
        *progress, final = [c.params["text"] for c in bot.fake.calls_of("editMessageText")]
        assert progress and all(t.startswith("⏳ ") for t in progress)
        assert any(re.fullmatch(r"⏳ searching \d+/\d+…", t) for t in progress)
        assert final.startswith("<b>Calm Jazz")
        [message] = bot.view(ALICE_DM)
        assert message.text.startswith("Calm Jazz") and len(numbered_lines(message.text)) == 8


async def test_the_count_after_the_prompt_sets_the_number_of_tracks(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(ALICE_DM, ALICE, "/playlist calm jazz for studying 7")
        assert len(numbered_lines(bot.playlist_message(ALICE_DM).text)) == 7


async def test_markup_in_a_prompt_is_shown_as_typed(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(ALICE_DM, ALICE, "/playlist <b>calm</b> jazz & <script>x</script> 6")
        answer = bot.playlist_message(ALICE_DM)
        assert "Prompt: <b>calm</b> jazz & <script>x</script>" in answer.text


async def test_markup_in_track_names_is_shown_as_named(tmp_path: Path) -> None:
    catalogue = FakeCatalogue([
        make_track(n, f"<b>Blue</b> & <i>Green {n}", f"Bill </a> Evans {n}", "jazz")
        for n in range(12)
    ])
    async with running_bot(tmp_path, catalogue=catalogue) as bot:
        await bot.say(ALICE_DM, ALICE, "/playlist calm jazz 5")
        lines = numbered_lines(bot.playlist_message(ALICE_DM).text)
        assert len(lines) == 5
        assert all("<b>Blue</b> & <i>Green" in line and "Bill </a> Evans" in line for line in lines)


async def test_a_long_playlist_is_split_with_the_buttons_under_the_last_part(tmp_path: Path) -> None:
    catalogue = jazz(n_artists=40, per_artist=3, title="An Unusually Long Song Title, Extended " * 3)
    async with running_bot(tmp_path, catalogue=catalogue, limits=LimitSettings(max_songs=100)) as bot:
        await bot.say(ALICE_DM, ALICE, "/playlist calm jazz for studying 100")
        view = bot.view(ALICE_DM)
        assert len(view) >= 3
        assert all(utf16_len(m.text) <= MESSAGE_LIMIT for m in view)
        assert [bool(m.buttons()) for m in view] == [False] * (len(view) - 1) + [True]
        numbers = [line.split(".")[0] for m in view for line in numbered_lines(m.text)]
        assert numbers == [str(n) for n in range(1, 101)]


async def test_a_prompt_that_is_not_about_music_is_refused_and_costs_nothing(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(ALICE_DM, ALICE, "what is the capital of France")
        assert bot.last(ALICE_DM).text.startswith("⚠️")
        assert "music" in bot.last(ALICE_DM).text.lower()
        await bot.say(ALICE_DM, ALICE, "/limits")
        assert "10 of 10 playlists left today" in bot.last(ALICE_DM).text


async def test_the_daily_limit_is_explained_when_reached(tmp_path: Path) -> None:
    limits = LimitSettings(max_playlists_per_day=1)
    async with running_bot(tmp_path, catalogue=jazz(), limits=limits) as bot:
        await bot.say(ALICE_DM, ALICE, "calm jazz 5")
        await bot.say(ALICE_DM, ALICE, "calm jazz again 5")
        assert "used your 1 playlist for today" in bot.last(ALICE_DM).text
        assert "UTC" in bot.last(ALICE_DM).text


async def test_refine_makes_a_new_version_of_the_latest_playlist(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(ALICE_DM, ALICE, "calm jazz 6")
        await bot.say(ALICE_DM, ALICE, "/refine more energetic")
        answer = bot.playlist_message(ALICE_DM)
        assert "(version 2)" in answer.text and "Refined with: more energetic" in answer.text


async def test_profile_can_be_set_shown_and_reset(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(ALICE_DM, ALICE, '/profile set genres=jazz,soul artists="Nina <Simone>" '
                                       "energy=0.4 explicit=no")
        saved = bot.last(ALICE_DM).text
        assert "Profile saved" in saved and "Nina <Simone>" in saved
        await bot.say(ALICE_DM, ALICE, "/profile")
        assert "Favourite genres: jazz, soul" in bot.last(ALICE_DM).text
        assert "Explicit tracks: filtered out" in bot.last(ALICE_DM).text
        await bot.say(ALICE_DM, ALICE, "/profile reset")
        assert "Favourite genres: none" in bot.last(ALICE_DM).text


async def test_limits_and_status_answer_in_plain_words(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(ALICE_DM, ALICE, "/limits")
        assert "10 of 10 playlists left today" in bot.last(ALICE_DM).text
        await bot.say(ALICE_DM, ALICE, "/status")
        status = bot.last(ALICE_DM).text
        assert "Overall: ok" in status and "database: ok" in status


async def test_help_and_start_list_the_commands(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(ALICE_DM, ALICE, "/help")
        help_text = bot.last(ALICE_DM).text
        for command in ("/playlist", "/refine", "/profile", "/limits", "/status", "/settings"):
            assert command in help_text
        assert "/link" not in help_text  # Spotify isn't set up in this bot
        await bot.say(ALICE_DM, ALICE, "/start")
        assert any("I turn a sentence into a real Spotify playlist" in t
                   for t in bot.fake.texts(ALICE_DM["id"]))


async def test_an_unknown_command_gets_a_pointer_to_help(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(ALICE_DM, ALICE, "/dance now")
        assert "Unknown command /dance" in bot.last(ALICE_DM).text


async def test_an_edited_message_does_not_make_a_second_playlist(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(ALICE_DM, ALICE, "/playlist calm jazz 5")
        before = len(bot.fake.calls)
        original = bot.fake.messages[(ALICE_DM["id"], 1)].raw
        update = bot.fake.push({"edited_message": {**original, "text": "/playlist loud rock 5",
                                                   "edit_date": original["date"] + 5}})
        await bot.settle(update["update_id"])
        assert [c.method for c in bot.fake.calls[before:] if c.method != "getUpdates"] == []

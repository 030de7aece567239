"""Groups: commands and mentions only, replies to the asker, and buttons that only work for their owner."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.telegram_server import BOT_USERNAME, Call
from tests.integration.telegram_support import ALICE, BOB, GROUP, running_bot
from tests.integration.test_telegram_private import jazz, numbered_lines


def bot_calls(calls: list[Call]) -> list[str]:
    """What the bot did, leaving out its polling."""
    return [c.method for c in calls if c.method != "getUpdates"]


async def test_plain_chatter_in_a_group_is_ignored(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        before = len(bot.fake.calls)
        await bot.say(GROUP, ALICE, "calm jazz would be nice right now")
        assert bot_calls(bot.fake.calls[before:]) == []


async def test_a_command_in_a_group_is_answered_in_reply_to_the_asker(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(GROUP, ALICE, f"/playlist@{BOT_USERNAME} calm jazz 5")
        [answer] = bot.view(GROUP)
        assert answer.reply_to == 1  # Alice's message
        assert len(numbered_lines(answer.text)) == 5 and answer.buttons()


async def test_a_mention_of_the_bot_is_a_prompt_without_the_mention(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(GROUP, ALICE, f"hey @{BOT_USERNAME} calm jazz for the evening 6")
        answer = bot.playlist_message(GROUP)
        assert "Prompt: hey calm jazz for the evening" in answer.text
        assert len(numbered_lines(answer.text)) == 6


async def test_commands_addressed_to_another_bot_are_ignored(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        before = len(bot.fake.calls)
        await bot.say(GROUP, ALICE, "/playlist@SomeOtherBot calm jazz 5")
        await bot.say(GROUP, ALICE, "/dance")
        assert bot_calls(bot.fake.calls[before:]) == []


async def test_a_button_pressed_by_someone_else_says_not_your_playlist(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(GROUP, ALICE, "/playlist calm jazz 5")
        answer = bot.playlist_message(GROUP)
        before = len(bot.fake.calls)
        for label in ("Refine", "Regenerate", "Save", "URIs"):
            query_id = await bot.press(BOB, answer, label)
            reply = bot.fake.callback_answers[query_id]
            assert "not your playlist" in reply["text"] and reply["show_alert"] is True
        assert [m for m in bot_calls(bot.fake.calls[before:]) if m != "answerCallbackQuery"] == []
        assert len(bot.view(GROUP)) == 1


async def test_every_button_press_is_answered_exactly_once(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(GROUP, ALICE, "/playlist calm jazz 5")
        answer = bot.playlist_message(GROUP)
        for label in ("URIs", "Save", "Regenerate", "Refine"):
            await bot.press(ALICE, answer, label)
        assert len(bot.fake.callback_queries) == 4
        assert all(bot.fake.callback_queries.values())
        assert len(bot.fake.calls_of("answerCallbackQuery")) == 4


async def test_an_unknown_or_expired_button_is_answered_with_an_explanation(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(GROUP, ALICE, "/playlist calm jazz 5")
        answer = bot.playlist_message(GROUP)
        query_id, update_id = bot.fake.press(ALICE, answer, "k:not-a-key-we-ever-made")
        await bot.settle(update_id)
        assert "expired" in bot.fake.callback_answers[query_id]["text"]


async def test_refine_asks_for_feedback_and_the_reply_makes_version_two(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(GROUP, ALICE, "/playlist calm jazz 5")
        await bot.press(ALICE, bot.playlist_message(GROUP), "Refine")
        question = bot.last(GROUP)
        assert question.text.startswith("Alice, what should change in Calm Jazz")
        assert question.raw["text"] and bot.fake.calls_of("sendMessage")[-1].params["reply_markup"] == {
            "force_reply": True, "selective": True,
            "input_field_placeholder": "e.g. more energetic, no ballads"}
        await bot.say(GROUP, ALICE, "more energetic please", reply_to=question.message_id)
        refined = bot.playlist_message(GROUP)
        assert "(version 2)" in refined.text
        assert "Refined with: more energetic please" in refined.text


async def test_someone_elses_answer_to_the_refine_question_is_ignored(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(GROUP, ALICE, "/playlist calm jazz 5")
        await bot.press(ALICE, bot.playlist_message(GROUP), "Refine")
        question = bot.last(GROUP)
        before = len(bot.fake.calls)
        await bot.say(GROUP, BOB, "make it polka", reply_to=question.message_id)
        assert bot_calls(bot.fake.calls[before:]) == []


async def test_regenerate_gives_a_fresh_version_without_the_current_tracks(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(GROUP, ALICE, "/playlist calm jazz 5")
        first = bot.playlist_message(GROUP)
        await bot.press(ALICE, first, "Regenerate")
        second = bot.playlist_message(GROUP)
        assert second.message_id != first.message_id and "(version 2)" in second.text
        assert not set(first.links) & set(second.links)


async def test_the_uris_button_lists_every_track_uri(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(GROUP, ALICE, "/playlist calm jazz 5")
        answer = bot.playlist_message(GROUP)
        await bot.press(ALICE, answer, "URIs")
        uris = [line for line in bot.last(GROUP).text.split("\n") if line.startswith("spotify:")]
        assert uris == [f"spotify:track:{link.rsplit('/', 1)[1]}" for link in answer.links]


async def test_save_without_spotify_set_up_offers_the_uris_instead(tmp_path: Path) -> None:
    async with running_bot(tmp_path, catalogue=jazz()) as bot:
        await bot.say(GROUP, ALICE, "/playlist calm jazz 5")
        await bot.press(ALICE, bot.playlist_message(GROUP), "Save")
        *_, notice, block = bot.fake.texts(GROUP["id"])
        assert "Saving to Spotify isn't set up" in notice
        assert block.count("spotify:track:") == 5

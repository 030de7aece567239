"""The fake Bot API answers with the shapes the published spec (shared/specs) describes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fakes.telegram_server import SPEC, FakeTelegram, group_chat, tg_user

pytestmark = pytest.mark.skipif(not SPEC.is_file(), reason="shared/specs is not beside the repo")

CHAT_MEMBER_TYPES = {
    "creator": "ChatMemberOwner", "administrator": "ChatMemberAdministrator",
    "member": "ChatMemberMember", "restricted": "ChatMemberRestricted",
    "left": "ChatMemberLeft", "kicked": "ChatMemberBanned",
}


def missing_fields(value: dict[str, Any], type_name: str, spec: dict[str, Any]) -> list[str]:
    """Required fields of ``type_name`` absent from ``value`` (nested known types too)."""
    problems: list[str] = []
    for field in spec["types"][type_name].get("fields", []):
        name, types = field["name"], field["types"]
        if name not in value:
            if field["required"]:
                problems.append(f"{type_name}.{name}")
            continue
        nested = types[0] if len(types) == 1 else None
        if nested in spec["types"] and isinstance(value[name], dict) and \
                spec["types"][nested].get("fields"):
            problems += missing_fields(value[name], nested, spec)
    return problems


async def test_every_answer_has_the_required_fields_of_its_spec_type() -> None:
    spec = json.loads(SPEC.read_text())
    fake = FakeTelegram()
    await fake.start()
    try:
        assert missing_fields(await fake._m_getMe({}), "User", spec) == []
        chat, user = group_chat(), tg_user(5)
        fake.user_message(chat, user, "/playlist jazz")
        sent = await fake._m_sendMessage({"chat_id": chat["id"], "text": "<b>hi</b>",
                                          "parse_mode": "HTML"})
        assert missing_fields(sent, "Message", spec) == []
        edited = await fake._m_editMessageText({"chat_id": chat["id"], "message_id":
                                                sent["message_id"], "text": "bye"})
        assert missing_fields(edited, "Message", spec) == []
        for status, type_name in CHAT_MEMBER_TYPES.items():
            fake.set_member(chat["id"], 5, status)
            member = await fake._m_getChatMember({"chat_id": chat["id"], "user_id": 5})
            assert member["status"] == status
            assert missing_fields(member, type_name, spec) == [], status
        update = fake.push({"message": fake.messages[(chat["id"], 1)].raw})
        assert missing_fields(update, "Update", spec) == []
    finally:
        await fake.close()


async def test_requests_outside_the_spec_are_recorded_as_problems() -> None:
    fake = FakeTelegram()
    await fake.start()
    try:
        fake._check_spec("sendMessage", {"chat_id": 1, "text": "x", "colour": "red"})
        fake._check_spec("answerCallbackQuery", {"text": "x"})
        fake._check_spec("sendTelepathy", {})
        assert fake.problems == [
            "sendMessage: unknown parameter 'colour'",
            "answerCallbackQuery: missing required parameter 'callback_query_id'",
            "sendTelepathy: not a Bot API method",
        ]
    finally:
        await fake.close()

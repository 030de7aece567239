"""``POST /blend``: one playlist from several devices' tastes, for other apps.

The body names the starting device (``device_id``, proven like on every device route)
and its ``members``: up to nine more devices, each with its own stored profile.  Who may
speak for a member is decided as for the starter, and never more loosely:

* with ``API_KEYS``, the key holder (the operator's app) vouches for every device id;
* on a server reachable beyond its machine without keys, every member must come with the
  ``device_secret`` that ``/register-device`` gave it: knowing another device's id is not
  enough to read its taste into your playlist (a profile says something about a person);
* on loopback with nothing set, the ids alone, as everywhere else.

The playlist is a draft of the starting device, charged once against its quota and only
when the answer is written; each song says whose taste it serves (``credits``).
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from aiohttp import web

from adapters.web.rest_api import DEVICE_SECRET_HEADER, ApiError, playlist_body, wire_error
from core import wording
from core.blend_invites import MAX_MEMBERS, display_name
from core.engine import HARD_MAX_SONGS
from core.models import UserRef
from core.replies import PlaylistReply, TextReply

if TYPE_CHECKING:
    from adapters.web.rest_api import RestApi

__all__ = ["blend_body", "post_blend"]


def blend_body(reply: PlaylistReply) -> dict[str, Any]:
    """The playlist answer, with whose taste each song serves and the summary line."""
    body = playlist_body(reply.playlist)
    body["credits"] = list(reply.credits)
    body["summary"] = reply.summary
    return body


def _name(value: object, fallback: str) -> str:
    return display_name(value) if isinstance(value, str) and value.strip() else fallback


def _member(api: RestApi, request: web.Request, item: object, number: int) -> tuple[UserRef, str]:
    """One member device, once the request has shown it may speak for it."""
    if not isinstance(item, dict):
        raise ApiError(422, "invalid_input",
                       wording.BLEND_MEMBER_SHAPE())
    user = api._device_id(item.get("device_id"))
    if api.config.device_secrets and not api.config.api_keys:
        given = item.get("device_secret")
        expected = api._device_secret(user.user_id)
        if (not isinstance(given, str) or not given.isascii()
                or not hmac.compare_digest(given.encode(), expected.encode())):
            raise ApiError(401, "device_unauthorized",
                           f"Member {number} needs its device_secret (the {DEVICE_SECRET_HEADER} "
                           "that POST /register-device gave that device).")
    return user, _name(item.get("name"), wording.blend_member(number))


async def post_blend(api: RestApi, request: web.Request) -> web.Response:
    """The handler: checks every device, then makes and writes the blend in the charge."""
    body = await api._json(request)
    starter = api._device(request, body.get("device_id"))
    members = body.get("members")
    if not isinstance(members, list) or not 1 <= len(members) < MAX_MEMBERS:
        raise ApiError(422, "invalid_input",
                       f"members must list 1 to {MAX_MEMBERS - 1} other devices.")
    named = [_member(api, request, item, n) for n, item in enumerate(members, 2)]
    prompt = body.get("prompt", "")
    if not isinstance(prompt, str):
        raise ApiError(422, "invalid_input", "prompt must be a string.")
    count = body.get("count")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool)):
        raise ApiError(422, "invalid_input", wording.count_not_whole(1, HARD_MAX_SONGS))
    blends = api.blends
    if blends is None:
        raise ApiError(503, "unavailable", wording.BLENDS_UNAVAILABLE())
    api._spend(api.generations, request, wording.API_PLAYLISTS)
    sent: list[web.Response] = []

    async def deliver(reply: PlaylistReply) -> None:
        response = web.json_response(blend_body(reply))
        await response.prepare(request)
        await response.write_eof()
        sent.append(response)

    reply = await blends.blend_now(starter, _name(body.get("name"), wording.blend_member(1)),
                                   named, prompt, count, deliver=deliver)
    if isinstance(reply, TextReply):
        raise wire_error(reply)
    return sent[0]

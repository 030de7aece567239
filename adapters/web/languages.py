"""The language a web request is answered in: its ``Accept-Language`` header.

One middleware (``speak_their_language``) sets it for every request the web side serves
(pages, the OAuth landing, the REST API mounted on it); the REST API's own guard does the
same when it is served alone.  Everything below speaks it through ``core.i18n``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from core import i18n

#: More tags than any browser sends; the rest are ignored.
MAX_TAGS = 12


def accepted_languages(header: str | None) -> list[str]:
    """The tags of an ``Accept-Language`` header, most wanted first ("*" and q=0 dropped)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")[:MAX_TAGS]):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


def request_language(request: web.Request) -> str:
    """The supported locale a request asks for, English when none."""
    return i18n.negotiate(*accepted_languages(request.headers.get("Accept-Language")))


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def speak_their_language(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Serves every request in the language its ``Accept-Language`` asks for."""
    with i18n.speaking(request_language(request)):
        return await handler(request)

"""Who may read the operator's routes (``/status``, ``/metrics``): one rule for both.

With a token configured, a request must carry it (``Authorization: Bearer``, or the
route's query parameter when it accepts one).  Without one, only a visitor on this
machine that came through no proxy is answered (``is_local_request``).  That fallback
cannot tell a plain reverse proxy on this machine (nginx's default ``proxy_pass`` sends
no forwarding header) from the operator, so a web side reachable from elsewhere
(``Settings.web_exposed``) must have its tokens: ``bot.settings.check_operator_tokens``
refuses to start it without them.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from enum import Enum

from aiohttp import web

from adapters.web.client_address import Network, is_local_request

__all__ = ["Access", "operator_access"]


class Access(Enum):
    """The rule's answer: let in, ask for the token (401), or refuse outright (403)."""

    ALLOWED = 200
    NEEDS_TOKEN = 401
    LOCAL_ONLY = 403


def _bearer(request: web.BaseRequest) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def operator_access(
    request: web.BaseRequest, token: str, trusted: Sequence[Network], *, query_param: str = ""
) -> Access:
    """Whether ``request`` comes from the operator of this bot.

    ``token`` set: the Bearer token (or ``?<query_param>=``) must match it, wherever the
    request comes from.  ``token`` empty: only a local, unproxied visitor.
    """
    if token:
        given = _bearer(request) or (request.query.get(query_param, "") if query_param else "")
        if given and hmac.compare_digest(given.encode(), token.encode()):
            return Access.ALLOWED
        return Access.NEEDS_TOKEN
    return Access.ALLOWED if is_local_request(request, trusted) else Access.LOCAL_ONLY

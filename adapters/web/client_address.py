"""Who is on the other end of a web request: the client's address behind trusted proxies.

Forwarding headers are believed only when the TCP peer is one of the operator's own
proxies (``TRUSTED_PROXIES``); anyone else could write them.  The chain in
``X-Forwarded-For`` is walked from the right, skipping trusted hops, so a client that
prepends its own forged entries gains nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Headers a proxy may use to say who the client is (or that it is proxying at all).
PROXY_HEADERS = (
    "Forwarded", "X-Forwarded-For", "X-Real-IP", "True-Client-IP", "CF-Connecting-IP",
    "X-Client-IP", "Via",
)


def parse_networks(items: Iterable[str]) -> tuple[Network, ...]:
    """``TRUSTED_PROXIES`` entries (addresses or CIDR networks) as networks."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("["):  # [v6]:port
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None,
             networks: Sequence[Network]) -> bool:
    return address is not None and any(address in net for net in networks)


def _forwarded_for(headers: web.BaseRequest) -> list[str]:
    hops: list[str] = []
    for value in headers.headers.getall("X-Forwarded-For", []):
        hops.extend(part for part in value.split(",") if part.strip())
    if hops:
        return hops
    for value in headers.headers.getall("Forwarded", []):
        for element in value.split(","):
            for pair in element.split(";"):
                name, _, raw = pair.partition("=")
                if name.strip().lower() == "for":
                    hops.append(raw)
    if hops:
        return hops
    real = headers.headers.get("X-Real-IP")
    return [real] if real else []


def client_address(request: web.BaseRequest, trusted: Sequence[Network]) -> str:
    """The client's address: the TCP peer, or what trusted proxies say is behind them.

    Returns the text form of an IP address, or ``"unknown"`` when there is none (a
    Unix socket, or a trusted proxy that forwarded garbage).
    """
    peer = _address(request.remote or "")
    if not _trusted(peer, trusted):
        return str(peer) if peer is not None else "unknown"
    hops = _forwarded_for(request)
    client = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return "unknown"
        client = address
        if not _trusted(address, trusted):
            break
    return str(client) if client is not None else "unknown"


def is_local_request(request: web.BaseRequest, trusted: Sequence[Network]) -> bool:
    """True only for a visitor on this machine that came through no proxy at all.

    A loopback peer that sends any proxy header is a proxy's visitor, not the operator;
    a trusted proxy's client counts by its own address.
    """
    if _trusted(_address(request.remote or ""), trusted):
        address = _address(client_address(request, trusted))
        return address is not None and address.is_loopback
    peer = _address(request.remote or "")
    if peer is None or not peer.is_loopback:
        return False
    return not any(name in request.headers for name in PROXY_HEADERS)

"""The client's address behind trusted proxies, and who counts as a local visitor."""

from __future__ import annotations

from aiohttp.test_utils import make_mocked_request

from adapters.web.client_address import client_address, is_local_request, parse_networks

PROXIES = parse_networks(["127.0.0.1", "10.0.0.0/8"])


def _request(peer: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    request = make_mocked_request("GET", "/", headers=headers or {})
    return request.clone(remote=peer)


def test_peer_is_the_client_when_no_proxy_is_trusted() -> None:
    request = _request("203.0.113.9", {"X-Forwarded-For": "198.51.100.1"})
    assert client_address(request, ()) == "203.0.113.9"


def test_forwarded_for_is_believed_from_a_trusted_proxy() -> None:
    request = _request("127.0.0.1", {"X-Forwarded-For": "198.51.100.1"})
    assert client_address(request, PROXIES) == "198.51.100.1"


def test_forged_entries_left_of_the_real_client_are_ignored() -> None:
    request = _request("127.0.0.1", {"X-Forwarded-For": "1.2.3.4, 198.51.100.1, 10.1.1.1"})
    assert client_address(request, PROXIES) == "198.51.100.1"


def test_x_real_ip_and_forwarded_are_read_when_there_is_no_x_forwarded_for() -> None:
    assert client_address(_request("127.0.0.1", {"X-Real-IP": "198.51.100.2"}), PROXIES) == "198.51.100.2"
    forwarded = {"Forwarded": 'for="[2001:db8::1]:4711";proto=https'}
    assert client_address(_request("127.0.0.1", forwarded), PROXIES) == "2001:db8::1"


def test_garbage_from_a_trusted_proxy_is_unknown() -> None:
    assert client_address(_request("127.0.0.1", {"X-Forwarded-For": "nonsense"}), PROXIES) == "unknown"


def test_loopback_peer_with_any_proxy_header_is_not_local() -> None:
    for header in ("Via", "X-Real-IP", "True-Client-IP", "CF-Connecting-IP", "X-Client-IP"):
        assert not is_local_request(_request("127.0.0.1", {header: "198.51.100.3"}), ())


def test_plain_loopback_peer_is_local() -> None:
    assert is_local_request(_request("127.0.0.1"), ())


def test_trusted_proxy_client_counts_by_its_own_address() -> None:
    assert not is_local_request(_request("127.0.0.1", {"X-Forwarded-For": "198.51.100.4"}), PROXIES)
    assert is_local_request(_request("127.0.0.1", {"X-Forwarded-For": "127.0.0.1"}), PROXIES)

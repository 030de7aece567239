"""What every Spotify adapter shares: one requests session, one bounded thread pool, and the
reading of spotipy's errors.

spotipy is blocking (requests), so every call runs in a bounded ``ThreadPoolExecutor`` and
the event loop never waits on a socket.  The session is ours and mounts no urllib3 retry
adapter: a 429 reaches us at once with its Retry-After, and we decide (the engine's resolver
sleeps on the event loop; user-side calls wait here, briefly).  5xx answers and timeouts
are retried with exponential backoff a bounded number of times.

requests bounds each socket read, not a whole answer: a server that trickles its body a few
bytes at a time would hold a worker thread for ever.  The session's adapter therefore
reads every body against a deadline of ``timeout_s`` from the start of the request.

``monitors`` keep the health of the two services as real calls see them: "accounts"
(tokens: sign-in, refresh, client credentials) and "api" (the Web API).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
import spotipy
import urllib3
from requests.adapters import HTTPAdapter
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyClientCredentials, SpotifyOauthError, SpotifyPKCE

from core.health import DependencyMonitor

__all__ = ["SpotifyCallFailed", "SpotifyHttp", "classify"]

log = logging.getLogger(__name__)
# spotipy logs request headers (bearer tokens, the Basic client secret) at DEBUG and every
# HTTP error at ERROR; we report failures ourselves, without secrets.
logging.getLogger("spotipy").setLevel(logging.CRITICAL)

T = TypeVar("T")

DEFAULT_RETRY_AFTER = 1.0
# Failures that say the service is down or overloaded (not "this user's grant is gone").
_OUTAGES = frozenset({"rate", "quota", "transient"})
MAX_RETRY_AFTER = 6 * 3600.0


@dataclass
class SpotifyCallFailed(Exception):
    """A Spotify call failed; ``kind`` says how (see ``classify``)."""

    kind: str  # rate | quota | transient | auth | forbidden | not_found | grant | client | bad
    status: int = 0
    retry_after: float = 0.0
    message: str = ""

    def __str__(self) -> str:
        return f"{self.kind} ({self.status or 'no status'}): {self.message}"[:300]


def _retry_after(headers: Any) -> float:
    try:
        value = float(headers.get("Retry-After", DEFAULT_RETRY_AFTER))
    except (TypeError, ValueError, AttributeError):
        return DEFAULT_RETRY_AFTER
    return min(max(value, 0.0), MAX_RETRY_AFTER)


def classify(exc: BaseException) -> SpotifyCallFailed | None:
    """What a spotipy/requests exception means for us; None when it is not a Spotify failure."""
    if isinstance(exc, SpotifyCallFailed):
        return exc
    if isinstance(exc, spotipy.SpotifyException):
        status = int(exc.http_status or 0)
        text = f"{exc.msg or ''} {exc.reason or ''}"
        if status == 429:
            kind = "quota" if "quota" in text.lower() else "rate"
            return SpotifyCallFailed(kind, status, _retry_after(exc.headers), text.strip())
        known = {401: "auth", 403: "forbidden", 404: "not_found"}
        kind = known.get(status) or ("transient" if status >= 500 else "bad")
        return SpotifyCallFailed(kind, status, 0.0, text.strip())
    if isinstance(exc, SpotifyOauthError):
        error = str(getattr(exc, "error", "") or "")
        if error == "invalid_grant":
            return SpotifyCallFailed("grant", 400, 0.0, str(getattr(exc, "error_description", "")))
        if error in {"invalid_client", "unauthorized_client"}:
            return SpotifyCallFailed("client", 400, 0.0, error)
        if error == "invalid_request":
            return SpotifyCallFailed("bad", 400, 0.0, str(getattr(exc, "error_description", "")))
        # spotipy raises this inside its handler of the HTTP error, whose answer has the status.
        answer = getattr(exc.__context__, "response", None)
        if getattr(answer, "status_code", 0) == 429:
            return SpotifyCallFailed("rate", 429, _retry_after(answer.headers),  # type: ignore[union-attr]
                                     "accounts service rate limit")
        # Anything else from the accounts service (a 5xx page, a 429) is worth a retry.
        return SpotifyCallFailed("transient", 0, 0.0, "accounts service error")
    if isinstance(exc, requests.exceptions.Timeout | requests.exceptions.ConnectionError):
        return SpotifyCallFailed("transient", 0, 0.0, type(exc).__name__)
    if isinstance(exc, requests.exceptions.RequestException):
        return SpotifyCallFailed("transient", 0, 0.0, type(exc).__name__)
    return None


class BoundedAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` that gives up on an answer not complete within ``total_s``.

    The headers are bounded by the read timeout already; the body is then read as it
    arrives (``read1``) and abandoned, with the connection, once the deadline has passed.
    """

    def __init__(self, *, total_s: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.total_s = total_s

    def send(  # same parameters as HTTPAdapter.send
        self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
        verify: Any = True, cert: Any = None, proxies: Any = None,
    ) -> requests.Response:
        deadline = time.monotonic() + self.total_s
        response = super().send(request, stream=True, timeout=timeout, verify=verify, cert=cert,
                                proxies=proxies)
        if stream:
            return response
        body = bytearray()
        try:
            while True:
                if time.monotonic() > deadline:
                    raise requests.exceptions.ReadTimeout(
                        f"no complete answer within {self.total_s:g} s", request=request
                    )
                chunk = response.raw.read1(65536, decode_content=True)
                if not chunk:
                    break
                body.extend(chunk)
        except requests.exceptions.RequestException:
            response.close()
            raise
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            response.close()
            raise requests.exceptions.ConnectionError(exc, request=request) from exc
        response._content = bytes(body)
        response._content_consumed = True
        response.raw.release_conn()
        return response


def _service_of(exc: BaseException, default: str, accounts_url: str) -> str:
    """Which service a failure came from: "accounts" (tokens) or "api"."""
    if isinstance(exc, SpotifyOauthError):
        return "accounts"
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None)
    if isinstance(url, str):
        return "accounts" if url.startswith(accounts_url) else "api"
    return default


class _Client(spotipy.Spotify):  # type: ignore[misc]
    """spotipy's client on our shared session.

    spotipy closes "its" session when an instance is garbage collected; the session here is
    shared and closed by ``SpotifyHttp.close``, so that finaliser must not run.
    """

    def __del__(self) -> None:
        pass


class ClientCredentials(SpotifyClientCredentials):  # type: ignore[misc]
    """Client-credentials token, cached in memory and fetched by one thread at a time.

    Without the lock, a cold start with eight searches in flight would fetch eight tokens.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._token_lock = threading.Lock()
        self.fetches = 0

    def get_access_token(self, as_dict: bool = False, check_cache: bool = True) -> Any:
        with self._token_lock:
            cached = self.cache_handler.get_cached_token() if check_cache else None
            if not cached or self.is_token_expired(cached):
                self.fetches += 1
            return super().get_access_token(as_dict=as_dict, check_cache=check_cache)

    def forget_token(self) -> None:
        """Drops the cached token (Spotify said 401): the next call fetches a new one."""
        with self._token_lock:
            self.cache_handler.save_token_to_cache(None)

    def __del__(self) -> None:  # the session is shared; see _Client
        pass


class Pkce(SpotifyPKCE):  # type: ignore[misc]
    """spotipy's PKCE helper on the shared session (see _Client about ``__del__``)."""

    def __del__(self) -> None:
        pass


class SpotifyHttp:
    """The shared HTTP session and worker pool of the Spotify adapters (built once by bot/)."""

    def __init__(
        self,
        *,
        api_url: str = "https://api.spotify.com/v1/",
        accounts_url: str = "https://accounts.spotify.com/",
        timeout_s: float = 10.0,
        pool_size: int = 8,
        max_retries: int = 3,
        backoff_s: float = 0.5,
    ) -> None:
        self.api_url = api_url.rstrip("/") + "/"
        self.accounts_url = accounts_url.rstrip("/") + "/"
        self.token_url = self.accounts_url + "api/token"
        self.authorize_url = self.accounts_url + "authorize"
        self.timeout_s = timeout_s
        self.pool_size = max(1, pool_size)
        self.max_retries = max(0, max_retries)
        self.backoff_s = backoff_s
        self.session = requests.Session()
        # No retry adapter (429 must reach us); as many pooled connections as workers;
        # every answer complete within timeout_s.
        adapter = BoundedAdapter(total_s=timeout_s, pool_connections=4,
                                 pool_maxsize=self.pool_size, max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self._executor = ThreadPoolExecutor(
            max_workers=self.pool_size, thread_name_prefix="spotify"
        )
        self._closed = False
        self.monitors = {
            "accounts": DependencyMonitor("spotify accounts"),
            "api": DependencyMonitor("catalogue"),
        }

    def client(self, *, auth: str | None = None, auth_manager: Any = None) -> spotipy.Spotify:
        """A spotipy client on the shared session, aimed at ``api_url``."""
        client = _Client(
            auth=auth,
            auth_manager=auth_manager,
            requests_session=self.session,
            requests_timeout=self.timeout_s,
            retries=0,
            status_retries=0,
        )
        client.prefix = self.api_url
        return client

    def client_credentials(self, client_id: str, client_secret: str) -> ClientCredentials:
        manager = ClientCredentials(
            client_id=client_id,
            client_secret=client_secret,
            requests_session=self.session,
            requests_timeout=self.timeout_s,
            cache_handler=MemoryCacheHandler(),
        )
        manager.OAUTH_TOKEN_URL = self.token_url
        return manager

    def pkce(self, client_id: str, redirect_uri: str, scopes: str | None = None) -> Pkce:
        manager = Pkce(
            client_id=client_id,
            redirect_uri=redirect_uri,
            scope=scopes,
            requests_session=self.session,
            requests_timeout=self.timeout_s,
            open_browser=False,
            cache_handler=MemoryCacheHandler(),
        )
        manager.OAUTH_TOKEN_URL = self.token_url
        manager.OAUTH_AUTHORIZE_URL = self.authorize_url
        return manager

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Runs a blocking call in the pool."""
        if self._closed:
            raise SpotifyCallFailed("transient", 0, 0.0, "the Spotify client is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    async def call(
        self,
        fn: Callable[[], T],
        *,
        wait_on_rate_limit: float = 0.0,
        on_auth_failure: Callable[[], None] | None = None,
        service: str = "api",
    ) -> T:
        """Runs ``fn`` in the pool with the retry policy; raises ``SpotifyCallFailed``.

        Transient failures (5xx, timeouts, connection errors) are retried with backoff up to
        ``max_retries`` times.  A 429 is retried only when its Retry-After is at most
        ``wait_on_rate_limit`` seconds (0: never, the caller decides).  A 401 calls
        ``on_auth_failure`` (drop a cached token) and is tried once more.  ``service`` is the
        one ``fn`` calls ("api" or "accounts"); its monitor hears how the call ended.
        """
        auth_retried = False
        attempt = 0
        while True:
            try:
                result = await self.run(fn)
            except Exception as exc:
                failure = classify(exc)
                if failure is None:
                    raise
                if failure.kind == "auth" and on_auth_failure is not None and not auth_retried:
                    auth_retried = True
                    on_auth_failure()
                    continue
                if attempt < self.max_retries:
                    if failure.kind == "transient":
                        delay = self.backoff_s * (2**attempt) * (0.75 + random.random() / 2)
                        log.info("Spotify call failed (%s); retrying in %.2f s", failure, delay)
                        attempt += 1
                        await asyncio.sleep(delay)
                        continue
                    if failure.kind == "rate" and failure.retry_after <= wait_on_rate_limit:
                        attempt += 1
                        await asyncio.sleep(failure.retry_after)
                        continue
                if failure.kind in _OUTAGES:
                    self.monitors[_service_of(exc, service, self.accounts_url)].failed(str(failure))
                raise failure from exc
            self.monitors[service].succeeded()
            return result

    async def close(self) -> None:
        """Waits for calls in flight, then closes the pool and the session."""
        if self._closed:
            return
        self._closed = True
        await asyncio.to_thread(self._executor.shutdown, wait=True, cancel_futures=True)
        with contextlib.suppress(Exception):
            self.session.close()

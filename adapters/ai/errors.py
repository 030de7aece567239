"""The few ways a model provider fails, as the router sees them.

Every provider maps its library's exceptions onto these, so the router's decisions
(try the next provider, rest this one for a while) do not depend on any SDK.
Messages are for logs and the final "no model could answer" message: they name the
provider and the problem, never a key.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


class ProviderError(Exception):
    """A provider could not produce a strategy this time."""

    kind = "failed"

    def __init__(self, provider: str, detail: str) -> None:
        super().__init__(f"{provider}: {detail}")
        self.provider = provider
        self.detail = detail


class ProviderTimeout(ProviderError):
    """No (complete) answer within the provider's timeout."""

    kind = "timeout"


class ProviderRefused(ProviderError):
    """Not reachable, connection refused, a server error, or the model is missing."""

    kind = "refused"


class ModelMissing(ProviderRefused):
    """The server answers but does not have the configured model (e.g. not pulled)."""

    kind = "model missing"


class ProviderRateLimited(ProviderError):
    """HTTP 429; ``retry_after`` seconds before asking again (the server's figure or a guess)."""

    kind = "rate limited"

    def __init__(self, provider: str, detail: str, retry_after: float) -> None:
        super().__init__(provider, detail)
        self.retry_after = retry_after


class ProviderAuthError(ProviderError):
    """The key was refused (401/403): a configuration problem, not a transient one."""

    kind = "auth"


class ProviderBadOutput(ProviderError):
    """The answer failed the strategy schema even after one repair attempt."""

    kind = "bad output"


class ProviderTooLong(ProviderBadOutput):
    """The answer did not fit: cut at the output bound, or the conversation exceeded the
    model's context (llama.cpp's 400 "exceeds the available context size", OpenAI's
    ``context_length_exceeded``).  The answer's fault, not the server's."""

    kind = "answer too long"


# How services say a request and its answer do not fit the model's context.
CONTEXT_FULL_CODES = frozenset({"context_length_exceeded", "exceed_context_size_error"})
CONTEXT_FULL_PHRASES = ("exceeds the available context size", "maximum context length", "prompt is too long",
                        "context length exceeded", "context window")


def says_context_full(*texts: object) -> bool:
    """True when an error's code, type or message says the context is full."""
    for text in texts:
        if isinstance(text, str) and (
            text in CONTEXT_FULL_CODES or any(p in text.lower() for p in CONTEXT_FULL_PHRASES)
        ):
            return True
    return False


def parse_retry_after(value: str | None, default: float = 30.0) -> float:
    """Seconds from a Retry-After header (delta seconds; HTTP dates get the default)."""
    if value is None:
        return default
    try:
        seconds = float(value.strip())
    except ValueError:
        return default
    return min(max(seconds, 0.0), 3600.0)


def display_host(url: str) -> str:
    """A base URL fit for logs and messages: no user:password@, no query string."""
    parsed = urlsplit(url)
    host = parsed.hostname or ""
    if parsed.port is not None:
        host = f"{host}:{parsed.port}"
    return urlunsplit((parsed.scheme, host, parsed.path.rstrip("/"), "", "")) or "(unknown)"

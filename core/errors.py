"""Errors the engine raises; each carries a message fit to show a user."""

from __future__ import annotations

from datetime import datetime


class EchoTunerError(Exception):
    """Base class: ``user_message`` is safe to show, ``code`` is stable for APIs."""

    code = "error"

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class InvalidInput(EchoTunerError):
    code = "invalid_input"


class NotAboutMusic(EchoTunerError):
    code = "not_about_music"


class QuotaExceeded(EchoTunerError):
    code = "quota_exceeded"

    def __init__(self, user_message: str, resets_at: datetime) -> None:
        super().__init__(user_message)
        self.resets_at = resets_at


class RefinementLimitReached(EchoTunerError):
    code = "refinement_limit"


class DraftNotFound(EchoTunerError):
    code = "not_found"


class NotYourPlaylist(EchoTunerError):
    code = "forbidden"


class ProviderUnavailable(EchoTunerError):
    """No chat model (or the catalogue) could answer; nothing is charged."""

    code = "unavailable"


class StoreUnavailable(EchoTunerError):
    code = "store_unavailable"


class DeliveryFailed(Exception):
    """A playlist was made but could not be handed to its user (their chat platform failed).

    Nothing was charged for it.  Not an ``EchoTunerError``: there is nobody to show a
    message to on the channel that just failed; ``__cause__`` is the platform's error.
    """


class StrategyInvalid(Exception):
    """Model output failed the strategy schema (internal; triggers repair/fallback)."""


class RateLimited(Exception):
    """A dependency asked us to wait (HTTP 429); ``retry_after`` in seconds."""

    def __init__(self, retry_after: float, message: str = "rate limited") -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CatalogueError(Exception):
    """The catalogue failed in a way a retry will not fix soon."""


class NothingFound(EchoTunerError):
    """The catalogue had no track for the request; nothing is charged."""

    code = "nothing_found"


class NotLinked(EchoTunerError):
    """The user has no (working) linked music account; ``user_message`` says to /link."""

    code = "not_linked"


class CatalogueQuotaExceeded(ProviderUnavailable):
    """The catalogue's quota for this app is used up: reported, never retried."""

    code = "catalogue_quota"


class AccessTokenRejected(Exception):
    """A music service refused a user's access token (HTTP 401); refresh and try once more."""


class PlaylistGone(Exception):
    """A playlist saved earlier no longer exists or is no longer the user's."""

"""Stored user keys: HMAC hashes of platform user ids, never the raw ids."""

from __future__ import annotations

import hashlib
import hmac

from core.models import UserRef


class UserKeys:
    """Derives stable, non-reversible keys for users with a server-side secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the user-key secret must be at least 16 bytes")
        self._secret = secret

    def key(self, user: UserRef) -> str:
        message = f"{user.platform}\x00{user.user_id}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:40]

    def scope_key(self, scope: str) -> str:
        """Scopes are hashed too: a guild or chat id is an identifier as well."""
        if scope in {"dm", "console", "api"}:
            return scope
        return "s:" + hmac.new(self._secret, scope.encode(), hashlib.sha256).hexdigest()[:32]

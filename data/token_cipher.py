"""Encryption at rest for tokens and app secrets: Fernet (AES-128-CBC + HMAC-SHA256).

The key comes from ``TOKEN_ENCRYPTION_KEY`` (comma-separated keys rotate: the first
encrypts, all decrypt) or, when that is empty, from a key file beside the database,
created on first run with mode 0600.  An in-memory database gets an in-memory key.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core.ports import Cipher

__all__ = ["FernetCipher", "SealError", "bearer_digest", "key_file_for", "load_or_create_key",
           "seal_text", "unseal_text"]

log = logging.getLogger(__name__)

_MEMORY_PATHS = frozenset({":memory:", ""})


class FernetCipher:
    """Implements ``core.ports.Cipher``; ``decrypt`` raises ValueError for anything not ours."""

    def __init__(self, keys: str | bytes) -> None:
        text = keys.decode("ascii") if isinstance(keys, bytes) else keys
        parts = [k.strip() for k in text.split(",") if k.strip()]
        if not parts:
            raise ValueError("no encryption key given")
        try:
            self._fernet = MultiFernet([Fernet(k.encode("ascii")) for k in parts])
        except (ValueError, UnicodeEncodeError) as exc:
            raise ValueError(
                "an encryption key must be 32 url-safe base64-encoded bytes "
                "(generate one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            ) from exc

    def encrypt(self, plain: bytes) -> bytes:
        return self._fernet.encrypt(plain)

    def decrypt(self, token: bytes) -> bytes:
        try:
            return self._fernet.decrypt(token)
        except (InvalidToken, TypeError) as exc:
            raise ValueError("cannot decrypt: wrong key or damaged data") from exc


class SealError(ValueError):
    """A sealed value the key in force cannot open (another key, or damaged data)."""


def seal_text(cipher: Cipher, value: str) -> bytes:
    """``value`` encrypted for storage (a generated secret kept in the database)."""
    return cipher.encrypt(value.encode("utf-8"))


def unseal_text(cipher: Cipher, blob: bytes) -> str:
    """The value ``seal_text`` sealed; ``SealError`` when this key cannot open it.

    A secret that cannot be opened must never be replaced by a fresh one: every user
    key hashed with the old one would silently stop matching.
    """
    try:
        return cipher.decrypt(bytes(blob)).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise SealError(
            "a generated secret in the database cannot be decrypted with the token key in use "
            "(TOKEN_ENCRYPTION_KEY, or the key file beside the database); restore the key it "
            "was sealed with"
        ) from exc


def bearer_digest(value: str) -> str:
    """Hex SHA-256 of a bearer value (an OAuth state, a cache key) that is only compared.

    The store keeps this instead of the value, so a copy of the database cannot be used
    to present it; the values are long and random, so no salt is needed.
    """
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def key_file_for(database: str) -> Path | None:
    """``echotuner.db`` -> ``echotuner.db.key`` beside it; None for an in-memory database."""
    if database in _MEMORY_PATHS:
        return None
    path = Path(database)
    return path.with_name(path.name + ".key")


def load_or_create_key(database: str) -> str:
    """The key in the file beside ``database``, made (mode 0600) when missing."""
    path = key_file_for(database)
    if path is None:
        return Fernet.generate_key().decode("ascii")
    if not path.exists():
        key = Fernet.generate_key().decode("ascii")
        # Written to a private temporary file, then linked into place: link() refuses to
        # replace an existing file, so two processes starting at once agree on one key
        # and nobody ever reads a half-written file.
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(key + "\n")
            os.link(temporary, path)
            log.info("created the token encryption key file %s (keep it with the database)", path)
            return key
        except FileExistsError:
            pass
        finally:
            temporary.unlink(missing_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("key file %s is readable by others (mode %o); chmod 600 it", path, mode)
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise ValueError(f"key file {path} is empty; delete it (linked accounts are then lost)")
    return key

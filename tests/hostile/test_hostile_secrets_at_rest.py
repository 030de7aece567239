"""A copy of the database alone gives nothing away (issue 15, item 8).

With SECRET_KEY and TELEGRAM_WEBHOOK_SECRET left empty the bot generates both; before,
they sat in plain text in the database beside the hashed user ids they protect, so a
copy of the file was enough to reverse guessed device ids.  Now they are sealed with the
token key, which lives in a mode-0600 file beside the database (or in
TOKEN_ENCRYPTION_KEY), and OAuth states are stored only as digests.  These tests take the
attacker's side: every byte of the database files, no key file.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bot.app import build_app
from bot.settings import load_settings
from core.models import Conversation, UserRef
from data.sqlite_store import SqliteStore
from tests.fakes.telegram_server import FakeTelegram
from tests.integration.test_scale_telegram import webhook_worker

GUESSED_DEVICES = ("device-0001", "device-0002", "android-1", "ios-1")


def database_bytes(path: Path) -> bytes:
    """The database file with its WAL and shared-memory files: what a copy would hold."""
    return b"".join(
        candidate.read_bytes()
        for candidate in (path, path.with_name(path.name + "-wal"),
                          path.with_name(path.name + "-shm"))
        if candidate.exists()
    )


def hash_with(secret: bytes, user: UserRef) -> str:
    """core.identity.UserKeys.key, as an attacker holding a candidate secret would run it."""
    message = f"{user.platform}\x00{user.user_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:40]


async def test_a_copy_of_a_fresh_database_reverses_no_guessed_device_id(tmp_path: Path) -> None:
    database = tmp_path / "echotuner.db"
    settings = load_settings({
        "DATABASE_FILENAME": str(database), "CATALOGUE": "demo",
        "SPOTIFY_CLIENT_ID": "client-id", "SPOTIFY_CLIENT_SECRET": "client-secret-value",
        "SPOTIFY_REDIRECT_URI": "http://127.0.0.1:9/auth/callback",
    }, env_file=None)
    async with build_app(settings) as app:
        secret = await app.store.get_meta("user_key_secret")
        assert secret is not None
        users = [UserRef("api", device) for device in GUESSED_DEVICES]
        keys = {app.engine.keys.key(user) for user in users}
        assert keys == {hash_with(secret.encode(), user) for user in users}  # the attack works
        assert app.linking is not None
        link = await app.linking.link_start(users[0], Conversation("api", "c"))
        state = parse_qs(urlsplit(link).query)["state"][0]
        on_disk = database_bytes(database)
    on_disk += database_bytes(database)

    assert secret.encode() not in on_disk
    assert state.encode() not in on_disk
    # Every printable run in the file, tried as the secret, reverses none of the guesses.
    candidates = set(re.findall(rb"[\x21-\x7e]{16,}", on_disk))
    assert candidates
    assert not any(hash_with(candidate, user) in keys
                   for candidate in candidates for user in users)
    key_file = database.with_name(database.name + ".key")
    assert key_file.stat().st_mode & 0o777 == 0o600


async def test_a_generated_telegram_webhook_secret_is_not_in_the_database(
    tmp_path: Path,
) -> None:
    database = tmp_path / "shared.db"
    fake = FakeTelegram()
    await fake.start()
    try:
        async with SqliteStore(database) as store:
            async with webhook_worker(fake, store, set_webhook=True) as (adapter, _url):
                secret = adapter.webhook_secret
                assert secret and fake.calls_of("setWebhook")[0].params["secret_token"] == secret
                on_disk = database_bytes(database)
    finally:
        await fake.close()
    assert secret.encode() not in on_disk + database_bytes(database)

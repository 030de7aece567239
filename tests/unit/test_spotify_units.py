"""Small rules of the Spotify issue: versions, PKCE, ids, encryption, limits, settings."""

from __future__ import annotations

import dataclasses

import pytest

from adapters.web.server import AttemptLimiter, callback_page
from bot.settings import SettingsError, load_settings
from core.ids import is_spotify_id, track_uri
from core.linking import code_challenge, playlist_description
from core.matching import version_penalty
from core.models import LinkOutcome, SongSuggestion
from core.resolve import Resolver, SearchStats
from data.token_cipher import FernetCipher, load_or_create_key
from tests.fakes.catalogue import FakeCatalogue, make_track


async def test_the_original_studio_recording_is_chosen_over_live_and_compilation_versions() -> None:
    catalogue = FakeCatalogue([
        make_track(1, "Heroes - Live at Wembley", "David Bowie"),
        dataclasses.replace(make_track(2, "Heroes", "David Bowie"), album="Best of Bowie"),
        make_track(3, "Heroes - 2017 Remaster", "David Bowie"),
        make_track(4, "Heroes", "David Bowie"),
    ])
    hit = await Resolver(catalogue).confirm(SongSuggestion("Heroes", "David Bowie"), SearchStats(),
                                            None)
    assert hit is not None and hit.id == make_track(4, "Heroes", "David Bowie").id


def test_a_version_the_suggestion_names_is_not_penalised() -> None:
    assert version_penalty("Hurt (Live)", "Hurt - Live", "Live at X") == 0
    assert version_penalty("Hurt", "Hurt - Live", "Live at X") > version_penalty(
        "Hurt", "Hurt - Remastered 2011", "Album")
    assert version_penalty("Hurt", "Hurt", "Greatest Hits") > version_penalty("Hurt", "Hurt", "Album")


def test_pkce_challenge_is_rfc_7636_s256() -> None:
    # The example of RFC 7636, appendix B.
    assert code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == (
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_spotify_ids_are_exactly_22_base62_characters() -> None:
    assert is_spotify_id("4uLU6hMCjMI75M1A2tKUQC")
    for bad in ("4uLU6hMCjMI75M1A2tKUQ", "4uLU6hMCjMI75M1A2tKUQCx", "4uLU6hMCjMI75M1A2tKU_C", "", None):
        assert not is_spotify_id(bad)
    with pytest.raises(ValueError):
        track_uri("spotify:track:4uLU6hMCjMI75M1A2tKUQC")


def test_the_description_names_the_prompt_on_one_bounded_line() -> None:
    assert playlist_description("calm <b>jazz</b>\nfor\tstudying") == (
        'Made with EchoTuner from "calm b jazz /b for studying"'
    )
    assert len(playlist_description("x" * 5000)) <= 300


def test_cipher_round_trips_refuses_tampering_and_decrypts_with_rotated_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    old = load_or_create_key(str(tmp_path / "a.db"))
    assert load_or_create_key(str(tmp_path / "a.db")) == old  # kept, not regenerated
    token = FernetCipher(old).encrypt(b"secret")
    assert FernetCipher(old).decrypt(token) == b"secret"
    new = load_or_create_key(str(tmp_path / "b.db"))
    assert FernetCipher(f"{new},{old}").decrypt(token) == b"secret"
    with pytest.raises(ValueError):
        FernetCipher(new).decrypt(token)
    with pytest.raises(ValueError):
        FernetCipher(old).decrypt(token[:-3] + b"AAA")
    with pytest.raises(ValueError):
        FernetCipher("not a key")


def test_attempts_are_limited_per_ip_within_the_window() -> None:
    now = [0.0]
    limiter = AttemptLimiter(2, 60, clock=lambda: now[0])
    assert limiter.attempt("1.2.3.4") == 0 and limiter.attempt("1.2.3.4") == 0
    assert limiter.attempt("1.2.3.4") > 0
    assert limiter.attempt("5.6.7.8") == 0
    now[0] = 61
    assert limiter.attempt("1.2.3.4") == 0


def test_the_callback_page_escapes_what_it_shows() -> None:
    page = callback_page(LinkOutcome(True, "Linked as <script>alert(1)</script>"))
    assert "<script>" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(("name", "value"), [
    ("SPOTIFY_MARKET", "USA"), ("SPOTIFY_API_URL", "ftp://x"), ("TOKEN_ENCRYPTION_KEY", "short"),
    ("SPOTIFY_REDIRECT_URI", "http://localhost:8080/auth/callback"), ("PUBLIC_BASE_URL", "nope"),
])
def test_bad_spotify_and_web_settings_are_refused_by_name(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value}, env_file=None)

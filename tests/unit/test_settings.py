"""Settings: typed, validated at start, named in every error, documented in .env.sample."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings, render_env_sample

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_need_no_configuration() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.database_filename == "echotuner.db"
    assert settings.provider_chain == ("ollama", "offline")
    assert not settings.spotify_configured


def test_settings_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        load_settings({}, env_file=None).max_songs_per_playlist = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("name", "value"),
    [("MAX_SONGS_PER_PLAYLIST", "lots"), ("PLAYLIST_LIMIT_ENABLED", "maybe"),
     ("PROMPT_VALIDATION_THRESHOLD", "1.5"), ("LOG_LEVEL", "LOUD"),
     ("OLLAMA_BASE_URL", "not a url"), ("AI_PROVIDERS", "ollama,skynet"),
     ("MAX_PLAYLISTS_PER_DAY", "-1"), ("SECRET_KEY", "short")],
)
def test_a_bad_value_is_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value}, env_file=None)


def test_secrets_are_not_echoed_in_errors_or_repr() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"SECRET_KEY": "tooshort"}, env_file=None)
    assert "tooshort" not in str(refused.value)
    settings = load_settings({"DISCORD_TOKEN": "discord-secret-token"}, env_file=None)
    assert "discord-secret-token" not in repr(settings)


def test_localhost_redirect_uri_is_refused_like_spotify_does() -> None:
    with pytest.raises(SettingsError, match="SPOTIFY_REDIRECT_URI"):
        load_settings({"SPOTIFY_REDIRECT_URI": "http://localhost:8080/auth/callback"}, env_file=None)
    ok = load_settings({"SPOTIFY_REDIRECT_URI": "http://127.0.0.1:9000/cb"}, env_file=None)
    assert ok.spotify_redirect_uri.endswith("/cb")


def test_dotenv_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("MAX_SONGS_PER_PLAYLIST=30\nDEFAULT_PLAYLIST_SIZE=10\n")
    settings = load_settings({"DEFAULT_PLAYLIST_SIZE": "15"}, env_file=env)
    assert (settings.max_songs_per_playlist, settings.default_playlist_size) == (30, 15)


def test_default_ai_provider_goes_first_in_the_chain() -> None:
    settings = load_settings(
        {"AI_PROVIDERS": "ollama,offline", "DEFAULT_AI_PROVIDER": "openai", "OPENAI_API_KEY": "sk-x"},
        env_file=None,
    )
    assert settings.provider_chain == ("openai", "ollama", "offline")


def test_default_size_above_the_maximum_is_refused() -> None:
    with pytest.raises(SettingsError, match="DEFAULT_PLAYLIST_SIZE"):
        load_settings({"DEFAULT_PLAYLIST_SIZE": "40", "MAX_SONGS_PER_PLAYLIST": "30"}, env_file=None)


def test_env_sample_lists_every_setting_with_its_default() -> None:
    assert (ROOT / ".env.sample").read_text() == render_env_sample()
    for f in dataclasses.fields(Settings):
        assert f"\n{f.name.upper()}=" in render_env_sample()


def test_web_side_counts_as_exposed_beyond_loopback_or_with_a_public_url() -> None:
    from bot.settings import load_settings

    assert not load_settings({}, env_file=None).web_exposed
    assert load_settings({"WEB_HOST": "0.0.0.0"}, env_file=None).web_exposed
    assert load_settings({"PUBLIC_BASE_URL": "https://bot.example.org"}, env_file=None).web_exposed
    assert not load_settings({"WEB_HOST": "::1"}, env_file=None).web_exposed


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    import pytest

    from bot.settings import SettingsError, load_settings

    assert load_settings({"TRUSTED_PROXIES": "127.0.0.1,10.0.0.0/8"}, env_file=None).trusted_proxies
    with pytest.raises(SettingsError, match="TRUSTED_PROXIES"):
        load_settings({"TRUSTED_PROXIES": "proxy.local"}, env_file=None)

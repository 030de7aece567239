"""Settings: one typed, frozen object built from the environment and ``.env``.

Each field names its environment variable, default and help text once; the
loader, the validation messages and ``.env.sample`` (checked by a test) all come
from this one table.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints
from urllib.parse import urlparse

from dotenv import dotenv_values

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
AI_PROVIDER_NAMES = ("ollama", "openai", "anthropic", "custom", "offline")
CATALOGUE_CHOICES = ("auto", "demo", "spotify")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def _setting(
    default: Any,
    help: str,
    *,
    section: str,
    secret: bool = False,
    choices: tuple[str, ...] | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    check: Callable[[Any], str | None] | None = None,
) -> Any:
    return field(
        default=default,
        repr=not secret,
        metadata={
            "help": help,
            "section": section,
            "secret": secret,
            "choices": choices,
            "minimum": minimum,
            "maximum": maximum,
            "check": check,
        },
    )


def _http_url(value: str) -> str | None:
    parsed = urlparse(value)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        return "must be an http(s) URL such as http://127.0.0.1:11434"
    return None


def _optional_http_url(value: str) -> str | None:
    return _http_url(value) if value else None


def _redirect_uri(value: str) -> str | None:
    # Spotify refuses "localhost" and plain-http hosts other than the loopback literal.
    parsed = urlparse(value)
    if parsed.scheme == "https" and parsed.netloc:
        return None
    if parsed.scheme == "http" and parsed.hostname in {"127.0.0.1", "::1"}:
        return None
    return "must be https://... or http://127.0.0.1:PORT/... (Spotify refuses 'localhost')"


def _providers(value: tuple[str, ...]) -> str | None:
    unknown = [p for p in value if p not in AI_PROVIDER_NAMES]
    if unknown:
        return f"unknown provider {unknown[0]!r}; choose from {', '.join(AI_PROVIDER_NAMES)}"
    return None


def _secret_key(value: str) -> str | None:
    if value and len(value) < 16:
        return "must be at least 16 characters (or empty to let the bot generate one)"
    return None


@dataclass(frozen=True)
class Settings:
    """Everything the operator can configure.  Secrets are hidden from ``repr``."""

    # General
    log_level: str = _setting("INFO", "Log level.", section="General", choices=LOG_LEVELS)
    database_filename: str = _setting(
        "echotuner.db", "SQLite database file (relative to the working directory).",
        section="General",
    )
    secret_key: str = _setting(
        "", "Secret for hashing user ids and encrypting tokens (16+ chars). Empty: generated "
        "once and kept in the database.", section="General", secret=True, check=_secret_key,
    )
    # Playlists and limits
    default_playlist_size: int = _setting(
        20, "Tracks in a playlist when the user gives no count.", section="Playlists",
        minimum=5, maximum=100,
    )
    max_songs_per_playlist: int = _setting(
        50, "Most tracks a playlist may have (admins may lower it per server/group).",
        section="Playlists", minimum=5, maximum=100,
    )
    max_tracks_per_artist: int = _setting(
        3, "Most tracks by one artist in a playlist.", section="Playlists", minimum=1, maximum=50,
    )
    max_prompt_length: int = _setting(
        500, "Longest prompt accepted, in characters.", section="Playlists",
        minimum=20, maximum=4000,
    )
    draft_ttl_hours: int = _setting(
        72, "Hours a playlist draft (and its prompt) is kept for refining and saving.",
        section="Playlists", minimum=1, maximum=24 * 90,
    )
    playlist_limit_enabled: bool = _setting(
        True, "Limit playlists per user per UTC day.", section="Limits",
    )
    max_playlists_per_day: int = _setting(
        10, "Playlists per user per UTC day (default for every server/group).",
        section="Limits", minimum=0, maximum=10_000,
    )
    refinement_limit_enabled: bool = _setting(
        True, "Limit refinements per playlist.", section="Limits",
    )
    max_refinements_per_playlist: int = _setting(
        3, "Refinements per playlist.", section="Limits", minimum=0, maximum=1000,
    )
    session_timeout: int = _setting(
        24, "Hours an API/OAuth session stays valid.", section="Limits", minimum=1, maximum=24 * 30,
    )
    max_auth_attempts_per_ip: int = _setting(
        20, "OAuth callback attempts allowed per IP address per window.", section="Limits",
        minimum=1, maximum=10_000,
    )
    auth_attempt_window_minutes: int = _setting(
        15, "Length of that window, in minutes.", section="Limits", minimum=1, maximum=24 * 60,
    )
    # Catalogue and caching
    catalogue: str = _setting(
        "auto", "Music catalogue: auto (Spotify when its credentials are set, else demo), "
        "demo, or spotify.", section="Catalogue", choices=CATALOGUE_CHOICES,
    )
    cache_enabled: bool = _setting(True, "Cache catalogue searches.", section="Catalogue")
    cache_ttl_seconds: int = _setting(
        3600, "How long a cached search stays fresh.", section="Catalogue",
        minimum=1, maximum=7 * 24 * 3600,
    )
    search_concurrency: int = _setting(
        8, "Catalogue searches in flight at once per playlist.", section="Catalogue",
        minimum=1, maximum=64,
    )
    # Language models
    ai_providers: tuple[str, ...] = _setting(
        ("offline",), "Fallback chain of model providers, comma separated "
        "(ollama, openai, anthropic, custom, offline).", section="Models", check=_providers,
    )
    default_ai_provider: str = _setting(
        "", "When set, this provider goes first in the chain.", section="Models",
        choices=("", *AI_PROVIDER_NAMES),
    )
    ollama_base_url: str = _setting(
        "http://127.0.0.1:11434", "Ollama server URL.", section="Models", check=_http_url,
    )
    ollama_generation_model: str = _setting(
        "llama3.2:3b", "Ollama model that plans playlists.", section="Models",
    )
    ollama_validation_model: str = _setting(
        "nomic-embed-text", "Ollama embedding model for prompt validation.", section="Models",
    )
    ollama_timeout: float = _setting(
        60.0, "Seconds to wait for Ollama.", section="Models", minimum=1, maximum=600,
    )
    embedding_provider: str = _setting(
        "none", "Embeddings for prompt validation: ollama, openai, custom or none (lexical check).",
        section="Models", choices=("none", "ollama", "openai", "custom"),
    )
    prompt_validation_threshold: float = _setting(
        0.6, "Similarity (0..1) a prompt needs to count as a music request.", section="Models",
        minimum=0, maximum=1,
    )
    prompt_validation_timeout: float = _setting(
        10.0, "Seconds to wait for the validation embedding.", section="Models",
        minimum=0.5, maximum=120,
    )
    # (Model provider settings of the models issue go here.)
    # Spotify
    spotify_client_id: str = _setting("", "Spotify app client id.", section="Spotify", secret=True)
    spotify_client_secret: str = _setting(
        "", "Spotify app client secret.", section="Spotify", secret=True,
    )
    spotify_redirect_uri: str = _setting(
        "http://127.0.0.1:8080/auth/callback",
        "OAuth redirect URI registered with Spotify (https, or http://127.0.0.1:PORT).",
        section="Spotify", check=_redirect_uri,
    )
    # (Spotify settings of the Spotify issue go here.)
    # Web side
    web_host: str = _setting("127.0.0.1", "Address the web side listens on.", section="Web")
    web_port: int = _setting(8080, "Port the web side listens on.", section="Web",
                             minimum=1, maximum=65535)
    # (Web/REST settings go here.)
    # Discord
    discord_token: str = _setting("", "Discord bot token.", section="Discord", secret=True)
    # (Discord settings go here.)
    # Telegram
    telegram_token: str = _setting("", "Telegram bot token.", section="Telegram", secret=True)
    # (Telegram settings go here.)

    @property
    def spotify_configured(self) -> bool:
        return bool(self.spotify_client_id and self.spotify_client_secret)

    @property
    def provider_chain(self) -> tuple[str, ...]:
        """The model fallback chain, with DEFAULT_AI_PROVIDER first when set."""
        chain = list(self.ai_providers)
        if self.default_ai_provider:
            chain = [self.default_ai_provider, *[p for p in chain if p != self.default_ai_provider]]
        return tuple(chain)


def env_name(f: dataclasses.Field[Any]) -> str:
    return f.name.upper()


def _format_default(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _convert(f: dataclasses.Field[Any], kind: Any, raw: str) -> Any:
    name = env_name(f)
    text = raw.strip()
    if kind is bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise SettingsError(f"{name}={raw!r}: expected true or false")
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise SettingsError(f"{name}={raw!r}: expected a whole number") from None
    if kind is float:
        try:
            return float(text)
        except ValueError:
            raise SettingsError(f"{name}={raw!r}: expected a number") from None
    if kind == tuple[str, ...]:
        return tuple(p.strip().lower() for p in text.split(",") if p.strip())
    return text


def _check(f: dataclasses.Field[Any], value: Any) -> None:
    meta = f.metadata
    name = env_name(f)
    shown = "(hidden)" if meta["secret"] else repr(value)
    if meta["choices"] is not None and value not in meta["choices"]:
        options = ", ".join(c or "(empty)" for c in meta["choices"])
        raise SettingsError(f"{name}={shown}: choose one of {options}")
    if meta["minimum"] is not None and value < meta["minimum"]:
        raise SettingsError(f"{name}={shown}: must be at least {meta['minimum']}")
    if meta["maximum"] is not None and value > meta["maximum"]:
        raise SettingsError(f"{name}={shown}: must be at most {meta['maximum']}")
    if meta["check"] is not None:
        problem = meta["check"](value)
        if problem:
            raise SettingsError(f"{name}={shown}: {problem}")


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
) -> Settings:
    """Reads ``.env`` (when present) under the process environment and validates it all.

    Real environment variables win over ``.env``, as python-dotenv does by default.
    """
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    hints = get_type_hints(Settings)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        raw = values.get(env_name(f))
        value = f.default if raw is None or (raw.strip() == "" and f.default != "") else (
            _convert(f, hints[f.name], raw)
        )
        _check(f, value)
        kwargs[f.name] = value
    settings = Settings(**kwargs)
    if settings.catalogue == "spotify" and not settings.spotify_configured:
        raise SettingsError(
            "CATALOGUE=spotify needs SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET to be set"
        )
    if settings.default_playlist_size > settings.max_songs_per_playlist:
        raise SettingsError(
            "DEFAULT_PLAYLIST_SIZE must not exceed MAX_SONGS_PER_PLAYLIST "
            f"({settings.default_playlist_size} > {settings.max_songs_per_playlist})"
        )
    return settings


def render_env_sample() -> str:
    """The text of ``.env.sample``: every setting, commented, with its default."""
    lines = [
        "# EchoTuner settings. Copy to .env and change what you need;",
        "# every line below shows the default. Real environment variables win over .env.",
    ]
    section = None
    for f in dataclasses.fields(Settings):
        if f.metadata["section"] != section:
            section = f.metadata["section"]
            lines += ["", f"# --- {section} ---"]
        lines.append(f"# {f.metadata['help']}")
        lines.append(f"{env_name(f)}={_format_default(f.default)}")
    return "\n".join(lines) + "\n"

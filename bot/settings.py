"""Settings: one typed, frozen object built from the environment and ``.env``.

Each field names its environment variable, default and help text once; the
loader, the validation messages and ``.env.sample`` (checked by a test) all come
from this one table.
"""

from __future__ import annotations

import base64
import dataclasses
import ipaddress
import json
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


def _market(value: str) -> str | None:
    if value and not (len(value) == 2 and value.isascii() and value.isalpha()):
        return "must be a two-letter country code such as US or DE (or empty)"
    return None


def _fernet_keys(value: str) -> str | None:
    # A Fernet key is 32 bytes in url-safe base64 (44 characters).
    for key in (k.strip() for k in value.split(",") if k.strip()):
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raw = b""
        if len(raw) != 32 or len(key) != 44:
            return "must be Fernet keys (44 url-safe base64 characters each), comma separated"
    return None


def _networks(value: tuple[str, ...]) -> str | None:
    for item in value:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            return f"{item!r} is not an IP address or network such as 10.0.0.0/8"
    return None


def _secret_key(value: str) -> str | None:
    if value and len(value) < 16:
        return "must be at least 16 characters (or empty to let the bot generate one)"
    return None


def _database_url(value: str) -> str | None:
    # Only the scheme is checked here: libpq URLs may omit the host (local socket) or
    # list several hosts, and the store reports anything else at start in one line.
    if value and not value.startswith(("postgresql://", "postgres://")):
        return "must start with postgresql:// or postgres:// (or be empty to use SQLite)"
    return None


def parse_shard_ids(value: str) -> tuple[int, ...]:
    """DISCORD_SHARD_IDS as sorted shard numbers: "0-3", "4,5,6" or "0-1,6" (empty: none)."""
    ids: set[int] = set()
    for part in (p.strip() for p in value.split(",") if p.strip()):
        low, dash, high = part.partition("-")
        if not low.strip().isdigit() or (dash and not high.strip().isdigit()):
            raise ValueError(f"{part!r} is not a shard number or a range such as 0-3")
        first, last = int(low), int(high) if dash else int(low)
        if last < first:
            raise ValueError(f"{part!r} runs backwards")
        ids.update(range(first, last + 1))
    return tuple(sorted(ids))


def _shard_ids(value: str) -> str | None:
    try:
        parse_shard_ids(value)
    except ValueError as exc:
        return f"{exc} (write a range such as 0-3 or a list such as 0,2,5)"
    return None


def parse_headers(value: str) -> dict[str, str]:
    """CUSTOM_AI_HEADERS as a dict: a JSON object of header names to string values."""
    if not value.strip():
        return {}
    data = json.loads(value)
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValueError("not an object of strings")
    return data


def _header_json(value: str) -> str | None:
    try:
        parse_headers(value)
    except ValueError:  # json.JSONDecodeError is a ValueError
        return 'must be a JSON object of header names to strings, e.g. {"X-Title": "EchoTuner"}'
    return None


def _check_scale_settings(settings: Settings) -> None:
    """Discord shard ids need the total count, and must be below it."""
    ids = parse_shard_ids(settings.discord_shard_ids)
    if ids and not settings.discord_shard_count:
        raise SettingsError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the total across processes)")
    if ids and ids[-1] >= settings.discord_shard_count:
        raise SettingsError(
            f"DISCORD_SHARD_IDS names shard {ids[-1]}, but shards are numbered 0 to "
            f"{settings.discord_shard_count - 1} (DISCORD_SHARD_COUNT={settings.discord_shard_count})"
        )


def _check_model_settings(settings: Settings) -> None:
    """Each provider named in the chain (or for embeddings) has the settings it needs."""
    needs = {
        "openai": ("OPENAI_API_KEY", settings.openai_api_key),
        "anthropic": ("ANTHROPIC_API_KEY", settings.anthropic_api_key),
        "custom": ("CUSTOM_AI_BASE_URL", settings.custom_ai_base_url),
    }
    for provider in settings.provider_chain:
        if provider in needs and not needs[provider][1]:
            named_by = "AI_PROVIDERS" if provider in settings.ai_providers else "DEFAULT_AI_PROVIDER"
            raise SettingsError(f"{named_by} names {provider}, which needs {needs[provider][0]} to be set")
    embedding = settings.embedding_provider
    if embedding in needs and not needs[embedding][1]:
        raise SettingsError(f"EMBEDDING_PROVIDER={embedding} needs {needs[embedding][0]} to be set")
    if embedding == "custom" and not (settings.custom_embedding_model or settings.custom_ai_model):
        raise SettingsError("EMBEDDING_PROVIDER=custom needs CUSTOM_EMBEDDING_MODEL (or CUSTOM_AI_MODEL)")


@dataclass(frozen=True)
class Settings:
    """Everything the operator can configure.  Secrets are hidden from ``repr``."""

    # General
    log_level: str = _setting("INFO", "Log level.", section="General", choices=LOG_LEVELS)
    database_filename: str = _setting(
        "echotuner.db", "SQLite database file (relative to the working directory).",
        section="General",
    )
    database_busy_timeout: float = _setting(  # (issue 8)
        5.0, "Seconds a SQLite write waits for another process's lock before answering "
        "'busy, try again'.", section="General", minimum=0.05, maximum=120,
    )
    # PostgreSQL (issue 10)
    database_url: str = _setting(
        "", "PostgreSQL URL (postgresql://user:password@host:5432/db) shared by every bot "
        "process. Empty: SQLite at DATABASE_FILENAME.", section="General", secret=True,
        check=_database_url,
    )
    db_pool_min_size: int = _setting(
        1, "PostgreSQL connections each process keeps open.", section="General",
        minimum=0, maximum=100,
    )
    db_pool_max_size: int = _setting(
        10, "Most PostgreSQL connections each process opens.", section="General",
        minimum=1, maximum=100,
    )
    db_acquire_timeout: float = _setting(
        10.0, "Seconds a request waits for a free PostgreSQL connection before 'busy'.",
        section="General", minimum=0.1, maximum=300,
    )
    # Running at scale (issue 10)
    log_format: str = _setting(
        "text", "Log format: text (for people) or json (one JSON object a line, for log "
        "collectors).", section="General", choices=("text", "json"),
    )
    reservation_ttl_seconds: int = _setting(
        600, "Seconds a quota reservation counts before its playlist is delivered; one left by "
        "a crashed process stops counting after this. Keep it above the longest generation.",
        section="General", minimum=1, maximum=24 * 3600,
    )
    housekeeping_interval_seconds: int = _setting(
        60, "Seconds between sweeps of expired drafts, OAuth states, caches and reservations "
        "(every process sweeps; it is safe to run them side by side).", section="General",
        minimum=1, maximum=3600,
    )
    secret_key: str = _setting(
        "", "Secret for hashing user ids and encrypting tokens (16+ chars). Empty: generated "
        "once and kept in the database, encrypted with the token key (TOKEN_ENCRYPTION_KEY).",
        section="General", secret=True, check=_secret_key,
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
    blend_window_seconds: int = _setting(
        300, "Seconds a /blend invitation stays open for members to join before it expires "
        "(its starter may press Start sooner).", section="Playlists", minimum=30, maximum=3600,
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
        20, "Failed OAuth callback attempts (unknown or spent sign-in links) allowed per "
        "client address per window; a pending sign-in is never refused.", section="Limits",
        minimum=1, maximum=10_000,
    )
    auth_attempt_window_minutes: int = _setting(
        15, "Length of that window, in minutes (capped at half a sign-in link's ten minutes).",
        section="Limits", minimum=1, maximum=24 * 60,
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
        ("ollama", "offline"), "Fallback chain of model providers, comma separated "
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
        60.0, "Seconds to wait for Ollama.", section="Models", minimum=0.1, maximum=600,
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
        minimum=0.1, maximum=120,
    )
    # (Model provider settings of the models issue go here.)
    ollama_auto_pull: bool = _setting(
        False, "Pull a missing Ollama model (generation or validation) in the background; "
        "requests use the next provider meanwhile.", section="Models",
    )
    ollama_model_pull_timeout: float = _setting(
        900.0, "Seconds an automatic Ollama pull may take before it is abandoned.",
        section="Models", minimum=10, maximum=24 * 3600,
    )
    openai_api_key: str = _setting(
        "", "OpenAI API key (needed when AI_PROVIDERS or EMBEDDING_PROVIDER names openai).",
        section="Models", secret=True,
    )
    openai_model: str = _setting("gpt-4o-mini", "OpenAI chat model.", section="Models")
    openai_base_url: str = _setting(
        "", "OpenAI API base URL, with /v1 (empty: https://api.openai.com/v1).", section="Models",
        check=_optional_http_url,
    )
    openai_embedding_model: str = _setting(
        "text-embedding-3-small", "OpenAI embedding model for prompt validation.", section="Models",
    )
    openai_timeout: float = _setting(
        30.0, "Seconds to wait for OpenAI.", section="Models", minimum=0.1, maximum=600,
    )
    anthropic_api_key: str = _setting(
        "", "Anthropic API key (needed when AI_PROVIDERS names anthropic).", section="Models",
        secret=True,
    )
    anthropic_model: str = _setting("claude-haiku-4-5", "Anthropic model.", section="Models")
    anthropic_base_url: str = _setting(
        "", "Anthropic API base URL (empty: https://api.anthropic.com).", section="Models",
        check=_optional_http_url,
    )
    anthropic_timeout: float = _setting(
        30.0, "Seconds to wait for Anthropic.", section="Models", minimum=0.1, maximum=600,
    )
    custom_ai_base_url: str = _setting(
        "", "Base URL of an OpenAI-compatible endpoint, with /v1 (llama.cpp's llama-server, "
        "vLLM, LM Studio, OpenRouter...), e.g. http://127.0.0.1:8081/v1.", section="Models",
        check=_optional_http_url,
    )
    custom_ai_model: str = _setting(
        "", "Model name at that endpoint (empty: the first model it lists).", section="Models",
    )
    custom_ai_api_key: str = _setting(
        "", "API key for that endpoint (empty: none).", section="Models", secret=True,
    )
    custom_ai_headers: str = _setting(
        "", 'Extra HTTP headers for that endpoint, as a JSON object: {"X-Title": "EchoTuner"}.',
        section="Models", secret=True, check=_header_json,
    )
    custom_embedding_model: str = _setting(
        "", "Embedding model at that endpoint (EMBEDDING_PROVIDER=custom; empty: CUSTOM_AI_MODEL).",
        section="Models",
    )
    custom_ai_timeout: float = _setting(
        120.0, "Seconds to wait for that endpoint.", section="Models", minimum=0.1, maximum=600,
    )
    # Resilience of the model providers (issue 8)
    model_rest_seconds: float = _setting(
        30.0, "Seconds a model provider that timed out or lost its model is skipped before it is "
        "asked again (a refused key: ten times as long; a 429: its Retry-After).",
        section="Models", minimum=0.1, maximum=3600,
    )
    embedder_rest_seconds: float = _setting(
        30.0, "Seconds the lexical check answers alone after the embedder failed, before the "
        "embedder is asked again.", section="Models", minimum=0.1, maximum=3600,
    )
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
    spotify_market: str = _setting(
        "US", "Market (ISO 3166-1 alpha-2 country) for searches: tracks playable there win. "
        "Empty: no market.", section="Spotify", check=_market,
    )
    spotify_api_url: str = _setting(
        "https://api.spotify.com/v1/", "Spotify Web API base URL (point it at a mock or proxy).",
        section="Spotify", check=_http_url,
    )
    spotify_accounts_url: str = _setting(
        "https://accounts.spotify.com/", "Spotify accounts service base URL (/authorize, "
        "/api/token).", section="Spotify", check=_http_url,
    )
    spotify_timeout: float = _setting(
        10.0, "Seconds to wait for one Spotify request.", section="Spotify",
        minimum=0.1, maximum=120,
    )
    spotify_pool_size: int = _setting(
        8, "Worker threads (and pooled connections) for Spotify calls.", section="Spotify",
        minimum=1, maximum=64,
    )
    spotify_max_retries: int = _setting(
        3, "Retries of a Spotify call after a 5xx answer or a timeout (with backoff).",
        section="Spotify", minimum=0, maximum=10,
    )
    token_encryption_key: str = _setting(
        "", "Fernet key(s) encrypting Spotify tokens and generated secrets at rest (comma "
        "separated: the first encrypts, all decrypt). Empty: generated into "
        "<DATABASE_FILENAME>.key (mode 0600); with DATABASE_URL there is no such file, so set "
        "it (the same in every process) unless SECRET_KEY is set and Spotify is not.",
        section="Spotify", secret=True, check=_fernet_keys,
    )
    # Web side
    web_host: str = _setting("127.0.0.1", "Address the web side listens on.", section="Web")
    web_port: int = _setting(8080, "Port the web side listens on.", section="Web",
                             minimum=1, maximum=65535)
    # (Web/REST settings go here.)
    metrics_enabled: bool = _setting(
        False, "Serve Prometheus metrics at /metrics on the web side (requests, generation "
        "latency, provider errors, quota refusals, active adapters).", section="Web",
    )
    metrics_token: str = _setting(
        "", "Token /metrics asks for (Authorization: Bearer). Empty: /metrics answers "
        "local visitors only (not proxied ones); required when the web side is exposed "
        "(README: Deploying behind a proxy).", section="Web", secret=True,
        check=lambda v: "must be at least 16 characters (or empty)" if v and len(v) < 16 else None,
    )
    public_base_url: str = _setting(
        "", "Public URL of the web side (e.g. https://bot.example.org). Empty: "
        "http://WEB_HOST:WEB_PORT.", section="Web", check=_optional_http_url,
    )
    secure_headers: bool = _setting(
        True, "Send security headers (CSP, nosniff, frame denial, no referrer; HSTS on https).",
        section="Web",
    )
    rest_api_enabled: bool = _setting(
        False, "Serve the REST API beside the chat platforms (`python -m bot serve` always does).",
        section="Web",
    )
    api_keys: tuple[str, ...] = _setting(
        (), "Comma-separated keys REST clients must send (X-API-Key or Bearer); the key "
        "holder vouches for its device ids. Empty: device ids alone on loopback; a server "
        "reachable from elsewhere then needs device secrets (POST /register-device).",
        section="Web", secret=True,
        check=lambda keys: "each key must be at least 16 characters"
        if any(len(k) < 16 for k in keys) else None,
    )
    max_request_bytes: int = _setting(
        65536, "Largest REST request body accepted, in bytes.", section="Web",
        minimum=1024, maximum=10 * 1024 * 1024,
    )
    api_client_generations_per_day: int = _setting(
        200, "REST generations (generate, refine) one client address may ask for in a "
        "day, whatever device ids it sends; 0: no limit. Counted per process.",
        section="Web", minimum=0, maximum=1_000_000,
    )
    api_client_signins_per_day: int = _setting(
        50, "REST device registrations and Spotify sign-ins (/auth/init) one client address "
        "may start in a day; 0: no limit. Counted per process.",
        section="Web", minimum=0, maximum=1_000_000,
    )
    trusted_proxies: tuple[str, ...] = _setting(
        (), "Comma-separated addresses or networks (CIDR) of reverse proxies in front of the "
        "web side. Only from these is X-Forwarded-For (or Forwarded / X-Real-IP) believed "
        "for the client's address; from anyone else the TCP peer is the client.",
        section="Web", check=_networks,
    )
    web_keepalive_timeout: float = _setting(
        15.0, "Seconds an idle connection to the web side stays open, and the most a client "
        "may take to send a request line and headers (a slow sender is cut off).",
        section="Web", minimum=0.5, maximum=3600,
    )
    # Pages (issue 11)
    status_token: str = _setting(
        "", "Token for the operator's status page /status (Authorization: Bearer, or "
        "?token=). Empty: /status answers local visitors only (not proxied ones); required "
        "when the web side is exposed (README: Deploying behind a proxy).", section="Web", secret=True,
        check=lambda v: "must be at least 16 characters (or empty)" if v and len(v) < 16 else None,
    )
    # Discord
    discord_token: str = _setting("", "Discord bot token.", section="Discord", secret=True)
    discord_guild_ids: tuple[str, ...] = _setting(
        (), "Comma-separated server ids to sync slash commands to at once (development); "
        "empty: sync globally (may take a while to appear).", section="Discord",
        check=lambda ids: next(
            (f"{g!r} is not a Discord server id (15 to 21 digits)" for g in ids
             if not (g.isdigit() and 15 <= len(g) <= 21)), None),
    )
    discord_api_url: str = _setting(
        "https://discord.com/api/v10", "Discord REST base URL; point it at a proxy or a test "
        "double (the gateway is then the one its GET /gateway/bot names).", section="Discord",
        check=_http_url,
    )
    # (Discord settings go here.)
    discord_timeout: float = _setting(  # (issue 8)
        10.0, "Seconds one Discord REST call may take, retries and answer included.",
        section="Discord", minimum=0.1, maximum=300,
    )
    discord_shard_count: int = _setting(
        0, "Total shards of the bot across every process. 0: one process runs all shards and "
        "Discord says how many.", section="Discord", minimum=0, maximum=100_000,
    )
    discord_shard_ids: str = _setting(
        "", "Shards this process runs, as a range (0-3) or a list (4,5,6); needs "
        "DISCORD_SHARD_COUNT. Empty: all of them.", section="Discord", check=_shard_ids,
    )
    discord_sync_commands: bool = _setting(
        True, "Register the slash commands with Discord at start. With several shard "
        "processes, leave it true on one and set false on the others.", section="Discord",
    )
    # Telegram
    telegram_token: str = _setting("", "Telegram bot token.", section="Telegram", secret=True)
    # (Telegram settings go here.)
    telegram_set_webhook: bool = _setting(
        True, "In webhook mode, register the webhook (setWebhook) and the command menu at "
        "start. With several webhook workers, leave it true on one and set false on the others.",
        section="Telegram",
    )
    telegram_api_url: str = _setting(
        "https://api.telegram.org", "Telegram Bot API server (set it for a self-hosted Bot API "
        "server).", section="Telegram", check=_http_url,
    )
    telegram_timeout: float = _setting(  # (issue 8)
        10.0, "Seconds one Telegram Bot API call may take, answer complete (a long poll gets "
        "its wait on top).", section="Telegram", minimum=0.1, maximum=300,
    )
    telegram_concurrent_updates: int = _setting(  # (issue 8)
        32, "Telegram updates handled at once; more wait their turn (Telegram's flood limits "
        "cap how fast answers go out anyway, and a bound keeps a burst from stalling the bot).",
        section="Telegram", minimum=1, maximum=1024,
    )
    telegram_webhook_url: str = _setting(
        "", "Public https URL Telegram posts updates to, served by the web side on WEB_PORT at "
        "this URL's path. Empty: long polling.", section="Telegram", check=_optional_http_url,
    )
    telegram_webhook_secret: str = _setting(
        "", "Secret Telegram sends with each webhook call (A-Z, a-z, 0-9, _ and -). Empty: "
        "generated once and kept in the database (encrypted with the token key), shared by "
        "every webhook worker.",
        section="Telegram", secret=True,
        check=lambda v: None if len(v) <= 256 and all(
            c.isascii() and (c.isalnum() or c in "_-") for c in v
        ) else "use up to 256 characters from A-Z, a-z, 0-9, _ and -",
    )

    @property
    def discord_shard_id_list(self) -> tuple[int, ...]:
        """DISCORD_SHARD_IDS as numbers (empty: every shard)."""
        return parse_shard_ids(self.discord_shard_ids)

    @property
    def web_exposed(self) -> bool:
        """True when the web side may be reached from beyond this machine.

        That is: a public URL is set, or it listens on an address that is not loopback.
        Operator pages and device routes then fail closed (they need their tokens).
        A public URL on a loopback host (``http://127.0.0.1:8080``) does not count; a
        Telegram webhook (``TELEGRAM_WEBHOOK_URL``) does, and so does a Spotify redirect
        (``SPOTIFY_REDIRECT_URI``) to another host when linking is configured.
        """
        # A loopback PUBLIC_BASE_URL publishes nothing.  Telegram's webhook, and Spotify's
        # redirect to a non-loopback host, reach WEB_HOST from elsewhere: through a proxy.
        public = [self.public_base_url]
        if self.spotify_configured:
            public.append(self.spotify_redirect_uri)
        if any(url and not _loopback_host(urlparse(url).hostname or "") for url in public):
            return True
        return bool(self.telegram_webhook_url) or not _loopback_host(self.web_host)

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


def _loopback_host(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name that may resolve anywhere


def check_operator_tokens(settings: Settings) -> None:
    """Refuses (``SettingsError``) to start an exposed web side whose operator routes lack tokens.

    Without a token, ``/status`` and ``/metrics`` answer local, unproxied visitors only,
    and a reverse proxy on this machine that adds no forwarding header (nginx's default
    ``proxy_pass``) makes every visitor look local.  So when the web side may be reached
    from elsewhere (``Settings.web_exposed``), the tokens are required.
    """
    if not settings.web_exposed:
        return
    why = ("the web side is reachable beyond this machine (PUBLIC_BASE_URL, "
           "TELEGRAM_WEBHOOK_URL or SPOTIFY_REDIRECT_URI names a public address, or WEB_HOST "
           "is not a loopback address) and a reverse proxy's visitors can look local")
    if not settings.status_token:
        raise SettingsError(f"STATUS_TOKEN must be set: {why}. Set STATUS_TOKEN (16 characters "
                            "or more) to read /status.")
    if settings.metrics_enabled and not settings.metrics_token:
        raise SettingsError(f"METRICS_TOKEN must be set when METRICS_ENABLED=true: {why}. Set "
                            "METRICS_TOKEN (16 characters or more) to read /metrics.")


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
        items = tuple(p.strip() for p in text.split(",") if p.strip())
        # Provider names are case-blind; other lists (API keys, ids) are kept exactly.
        return tuple(p.lower() for p in items) if f.name == "ai_providers" else items
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
    if settings.db_pool_min_size > settings.db_pool_max_size:
        raise SettingsError(
            "DB_POOL_MIN_SIZE must not exceed DB_POOL_MAX_SIZE "
            f"({settings.db_pool_min_size} > {settings.db_pool_max_size})"
        )
    _check_scale_settings(settings)
    _check_model_settings(settings)
    return settings


def secret_values(settings: Settings) -> tuple[str, ...]:
    """Every secret setting's value, for the log redactor (issue 8).

    Taken from the table (``secret=True``), so a secret added later is redacted without
    anyone remembering to; lists (API_KEYS) give each item, and a Telegram token also its
    secret half (the part after the bot id).
    """
    found: list[str] = []
    for f in dataclasses.fields(Settings):
        if not f.metadata["secret"]:
            continue
        value = getattr(settings, f.name)
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if isinstance(item, str) and item:
                found.append(item)
                if f.name == "telegram_token" and ":" in item:
                    found.append(item.split(":", 1)[1])
                if f.name == "custom_ai_headers":
                    found.extend(v for v in parse_headers(item).values() if v)
    return tuple(found)


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

"""Composition root: builds every collaborator once and hands them to the engine."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from adapters.ai.offline import OfflineStrategyProvider
from adapters.music.demo_catalogue import DemoCatalogue
from bot.model_chain import build_model_chain
from bot.settings import Settings
from core.cache import CachingCatalogue
from core.engine import Engine, EngineConfig
from core.identity import UserKeys
from core.models import LimitSettings
from core.ports import ChatModel, MusicCatalogue, PromptValidator
from core.validation import LexicalValidator
from data.sqlite_store import SqliteStore

log = logging.getLogger(__name__)


@dataclass
class App:
    """The wired bot: the engine and what it was built from."""

    settings: Settings
    engine: Engine
    store: SqliteStore
    catalogue: MusicCatalogue
    model: ChatModel


def engine_config(settings: Settings) -> EngineConfig:
    return EngineConfig(
        defaults=LimitSettings(
            playlist_limit_enabled=settings.playlist_limit_enabled,
            max_playlists_per_day=settings.max_playlists_per_day,
            refinement_limit_enabled=settings.refinement_limit_enabled,
            max_refinements_per_playlist=settings.max_refinements_per_playlist,
            max_songs=settings.max_songs_per_playlist,
        ),
        default_count=settings.default_playlist_size,
        max_prompt_length=settings.max_prompt_length,
        max_tracks_per_artist=settings.max_tracks_per_artist,
        draft_ttl=timedelta(hours=settings.draft_ttl_hours),
        search_concurrency=settings.search_concurrency,
    )


def build_catalogue(settings: Settings) -> MusicCatalogue:
    catalogue: MusicCatalogue = DemoCatalogue()
    if settings.catalogue == "spotify" or (
        settings.catalogue == "auto" and settings.spotify_configured
    ):
        log.warning(
            "Spotify credentials are set, but this build searches the bundled demo catalogue "
            "(its track ids are real Spotify ids)."
        )
    if settings.cache_enabled:
        catalogue = CachingCatalogue(catalogue, ttl_s=settings.cache_ttl_seconds)
    return catalogue


def build_validator(settings: Settings) -> PromptValidator:
    return LexicalValidator()


@asynccontextmanager
async def build_app(settings: Settings) -> AsyncIterator[App]:
    """Opens the store, derives the user-key secret and wires the engine; closes on exit."""
    store = SqliteStore(settings.database_filename)
    await store.open()
    try:
        secret = settings.secret_key or await store.set_meta_if_absent(
            "user_key_secret", secrets.token_hex(32)
        )
        catalogue = build_catalogue(settings)
        model = build_model_chain(settings, offline=OfflineStrategyProvider())
        engine = Engine(
            store=store,
            model=model,
            catalogue=catalogue,
            validator=build_validator(settings),
            keys=UserKeys(secret.encode()),
            config=engine_config(settings),
        )
        yield App(settings=settings, engine=engine, store=store, catalogue=catalogue, model=model)
    finally:
        await store.close()

"""The body of ``GET /health``, in the shape EchoTuner's clients read.

EchoTuner answers ``{"status": "healthy" | "degraded" | "unhealthy", "version", "services":
{name: bool}, "features": {name: ...}}``.  Its three service names are kept (a client may
look them up) beside one entry per dependency, and the detail of each check (its message
and how long it took) stays under ``dependencies``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.models import Health

#: Without these no playlist can be made: one of them down is "unhealthy" (503, so a load
#: balancer stops sending traffic); any other dependency down is "degraded" (200).
ESSENTIAL = frozenset({"database", "model", "catalogue"})


def health_status(health: Health) -> str:
    """``healthy``, ``degraded`` (an optional dependency is down) or ``unhealthy``."""
    down = {d.name for d in health.dependencies if not d.ok}
    if not down:
        return "healthy"
    return "unhealthy" if down & ESSENTIAL else "degraded"


def health_body(
    health: Health, version: str, features: Mapping[str, Any]
) -> tuple[dict[str, Any], int]:
    """The JSON body and the HTTP status of ``GET /health``."""
    ok = {d.name: d.ok for d in health.dependencies}
    status = health_status(health)
    services = {
        # EchoTuner's names: the prompt check (the embedder, when there is one), making playlists
        # (model and catalogue) and counting quotas (the database).
        "prompt_validator": ok.get("embeddings", True),
        "playlist_generator": ok.get("model", True) and ok.get("catalogue", True),
        "rate_limiter": ok.get("database", True),
        **ok,
    }
    body = {
        "status": status,
        "version": version,
        "services": services,
        "features": dict(features),
        # latency_ms: how long each check took; for the database, one round trip.
        "dependencies": {d.name: {"ok": d.ok, "detail": d.detail, "latency_ms": d.latency_ms}
                         for d in health.dependencies},
    }
    return body, 503 if status == "unhealthy" else 200

"""Which dependencies ``/status`` and ``GET /health`` report beyond the engine's own three.

The engine checks the database, the model chain and the catalogue; everything else a
request can depend on is registered here when it is configured: the embedder of prompt
validation, Spotify's accounts service (linking), and each running chat platform's API
(registered by ``bot.platforms`` as the adapters are built).  Each reports down while its
last real request failed and up again once one succeeds (``core.health``).
"""

from __future__ import annotations

from core.engine import Engine
from core.linking import Linking
from core.semantic_validation import SemanticValidator


def register_health_checks(engine: Engine, linking: Linking | None) -> None:
    """Adds the configured optional dependencies to the engine's health.

    Takes the parts, not ``bot.app.App``: ``bot.app`` calls this while it wires them.
    """
    if isinstance(engine.validator, SemanticValidator):
        engine.add_health_check("embeddings", engine.validator.health)
    # Duck-typed, so spotipy is imported only where Spotify is configured.
    accounts_health = getattr(linking.accounts, "health", None) if linking is not None else None
    if linking is not None and accounts_health is not None:
        operator = linking.default_app
        engine.add_health_check("spotify accounts", lambda: accounts_health(operator))

"""The fault matrix: every dependency x every failure, in one table.

Each cell says how the failure is made (which switch of which fake, or which proxy fault)
and what the user must then see.  A cell that cannot happen says why, and what it maps to
instead.  The tests in this folder take their parameters from here, one test function
per dependency family, so the table is the specification and the tests are its proof.

Every applicable cell checks the same four promises (see ``tests/faults/support.py``):

1. the user gets a clear answer (the dependency's own message, never the generic
   "something went wrong" and never a traceback in the log);
2. no quota is charged when no playlist was delivered;
3. the process keeps serving others while the fault lasts and after it;
4. health reports the dependency as down during the fault and up again after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

FAILURES = ("refused", "hang", "5xx", "429", "malformed", "slow_body")
DEPENDENCIES = (
    "model", "embedder", "spotify_accounts", "spotify_api", "discord_rest", "telegram_api", "sqlite",
)


@dataclass(frozen=True)
class Cell:
    """One failure of one dependency: how it is injected and what the user is told."""

    dependency: str
    failure: str
    inject: str  # how the fault is made
    answer: str  # a phrase the user's answer must contain ("" when they get the playlist)
    not_applicable: str = ""  # why the cell cannot happen, when it cannot

    @property
    def id(self) -> str:
        return f"{self.dependency}-{self.failure}"


_NO_MODEL = "No language model could plan this playlist right now"
_CATALOGUE_DOWN = "The music catalogue is not answering right now"
_LINK_FAILED = "Linking didn't work"
_DB_LOCKED = "is locked by another program"

CELLS: tuple[Cell, ...] = (
    # --- the language model (Ollama, the default provider; chain without offline) -----
    Cell("model", "refused", "proxy refuses connections to the fake Ollama", _NO_MODEL),
    Cell("model", "hang", "/api/chat never answers; OLLAMA_TIMEOUT is 0.3 s", _NO_MODEL),
    Cell("model", "5xx", "/api/chat answers 500", _NO_MODEL),
    Cell("model", "429", "/api/chat answers 429 Retry-After: 1", _NO_MODEL),
    Cell("model", "malformed", "/api/chat answers 200 with a truncated JSON body", _NO_MODEL),
    Cell("model", "slow_body", "proxy trickles the answer slower than OLLAMA_TIMEOUT", _NO_MODEL),
    # --- the embedder (prompt validation): the lexical check answers instead ----------
    Cell("embedder", "refused", "proxy refuses connections to the fake Ollama's /api/embed", ""),
    Cell("embedder", "hang", "/api/embed never answers; PROMPT_VALIDATION_TIMEOUT is 0.3 s", ""),
    Cell("embedder", "5xx", "/api/embed answers 500", ""),
    Cell("embedder", "429", "/api/embed answers 429 Retry-After: 1", ""),
    Cell("embedder", "malformed", "/api/embed answers 200 with a truncated JSON body", ""),
    Cell("embedder", "slow_body", "proxy trickles the embedding slower than the timeout", ""),
    # --- Spotify's accounts service (/api/token): linking an account ------------------
    Cell("spotify_accounts", "refused", "proxy in front of the accounts service refuses", _LINK_FAILED),
    Cell("spotify_accounts", "hang", "/api/token never answers; SPOTIFY_TIMEOUT is 0.3 s",
         _LINK_FAILED),
    Cell("spotify_accounts", "5xx", "/api/token answers 503 (every retry)", _LINK_FAILED),
    Cell("spotify_accounts", "429", "/api/token answers 429 Retry-After: 1", _LINK_FAILED),
    Cell("spotify_accounts", "malformed", "/api/token answers 200 with a truncated JSON body",
         _LINK_FAILED),
    Cell("spotify_accounts", "slow_body", "proxy trickles the token answer slower than the timeout",
         _LINK_FAILED),
    # --- Spotify's Web API (search): generating on the live catalogue -------------------
    Cell("spotify_api", "refused", "proxy in front of the Web API refuses", _CATALOGUE_DOWN),
    Cell("spotify_api", "hang", "/v1/search never answers; SPOTIFY_TIMEOUT is 0.3 s",
         _CATALOGUE_DOWN),
    Cell("spotify_api", "5xx", "/v1/search answers 503 (every retry)", _CATALOGUE_DOWN),
    Cell("spotify_api", "429", "/v1/search answers 429 Retry-After: 60 (past the wait we allow)",
         _CATALOGUE_DOWN),
    Cell("spotify_api", "malformed", "/v1/search answers 200 with a truncated JSON body",
         _CATALOGUE_DOWN),
    Cell("spotify_api", "slow_body", "proxy trickles search answers slower than the timeout",
         _CATALOGUE_DOWN),
    # --- Discord's REST API: the bot can only answer through it -----------------------
    Cell("discord_rest", "refused", "proxy in front of the REST API refuses while an interaction "
         "arrives on the gateway", ""),
    Cell("discord_rest", "hang", "REST calls never answer; DISCORD_TIMEOUT is 0.5 s", ""),
    Cell("discord_rest", "5xx", "every answer after the deferral (edits, followups) gets 500, "
         "every retry", ""),
    Cell("discord_rest", "429", "the final edit gets 429 with Retry-After (discord.py waits)", ""),
    Cell("discord_rest", "malformed", "every answer after the deferral gets a 502 proxy page that "
         "is not JSON", ""),
    Cell("discord_rest", "slow_body", "proxy trickles REST answers slower than DISCORD_TIMEOUT", ""),
    # --- Telegram's Bot API ------------------------------------------------------------
    Cell("telegram_api", "refused", "proxy in front of the Bot API refuses", ""),
    Cell("telegram_api", "hang", "Bot API calls never answer; TELEGRAM_TIMEOUT is 0.5 s", ""),
    Cell("telegram_api", "5xx", "sendMessage/editMessageText answer 500", ""),
    Cell("telegram_api", "429", "sendMessage answers 429 retry_after 1 (the rate limiter waits)", ""),
    Cell("telegram_api", "malformed", "sendMessage answers 200 with a body that is not JSON", ""),
    Cell("telegram_api", "slow_body", "proxy trickles Bot API answers slower than the timeout", ""),
    # --- SQLite: a file, not a server; the failures map to what a file can do ---------
    Cell("sqlite", "refused", "", "",
         not_applicable="SQLite has no server to refuse a connection: the file is opened once at "
         "start. Its counterpart, a database file that cannot be opened, is the start-up test "
         "(test_faults_sqlite.py::test_a_database_that_cannot_be_opened_stops_the_bot_with_a_clear_"
         "message)."),
    Cell("sqlite", "hang", "another process holds the write lock past DATABASE_BUSY_TIMEOUT",
         _DB_LOCKED),
    Cell("sqlite", "5xx", "the disk is full (PRAGMA max_page_count reached): writes fail",
         "cannot be written"),
    Cell("sqlite", "429", "busy: another process holds the write lock briefly (under the busy "
         "timeout); the request waits and gets its playlist", ""),
    Cell("sqlite", "malformed", "a stored draft's JSON is damaged", "cannot read"),
    Cell("sqlite", "slow_body", "", "",
         not_applicable="SQLite returns rows from a local file: there is no body to trickle. A "
         "slow disk shows up as a lock held long, which is the 'hang' and '429' cells."),
)


def cells(dependency: str) -> list[object]:
    """The cells of one dependency as pytest parameters (not-applicable ones skipped, with why)."""
    found = [c for c in CELLS if c.dependency == dependency]
    assert [c.failure for c in found] == list(FAILURES), f"{dependency}: every failure, in order"
    return [
        pytest.param(c, id=c.failure,
                     marks=[pytest.mark.skip(reason=c.not_applicable)] if c.not_applicable else [])
        for c in found
    ]

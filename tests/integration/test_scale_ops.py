"""Operating several processes: /metrics for the operator, JSON logs, /health timing, sweeps."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.web.metrics import Metrics, error_kind
from adapters.web.server import WebAdapter
from bot.app import App, build_app
from bot.housekeeping import Housekeeper
from bot.logging_setup import setup_logging
from bot.platforms import mount_rest_api
from bot.settings import load_settings
from bot.web_wiring import build_web_adapter
from core.engine import Swept
from core.errors import RateLimited, StoreUnavailable
from tests.integration.scale_support import free_port

TOKEN = "metrics-token-0123456789"


@asynccontextmanager
async def web_side(tmp_path: Path, **env: str) -> AsyncIterator[tuple[App, WebAdapter]]:
    settings = load_settings({
        "AI_PROVIDERS": "offline", "DATABASE_FILENAME": str(tmp_path / "ops.db"),
        "WEB_PORT": str(free_port()), "MAX_PLAYLISTS_PER_DAY": "1", **env,
    }, env_file=None)
    async with build_app(settings) as app:
        mount_rest_api(app)
        web = build_web_adapter(app)
        await web.start()
        try:
            yield app, web
        finally:
            await web.stop()


async def scrape(http: aiohttp.ClientSession, web: WebAdapter, **headers: str) -> tuple[int, str]:
    async with http.get(web.base_url + "/metrics", headers=headers) as response:
        return response.status, await response.text()


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        metric, _, value = line.rpartition(" ")
        if metric.startswith(name + "{") or metric == name:
            found = metric[len(name):].strip("{}")
            if ",".join(sorted(found.split(","))) == wanted or (not labels and not found):
                return float(value)
    return 0.0


async def test_metrics_count_requests_generations_and_refusals(tmp_path: Path) -> None:
    async with web_side(tmp_path, METRICS_ENABLED="true") as (app, web), \
            aiohttp.ClientSession() as http:
        app.metrics.adapter_state("web", True)  # type: ignore[union-attr]  # the runner's call
        body = {"device_id": "d1", "prompt": "calm jazz for studying", "count": 5}
        for expected in (200, 429):
            async with http.post(web.base_url + "/generate-playlist", json=body) as response:
                assert response.status == expected
        async with http.get(web.base_url + "/rate-limit-status/d1") as response:
            assert response.status == 200
        async with http.get(web.base_url + "/no/such/page") as response:
            assert response.status == 404
        status, text = await scrape(http, web)
    assert status == 200
    assert sample(text, "echotuner_http_requests_total", method="POST",
                  route="/generate-playlist", status="429") == 1
    # Routes are counted by template, so one label per route, whatever the device id.
    assert sample(text, "echotuner_http_requests_total", method="GET",
                  route="/rate-limit-status/{device_id}", status="200") == 1
    assert sample(text, "echotuner_http_requests_total", method="GET", route="unmatched",
                  status="404") == 1
    assert sample(text, "echotuner_playlist_seconds_count", verb="generate", outcome="ok") == 1
    assert sample(text, "echotuner_playlist_seconds_count", verb="generate",
                  outcome="quota_exceeded") == 1
    assert sample(text, "echotuner_quota_refusals_total", kind="playlist") == 1
    assert sample(text, "echotuner_adapter_up", adapter="web") == 1


async def test_metrics_are_off_unless_enabled(tmp_path: Path) -> None:
    async with web_side(tmp_path) as (app, web), aiohttp.ClientSession() as http:
        status, _ = await scrape(http, web)
    assert app.metrics is None and status == 404


async def test_with_a_token_metrics_need_it_as_a_bearer_token(tmp_path: Path) -> None:
    async with web_side(tmp_path, METRICS_ENABLED="true", METRICS_TOKEN=TOKEN) as (_, web), \
            aiohttp.ClientSession() as http:
        assert (await scrape(http, web))[0] == 401
        assert (await scrape(http, web, Authorization="Bearer wrong-token-0000000000"))[0] == 401
        status, text = await scrape(http, web, Authorization=f"Bearer {TOKEN}")
    assert status == 200 and "echotuner_http_requests_total" in text


async def test_without_a_token_metrics_refuse_a_proxied_visitor(tmp_path: Path) -> None:
    async with web_side(tmp_path, METRICS_ENABLED="true") as (_, web), \
            aiohttp.ClientSession() as http:
        status, text = await scrape(http, web, **{"X-Forwarded-For": "203.0.113.9"})
    assert status == 403 and "METRICS_TOKEN" in text


def test_each_app_counts_in_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.limit_refused("playlist")
    assert first.registry is not second.registry
    assert first.registry.get_sample_value("echotuner_quota_refusals_total", {"kind": "playlist"}) == 1
    assert second.registry.get_sample_value(
        "echotuner_quota_refusals_total", {"kind": "playlist"}) is None


def test_provider_errors_are_labelled_by_kind() -> None:
    from adapters.ai.errors import ProviderTimeout

    assert error_kind(ProviderTimeout("ollama", "no answer in 60 s")) == "timeout"
    assert error_kind(RateLimited(2.0)) == "rate_limited"
    assert error_kind(ValueError("bug")) == "error"


async def test_a_failing_catalogue_is_counted_as_a_provider_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with web_side(tmp_path, METRICS_ENABLED="true") as (app, _):
        metrics = app.metrics
        assert metrics is not None
        demo = app.catalogue.inner  # type: ignore[attr-defined]  # the cache's inner catalogue
        # The inner catalogue is the process's shared demo catalogue: put it back afterwards,
        # or every later test in this process finds the catalogue "rate limited".
        monkeypatch.setattr(demo.inner, "search", _raise_rate_limited)
        with pytest.raises(RateLimited):
            await app.catalogue.search("jazz")
    assert metrics.registry.get_sample_value(
        "echotuner_provider_errors_total", {"provider": "catalogue:demo", "kind": "rate_limited"}) == 1


async def _raise_rate_limited(*args: Any, **kwargs: Any) -> Any:
    raise RateLimited(1.0)


async def test_health_reports_the_database_round_trip(tmp_path: Path) -> None:
    async with web_side(tmp_path) as (_, web), aiohttp.ClientSession() as http:
        async with http.get(web.base_url + "/health") as response:
            body = await response.json()
    database = body["dependencies"]["database"]
    assert database["ok"] is True and isinstance(database["latency_ms"], float)
    assert 0 <= database["latency_ms"] < 5000


# --- logs -----------------------------------------------------------------------------------


@pytest.fixture
def logs(capsys: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    """What the root handler writes to stderr; the logging set-up is restored afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        yield capsys
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def test_json_logs_are_one_object_a_line_with_secrets_redacted(
    logs: pytest.CaptureFixture[str],
) -> None:
    secret = "postgresql://bot:Sup3r-Secret-Pw@db:5432/echotuner"
    setup_logging("INFO", (secret, "Sup3r-Secret-Pw"), "json")
    log = logging.getLogger("echotuner.test")
    log.info("connecting to %s", secret)
    try:
        raise StoreUnavailable(f"could not reach {secret}")
    except StoreUnavailable:
        log.exception("start failed")
    written = logs.readouterr().err
    entries = [json.loads(line) for line in written.splitlines()]
    assert [e["message"] for e in entries] == ["connecting to [redacted]", "start failed"]
    assert entries[0]["level"] == "INFO" and entries[0]["logger"] == "echotuner.test"
    assert {"time", "process"} <= set(entries[0])
    assert "StoreUnavailable" in entries[1]["exception"]
    assert "Sup3r-Secret-Pw" not in written


def test_text_logs_redact_secrets_in_tracebacks_too(logs: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO", ("Sup3r-Secret-Pw",), "text")
    try:
        raise RuntimeError("password Sup3r-Secret-Pw refused")
    except RuntimeError:
        logging.getLogger("echotuner.test").exception("failed")
    written = logs.readouterr().err
    assert "password [redacted] refused" in written and "Sup3r-Secret-Pw" not in written


# --- housekeeping ------------------------------------------------------------------------------


async def test_housekeeping_sweeps_periodically_and_survives_a_failing_round(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[int] = []

    async def sweep() -> Swept:
        calls.append(1)
        if len(calls) in (2, 3):
            raise StoreUnavailable("The database is busy.")
        return Swept()

    keeper = Housekeeper(sweep, interval_s=0.01)
    with caplog.at_level(logging.INFO):
        await keeper.start()
        for _ in range(500):  # five rounds, at most 5 s
            if len(calls) >= 5:
                break
            await asyncio.sleep(0.01)
        await keeper.stop()
    assert keeper.rounds >= 3
    failures = [r for r in caplog.records if "housekeeping failed" in r.getMessage()]
    assert len(failures) == 1  # one line per outage, not one per round
    assert "works again" in caplog.text

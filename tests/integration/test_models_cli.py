"""The command line with a language model: a real process against a fake OpenAI-compatible server."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from tests.fakes import model_script as ms
from tests.fakes.openai_server import FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]


async def run_bot(*args: str, cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    """``python -m bot ...`` without blocking the loop that serves the fake."""
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    environ.update({"PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING", **env})
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=environ,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode(), err.decode()


async def test_generate_with_a_custom_openai_compatible_endpoint_reports_custom(
    openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    openai_server.api_key = None  # like llama-server without --api-key
    openai_server.models = ["llama-3.2-3b-instruct-q4_k_m.gguf"]
    code, out, err = await run_bot(
        "generate", "relaxing jazz for studying", "--count", "10", "--json", cwd=tmp_path,
        env={"AI_PROVIDERS": "custom", "CUSTOM_AI_BASE_URL": f"{openai_server.base_url}/v1"},
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["provider"] == "custom"
    assert result["count"] == len(result["tracks"]) == 10
    sent = openai_server.requests_to("/v1/chat/completions")[0].body
    assert sent["model"] == "llama-3.2-3b-instruct-q4_k_m.gguf"
    assert sent["response_format"]["type"] == "json_schema"


async def test_a_dead_custom_endpoint_without_fallback_is_a_clear_refusal(
    openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    openai_server.chat.always(ms.status(503, "down"))
    code, out, err = await run_bot(
        "generate", "relaxing jazz for studying", "--json", cwd=tmp_path,
        env={"AI_PROVIDERS": "custom", "CUSTOM_AI_BASE_URL": f"{openai_server.base_url}/v1",
             "CUSTOM_AI_MODEL": "gpt-4o-mini", "CUSTOM_AI_API_KEY": "sk-test"},
    )
    assert code != 0 and out == ""
    assert "No language model could plan this playlist" in err and "custom: HTTP 503" in err
    assert "Traceback" not in err and "sk-test" not in err


async def test_a_chain_naming_a_provider_without_its_key_stops_at_start(tmp_path: Path) -> None:
    code, _, err = await run_bot("generate", "calm jazz", cwd=tmp_path,
                                 env={"AI_PROVIDERS": "openai,offline"})
    assert code == 2 and "OPENAI_API_KEY" in err

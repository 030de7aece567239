"""Model settings: each provider named in the chain must have what it needs at start-up."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings, parse_headers


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"AI_PROVIDERS": "openai,offline"}, "OPENAI_API_KEY"),
        ({"AI_PROVIDERS": "anthropic"}, "ANTHROPIC_API_KEY"),
        ({"AI_PROVIDERS": "custom,offline"}, "CUSTOM_AI_BASE_URL"),
        ({"DEFAULT_AI_PROVIDER": "anthropic"}, "ANTHROPIC_API_KEY"),
        ({"EMBEDDING_PROVIDER": "openai"}, "OPENAI_API_KEY"),
        ({"EMBEDDING_PROVIDER": "custom", "CUSTOM_AI_BASE_URL": "http://127.0.0.1:8081/v1"},
         "CUSTOM_EMBEDDING_MODEL"),
        ({"CUSTOM_AI_HEADERS": "X-Title: EchoTuner"}, "CUSTOM_AI_HEADERS"),
        ({"OPENAI_BASE_URL": "api.openai.com"}, "OPENAI_BASE_URL"),
        ({"OPENAI_TIMEOUT": "0"}, "OPENAI_TIMEOUT"),
    ],
)
def test_a_provider_without_its_settings_stops_start_up_naming_the_variable(
    environ: dict[str, str], variable: str
) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings(environ, env_file=None)


def test_default_chain_is_ollama_then_offline() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.provider_chain == ("ollama", "offline")
    assert settings.openai_model == "gpt-4o-mini"


def test_a_custom_endpoint_needs_only_its_base_url() -> None:
    settings = load_settings(
        {"AI_PROVIDERS": "custom", "CUSTOM_AI_BASE_URL": "http://127.0.0.1:8081/v1"}, env_file=None
    )
    assert settings.provider_chain == ("custom",)


def test_custom_headers_are_a_json_object_and_stay_out_of_repr() -> None:
    settings = load_settings({"CUSTOM_AI_HEADERS": '{"Authorization": "Bearer hidden-token-1"}'},
                             env_file=None)
    assert parse_headers(settings.custom_ai_headers) == {"Authorization": "Bearer hidden-token-1"}
    assert "hidden-token-1" not in repr(settings)


def test_keys_are_hidden_from_errors_and_repr() -> None:
    settings = load_settings({"AI_PROVIDERS": "openai", "OPENAI_API_KEY": "sk-very-secret"},
                             env_file=None)
    assert "sk-very-secret" not in repr(settings)

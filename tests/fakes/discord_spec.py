"""Checks JSON bodies against Discord's published OpenAPI document (``shared/specs``).

The fake Discord server uses it to check every request the bot sends (so an embed
over a limit, a bad component or a malformed command fails the test that sent it)
and every answer it gives (so the fake speaks Discord's shapes, not ours).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "specs" / "discord-openapi.json"
_URI = "urn:discord-openapi"


class DiscordSpec:
    """Request and response schemas of the operations the fake serves."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_URI, resource)

    def _validator(self, pointer: str) -> jsonschema.protocols.Validator:
        return jsonschema.Draft202012Validator({"$ref": f"{_URI}#{pointer}"}, registry=self._registry)

    @staticmethod
    def _escape(path: str) -> str:
        return path.replace("~", "~0").replace("/", "~1")

    def _operation(self, method: str, path: str) -> dict[str, Any]:
        operation: dict[str, Any] = self.document["paths"][path][method.lower()]
        return operation

    def request_errors(self, method: str, path: str, body: Any) -> list[str]:
        """Problems with a JSON request body for ``method path`` (a spec path template)."""
        operation = self._operation(method, path)
        if "requestBody" not in operation or "application/json" not in operation["requestBody"]["content"]:
            return []
        pointer = (f"/paths/{self._escape(path)}/{method.lower()}/requestBody/content/"
                   "application~1json/schema")
        return _messages(self._validator(pointer), body)

    def response_errors(self, method: str, path: str, status: int, body: Any) -> list[str]:
        """Problems with a JSON answer; statuses the spec leaves without a schema pass."""
        responses = self._operation(method, path)["responses"]
        key = str(status) if str(status) in responses else f"{str(status)[0]}XX"
        response = responses.get(key)
        if response is None:
            return [f"{method} {path}: the spec has no {status} answer"]
        if "$ref" in response:
            return []  # shared error/ratelimit responses: free-form bodies
        content = response.get("content", {}).get("application/json")
        if content is None:
            return [] if body is None else [f"{method} {path} {status}: the spec has no body here"]
        pointer = (f"/paths/{self._escape(path)}/{method.lower()}/responses/{key}/content/"
                   "application~1json/schema")
        return _messages(self._validator(pointer), body)

    def schema_errors(self, name: str, body: Any) -> list[str]:
        """Problems with ``body`` as ``#/components/schemas/<name>``."""
        return _messages(self._validator(f"/components/schemas/{name}"), body)


def _messages(validator: jsonschema.protocols.Validator, body: Any) -> list[str]:
    problems = []
    for error in validator.iter_errors(body):
        # For oneOf/anyOf, name the most relevant branch's problem, not the whole instance.
        best = jsonschema.exceptions.best_match([error])
        where = "/".join(map(str, best.absolute_path)) or "(root)"
        problems.append(f"{where}: {best.message[:300]}")
    return problems


@functools.cache
def load_spec() -> DiscordSpec | None:
    """The spec, read once per process; None when the shared folder is not there."""
    if not SPEC_PATH.is_file():
        return None
    return DiscordSpec(json.loads(SPEC_PATH.read_text(encoding="utf-8")))

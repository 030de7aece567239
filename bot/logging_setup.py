"""Logging: to stderr, at LOG_LEVEL, as text or JSON lines, with secrets scrubbed.

``LOG_FORMAT=json`` writes one JSON object a line (``time``, ``level``, ``logger``,
``message``, ``process``, and ``exception`` when there is one), which log collectors
read without parsing rules; with several bot processes, ``process`` tells them apart.
In both formats every configured secret is replaced by ``[redacted]`` wherever it
appears: in the message (the ``RedactSecrets`` filter) and in the formatted output,
exception tracebacks included.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Redactor:
    """Replaces every configured secret (six characters or longer) in a text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text


class RedactSecrets(logging.Filter):
    """Replaces any configured secret value that appears in a log message."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._redact = Redactor(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._redact:
            return True
        message = record.getMessage()
        redacted = self._redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class RedactingFormatter(logging.Formatter):
    """The text format, with secrets also scrubbed from tracebacks and stack traces."""

    def __init__(self, redact: Redactor, fmt: str = TEXT_FORMAT) -> None:
        super().__init__(fmt)
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per record; secrets scrubbed from every string in it."""

    def __init__(self, redact: Redactor | None = None) -> None:
        super().__init__()
        self._redact = redact or Redactor(())

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self._redact(record.getMessage()),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self._redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = self._redact(record.exc_text)
        if record.stack_info:
            entry["stack"] = self._redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str, secrets: Iterable[str] = (), log_format: str = "text") -> None:
    """Sends every record to stderr at ``level``, as ``log_format`` (text or json)."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log_format must be one of {', '.join(LOG_FORMATS)}")
    secrets = tuple(secrets)
    redact = Redactor(secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(redact) if log_format == "json" else RedactingFormatter(redact))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Library chatter stays at WARNING unless we debug.
    for noisy in ("aiosqlite", "httpx", "httpcore", "urllib3", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))

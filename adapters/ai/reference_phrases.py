"""The reference music requests of the embedding validator, read from package data."""

from __future__ import annotations

from functools import cache
from importlib import resources

RESOURCE = "reference_phrases.txt"


@cache
def load_reference_phrases() -> tuple[str, ...]:
    """The phrases of ``data/reference_phrases.txt``, without comments, blanks or repeats."""
    text = resources.files("data").joinpath(RESOURCE).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple(dict.fromkeys(line for line in lines if line and not line.startswith("#")))

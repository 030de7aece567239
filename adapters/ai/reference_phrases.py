"""The reference music requests of the embedding validator, read from package data.

``data/reference_phrases.txt`` holds the English requests; ``data/
reference_phrases_languages.txt`` the same kinds of request in the other languages the
bot understands (``core.vocabulary.languages``), so a multilingual embedding model finds
a request in any of them close to a reference.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

RESOURCE = "reference_phrases.txt"
LANGUAGES_RESOURCE = "reference_phrases_languages.txt"


def _phrases(resource: str) -> tuple[str, ...]:
    text = resources.files("data").joinpath(resource).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple(dict.fromkeys(line for line in lines if line and not line.startswith("#")))


@cache
def load_reference_phrases() -> tuple[str, ...]:
    """The phrases of ``data/reference_phrases.txt``, without comments, blanks or repeats."""
    return _phrases(RESOURCE)


@cache
def load_language_reference_phrases() -> dict[str, tuple[str, ...]]:
    """The other languages' reference phrases, by the language code heading each group."""
    text = resources.files("data").joinpath(LANGUAGES_RESOURCE).read_text(encoding="utf-8")
    groups: dict[str, list[str]] = {}
    code = ""
    for line in (line.strip() for line in text.splitlines()):
        if line.startswith("#"):
            heading = line[1:].strip()
            code = heading if len(heading) == 2 and heading.isalpha() else code
        elif line and code:
            groups.setdefault(code, []).append(line)
    return {code: tuple(dict.fromkeys(lines)) for code, lines in groups.items()}


@cache
def load_all_reference_phrases() -> tuple[str, ...]:
    """Every reference the embedding validator compares with: English, then the others."""
    others = (p for phrases in load_language_reference_phrases().values() for p in phrases)
    return tuple(dict.fromkeys((*load_reference_phrases(), *others)))

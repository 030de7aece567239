"""Normalising and tokenising text the way the lexicon and the scanner read it."""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[a-z0-9]+(?:[&+][a-z0-9]+)*")


def normalise(text: str) -> str:
    """Lower-case, accent-free, apostrophe-free text ("Forró 80's" -> "forro 80s")."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower().replace("’", "'").replace("‘", "'")
    # "rock & roll", "drum & bass": a spaced ampersand is the word "and"; "r&b" stays one token
    text = re.sub(r"\s&\s", " and ", text)
    return text.replace("'", "")


def tokenize(text: str) -> list[str]:
    """Words of a text, normalised; hyphens split ("lo-fi" -> ["lo", "fi"])."""
    return _TOKEN.findall(normalise(text))


# Between clauses: no phrase spans it and no negation reaches past it ("no sad songs, happy").
CLAUSE_BREAK = "|"
_CLAUSE_SPLIT = re.compile(r"[,.;:!?()\[\]\n]+")


def clause_tokens(text: str) -> list[str]:
    """``tokenize`` with a ``CLAUSE_BREAK`` token where punctuation splits clauses.

    These are the tokens ``scan`` indexes its matches into.
    """
    out: list[str] = []
    for clause in _CLAUSE_SPLIT.split(normalise(text)):
        words = _TOKEN.findall(clause)
        if words:
            if out:
                out.append(CLAUSE_BREAK)
            out.extend(words)
    return out


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The lexicon key of a phrase: its tokens ("Hip-Hop" -> ("hip", "hop"))."""
    return tuple(tokenize(phrase))

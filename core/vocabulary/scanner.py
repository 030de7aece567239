"""Finding lexicon terms in a text: longest phrase first, negation marked.

``scan(text)`` prefers the longest phrase ("house party" over "house", "deep house"
over "deep") and marks the terms under a negation ("no metal", "anything but country").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.vocabulary.genres import CATALOGUE_GENRE_SET
from core.vocabulary.lexicon import LEXICON, MAX_PHRASE
from core.vocabulary.terms import Term
from core.vocabulary.tokens import CLAUSE_BREAK, clause_tokens

# Words that turn the next term into an exclusion ("no metal", "anything but country").
NEGATORS: frozenset[str] = frozenset({
    "no", "not", "without", "except", "minus", "excluding", "exclude", "avoid", "hate",
    "dont", "never", "nothing", "less", "fewer", "skip", "drop", "remove", "nor",
})  # fmt: skip
# Between two negated terms these keep the negation going ("no sad or slow songs").
_NEGATION_CHAIN: frozenset[str] = frozenset({"or", "and", "nor"})
_YEAR = re.compile(r"^(19[5-9]\d|20[0-2]\d)$")


@dataclass(frozen=True, slots=True)
class Match:
    """A lexicon term found in a text: token span ``[start, end)`` and negation."""

    term: Term
    start: int
    end: int
    negated: bool = False


def _negated(tokens: list[str], start: int, gap_start: int, previous: Match | None) -> bool:
    """Whether a term starting at ``start`` sits under a negation word."""
    gap = tokens[gap_start:start]
    if CLAUSE_BREAK in gap:
        gap = gap[len(gap) - gap[::-1].index(CLAUSE_BREAK) :]  # only this clause counts
    elif previous is not None and previous.negated and all(t in _NEGATION_CHAIN for t in gap):
        return True  # "no sad or slow songs": the "or" carries the "no"
    window = gap[-3:]
    if window and window[-1] == "but":
        # "chill but upbeat" is no negation; "anything but country" is
        return len(window) >= 2 and window[-2] in {"anything", "everything"}
    return any(t in NEGATORS for t in window)


def scan(text: str) -> list[Match]:
    """Longest-first, left-to-right lexicon matches in ``text``, with negation marked.

    Match spans index ``clause_tokens(text)``.  A four-digit year between 1950 and
    2029 is an era term too ("from 1995").
    """
    tokens = clause_tokens(text)
    found: list[Match] = []
    i = 0
    gap_start = 0
    while i < len(tokens):
        term: Term | None = None
        length = 0
        for size in range(min(MAX_PHRASE, len(tokens) - i), 0, -1):
            candidate = LEXICON.get(tuple(tokens[i : i + size]))
            if candidate is not None:
                term, length = candidate, size
                break
        if term is None and _YEAR.match(tokens[i]):
            year = int(tokens[i])
            term, length = Term(key=tokens[i], kind="era", label=tokens[i], years=(year, year)), 1
        if term is None:
            i += 1
            continue
        previous = found[-1] if found else None
        found.append(Match(term, i, i + length, _negated(tokens, i, gap_start, previous)))
        i += length
        gap_start = i
    return found


def canonical_genres(name: str) -> tuple[str, ...]:
    """Catalogue genres for a genre as a person writes it ("Hip Hop" -> ("hip-hop",)).

    Used for profile genres: an exact catalogue name wins, then the first genre or
    region phrase found; words the catalogue does not know give ``()``.
    """
    exact = name.strip().lower()
    if exact in CATALOGUE_GENRE_SET:
        return (exact,)
    for match in scan(name):
        if match.term.kind in ("genre", "region"):
            return match.term.genres[:1]
    return ()

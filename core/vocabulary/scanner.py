"""Finding lexicon terms in a text: longest phrase first, negation marked.

``scan(text)`` prefers the longest phrase ("house party" over "house", "deep house"
over "deep") and marks the terms under a negation ("no metal", "anything but country").

``read_tokens(text)`` gives the words a scan indexes, in every script: a Chinese or
Japanese run is cut into the lexicon's words by longest match ("勉強用のジャズ" ->
勉強, 用, の, ジャズ); a word the lexicon does not know is read through the stem it
starts with ("музыку" -> "музык*", "노래를" -> "노래*"), and an Arabic word through
its attached article and prepositions ("للدراسة" -> "دراسه").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.vocabulary.genres import CATALOGUE_GENRE_SET
from core.vocabulary.lexicon import (
    CJK_WORDS,
    ENDINGS,
    LEXICON,
    MAX_CJK_WORD,
    MAX_PHRASE,
    NEGATOR_KEYS,
    STEM,
    STEMS,
    WORDS,
)
from core.vocabulary.terms import Term
from core.vocabulary.tokens import CLAUSE_BREAK, clause_tokens, is_arabic_script, is_cjk, is_hangul

# Words that turn the next term into an exclusion ("no metal", "anything but country").
NEGATORS: frozenset[str] = frozenset({
    "no", "not", "without", "except", "minus", "excluding", "exclude", "avoid", "hate",
    "dont", "never", "nothing", "less", "fewer", "skip", "drop", "remove", "nor",
}) | NEGATOR_KEYS  # fmt: skip
# Between two negated terms these keep the negation going ("no sad or slow songs").
_NEGATION_CHAIN: frozenset[str] = frozenset({"or", "and", "nor"})
_YEAR = re.compile(r"^(19[5-9]\d|20[0-2]\d)$")


# Arabic clitics written onto the next word: "and", "so", "with", "for", "like", "the".
_ARABIC_CLITICS: tuple[str, ...] = (
    "وبال", "وال", "فال", "بال", "کال", "ولل", "لل", "ال", "و", "ف", "ب", "ل", "ک",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Tokens:
    """A text's words as a scan reads them.

    ``words`` are the words as written (normalised), with ``CLAUSE_BREAK`` between
    clauses; ``keys`` are what each word is looked up as: itself when the lexicon
    knows it, else its stem ("музыку" -> "музык*") or its Arabic stem; ``stemmed``
    prefers the stem even for a known word, the second reading a lookup tries;
    ``readings`` are all of a word's keys, longest stem first, for a one-word lookup
    ("şarkılar" is the word of "hit şarkılar" and a form of "şarkı*").
    """

    words: list[str]
    keys: list[str]
    stemmed: list[str]
    readings: list[tuple[str, ...]]


def _stems(word: str) -> tuple[str, ...]:
    """The lexicon stems ``word`` starts with, longest first, marked ("музыку" -> "музык*")."""
    return tuple(word[:size] + STEM for size in range(len(word), 0, -1) if word[:size] in STEMS)


def _readings(word: str) -> tuple[str, ...]:
    """How ``word`` is looked up: the known word first (if it is one), then its stems."""
    stems = _stems(word)
    if word in WORDS:
        return (word, *stems)
    if stems:
        return stems
    # a compound read by its last part: "Hintergrundmusik" -> "*musik", "배경음악" -> "*음악"
    for size in range(len(word) - 2, 1, -1):
        if word[-size:] in ENDINGS:
            return (STEM + word[-size:],)
    if is_hangul(word):  # a Korean compound with its particle: "배경음악을" -> "음악*"
        for start in range(1, len(word) - 1):
            inner = [s for s in _stems(word[start:]) if len(s) > 2]
            if inner:
                return tuple(inner)
    if is_arabic_script(word):
        for clitic in _ARABIC_CLITICS:
            rest = word[len(clitic) :]
            # a one-letter clitic leaves a word of four letters or more ("برای" is no "ب" + "رای")
            if word.startswith(clitic) and len(rest) >= (4 if len(clitic) == 1 else 3):
                if rest in WORDS or _stems(rest):
                    return _readings(rest)
    return (word,)


def _segment(run: str) -> list[str]:
    """A Chinese or Japanese run cut into lexicon words, longest first; other characters
    stand alone."""
    pieces: list[str] = []
    i = 0
    while i < len(run):
        size = min(MAX_CJK_WORD, len(run) - i)
        while size > 1 and run[i : i + size] not in CJK_WORDS:
            size -= 1
        pieces.append(run[i : i + size])
        i += size
    return pieces


def read_tokens(text: str) -> Tokens:
    """The words of ``text`` a scan indexes, with the keys they are looked up by."""
    words: list[str] = []
    for token in clause_tokens(text):
        words.extend(_segment(token) if is_cjk(token) else (token,))
    readings = [(w,) if w == CLAUSE_BREAK else _readings(w) for w in words]
    return Tokens(
        words, [r[0] for r in readings], [r[1] if len(r) > 1 else r[0] for r in readings], readings
    )


def scan_tokens(text: str) -> list[str]:
    """The words ``scan`` match spans index (``read_tokens(text).words``)."""
    return read_tokens(text).words


@dataclass(frozen=True, slots=True)
class Match:
    """A lexicon term found in a text: token span ``[start, end)``, negation, and the
    lexicon key it was found under (a stem for an inflected word: ("музык*",))."""

    term: Term
    start: int
    end: int
    negated: bool = False
    key: tuple[str, ...] = ()


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

    Match spans index ``read_tokens(text).words``.  A four-digit year between 1950 and
    2029 is an era term too ("from 1995").
    """
    read = read_tokens(text)
    tokens, stemmed, readings = read.keys, read.stemmed, read.readings
    found: list[Match] = []
    i = 0
    gap_start = 0
    while i < len(tokens):
        term: Term | None = None
        length = 0
        key: tuple[str, ...] = ()
        for size in range(min(MAX_PHRASE, len(tokens) - i), 0, -1):
            spans = [tuple(tokens[i : i + size]), tuple(stemmed[i : i + size])]
            if size == 1:  # a one-word term may be under any of the word's stems
                spans += [(r,) for r in readings[i][2:]]
            key = next((span for span in spans if span in LEXICON), ())
            if key:
                term, length = LEXICON[key], size
                break
        if term is None and _YEAR.match(tokens[i]):
            year = int(tokens[i])
            term, length = Term(key=tokens[i], kind="era", label=tokens[i], years=(year, year)), 1
            key = (tokens[i],)
        if term is None:
            i += 1
            continue
        previous = found[-1] if found else None
        found.append(Match(term, i, i + length, _negated(tokens, i, gap_start, previous), key))
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

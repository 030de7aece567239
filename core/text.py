"""Text normalisation shared by matching, catalogues and fakes.

One set of rules everywhere, so "is this hit that song?" and "does this search
match?" agree on what counts as the same text.
"""

from __future__ import annotations

import functools
import unicodedata

_APOSTROPHES = frozenset("'’‘ʼ`´")
# ASCII fast path of ``normalise``: the same rules as a translation table.
_ASCII_TABLE: dict[int, str | None] = {
    code: (None if chr(code) in _APOSTROPHES else " and " if chr(code) == "&" else " ")
    for code in range(128)
    if not chr(code).isalnum()
}


# Matching compares the same names again and again (every hit of every search against
# every suggestion, de-duplication keys, each request): remembered, normalising was most
# of the engine's own time.  The bound keeps memory flat (a catalogue's worth of names).
@functools.lru_cache(maxsize=50_000)
def normalise(text: str) -> str:
    """Text reduced for matching: ``"Beyoncé's  Déjà-Vu!"`` -> ``"beyonces deja vu"``.

    Casefolds, strips accents (NFKD, combining marks dropped), deletes apostrophes
    (``don't`` -> ``dont``), spells ``&`` as ``and``, turns every other punctuation
    mark or symbol into a space, and collapses white space.  Letters of any script
    are kept (recomposed with NFC, so Hangul stays in syllables).
    """
    if text.isascii():
        return " ".join(text.translate(_ASCII_TABLE).lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    out: list[str] = []
    for char in decomposed:
        if char.isalnum():
            out.append(char)
            continue
        category = unicodedata.category(char)
        if category.startswith("M") or char in _APOSTROPHES:
            continue  # accents and apostrophes vanish
        if char == "&":
            out.append(" and ")
        else:
            out.append(" ")
    return unicodedata.normalize("NFC", " ".join("".join(out).split()))


def visible(text: str) -> str:
    """Text fit to keep, store and send: invisible format characters (zero-width spaces, bidi
    overrides) and lone surrogates (which no UTF-8 database, JSON file or chat API accepts)
    removed; control characters and line/paragraph separators turned into spaces.

    White space is not collapsed here; callers that want one line do that.
    """
    if text.isascii() and text.isprintable():
        return text
    out: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category in {"Cf", "Cs"}:
            continue
        out.append(" " if category in {"Cc", "Zl", "Zp"} else char)
    return "".join(out)


# Bidirectional embeddings, overrides and isolates: they can make a name display reversed,
# or move text around the line (a link label shown where another one is).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def displayable(text: str) -> str:
    """Someone else's text (a track, a name, a model's title) made safe to show anywhere:
    lone surrogates and bidi controls removed, control characters (the terminal's escape
    included) turned into spaces.  Joiners stay, so emoji sequences and scripts that need
    them render as intended."""
    if text.isascii() and text.isprintable():
        return text
    out: list[str] = []
    for char in text:
        if char in _BIDI_CONTROLS:
            continue
        category = unicodedata.category(char)
        if category == "Cs":
            continue
        out.append(" " if category in {"Cc", "Zl", "Zp"} else char)
    return "".join(out)

"""Text normalisation shared by matching, catalogues and fakes.

One set of rules everywhere, so "is this hit that song?" and "does this search
match?" agree on what counts as the same text.
"""

from __future__ import annotations

import unicodedata

_APOSTROPHES = frozenset("'’‘ʼ`´")
# ASCII fast path of ``normalise``: the same rules as a translation table.
_ASCII_TABLE: dict[int, str | None] = {
    code: (None if chr(code) in _APOSTROPHES else " and " if chr(code) == "&" else " ")
    for code in range(128)
    if not chr(code).isalnum()
}


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

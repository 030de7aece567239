"""Which language a title is in, learned from the dataset's own regional labels (build time).

The regional labels are noisy both ways: "j-pop" holds Norah Jones and Michael Bublé
(English jazz), "k-pop" holds Tamil film music, "hip-hop" holds Punjabi pop with no
regional label at all.  Titles and album names say what the labels do not: Turkish
letters, Portuguese words, Hangul, romanised Hindi.  A naive Bayes model over title and
album tokens, trained on the labels (then once more on the artists' first-round scenes,
which cleans the noise out of the classes), gives each artist a text verdict that
``build_knowledge`` weighs against their labels.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

NONE = ""  # the class of no regional scene (English-language and instrumental music)

_WORD = re.compile(r"[^\W\d_]+")
_GRAM_MIN_WORD = 4
_SCRIPTS = (
    ("HANGUL", "<hangul>"),
    ("HIRAGANA", "<kana>"),
    ("KATAKANA", "<kana>"),
    ("CJK", "<han>"),
    ("ARABIC", "<arabic>"),
    ("DEVANAGARI", "<devanagari>"),
    ("GURMUKHI", "<gurmukhi>"),
    ("TAMIL", "<tamil>"),
    ("TELUGU", "<telugu>"),
    ("CYRILLIC", "<cyrillic>"),
    ("THAI", "<thai>"),
    ("HEBREW", "<hebrew>"),
    ("GREEK", "<greek>"),
)


def _script_token(char: str) -> str | None:
    if char.isascii():
        return None
    name = unicodedata.name(char, "")
    for marker, token in _SCRIPTS:
        if marker in name:
            return token
    if char.isalpha():
        return f"<{char.lower()}>"  # a Latin letter with a diacritic: ç, ş, ı, ã, ñ, å...
    return None


def text_tokens(text: str, skip: frozenset[str] = frozenset()) -> list[str]:
    """Tokens of one title or album name: lower-case words (minus ``skip``, e.g. the
    artist's own name), the scripts and special letters used, and the letter trigrams
    of longer words (``#kan``: Indonesian suffixes, Portuguese endings...)."""
    lowered = text.lower()
    words = [w for w in _WORD.findall(lowered) if w not in skip]
    marks = {t for t in (_script_token(c) for c in "".join(words)) if t is not None}
    grams = {
        f"#{padded[k : k + 3]}"
        for w in words
        if len(w) >= _GRAM_MIN_WORD
        for padded in (f"^{w}$",)
        for k in range(len(padded) - 2)
    }
    return words + sorted(marks) + sorted(grams)


class SceneTextModel:
    """How much each token shifts a text toward each class (scene or ``NONE``).

    For a token seen in ``n`` training texts, ``n_c`` of them of class ``c``, the
    evidence is ``log(P(c | token) / P(c))`` with ``P(c | token)`` smoothed toward the
    class prior by ``SMOOTHING`` pseudo-texts: a rare token says little, a token that
    only Turkish titles use says "turkish" loudly.  Unlike naive Bayes, a token one
    class never saw does not favour the smaller classes.
    """

    SMOOTHING = 5.0

    def __init__(self, documents: Iterable[tuple[str, Sequence[str]]]) -> None:
        per_class: Counter[str] = Counter()
        counts: dict[str, Counter[str]] = {}
        for label, tokens in documents:
            per_class[label] += 1
            for token in set(tokens):
                counts.setdefault(token, Counter())[label] += 1
        total = sum(per_class.values())
        self.classes: tuple[str, ...] = tuple(sorted(per_class))
        prior = {c: per_class[c] / total for c in self.classes}
        k = self.SMOOTHING
        self._evidence: dict[str, dict[str, float]] = {}
        for token, by_class in counts.items():
            seen = sum(by_class.values())
            self._evidence[token] = {
                c: math.log((by_class.get(c, 0) + k * prior[c]) / (seen + k) / prior[c]) for c in self.classes
            }

    def evidence(self, tokens: Sequence[str]) -> dict[str, float] | None:
        """Per class, the evidence of a text: the mean over its known words and marks,
        averaged with the mean over its known trigrams (None: nothing known)."""
        parts: list[dict[str, float]] = []
        for grams in (False, True):
            known = [
                self._evidence[t]
                for t in dict.fromkeys(tokens)
                if t.startswith("#") == grams and t in self._evidence
            ]
            if known:
                parts.append({c: sum(e[c] for e in known) / len(known) for c in self.classes})
        if not parts:
            return None
        return {c: sum(p[c] for p in parts) / len(parts) for c in self.classes}


def artist_text_scores(
    model: SceneTextModel, texts: Iterable[str], skip: frozenset[str] = frozenset()
) -> tuple[dict[str, float], int]:
    """Per class, the mean evidence over an artist's distinct texts (titles and album
    names, without the words of ``skip``), and how many of the texts said anything."""
    totals: dict[str, float] = dict.fromkeys(model.classes, 0.0)
    counted = 0
    for text in dict.fromkeys(texts):
        evidence = model.evidence(text_tokens(text, skip))
        if evidence is None:
            continue
        counted += 1
        for label, value in evidence.items():
            totals[label] += value
    if counted:
        totals = {label: value / counted for label, value in totals.items()}
    return totals, counted

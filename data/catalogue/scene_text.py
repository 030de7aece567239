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


def text_tokens(text: str) -> list[str]:
    """Tokens of one title or album name: lower-case words, scripts and special letters."""
    lowered = text.lower()
    tokens = _WORD.findall(lowered)
    marks = {t for t in (_script_token(c) for c in lowered) if t is not None}
    return tokens + sorted(marks)


class SceneTextModel:
    """Multinomial naive Bayes over tokens, one class per scene plus ``NONE``."""

    def __init__(self, documents: Iterable[tuple[str, Sequence[str]]]) -> None:
        counts: dict[str, Counter[str]] = {}
        for label, tokens in documents:
            counts.setdefault(label, Counter()).update(tokens)
        vocabulary = set().union(*counts.values()) if counts else set()
        self.classes: tuple[str, ...] = tuple(sorted(counts))
        size = len(vocabulary) + 1
        self._log_p: dict[str, dict[str, float]] = {}
        self._unseen: dict[str, float] = {}
        for label in self.classes:
            total = sum(counts[label].values()) + size
            self._log_p[label] = {token: math.log((n + 1) / total) for token, n in counts[label].items()}
            self._unseen[label] = math.log(1 / total)
        self._vocabulary = vocabulary

    def log_likelihoods(self, tokens: Sequence[str]) -> dict[str, float]:
        """log P(tokens | class) for every class (tokens no class knows are left out)."""
        known = [t for t in tokens if t in self._vocabulary]
        return {
            label: sum(self._log_p[label].get(t, self._unseen[label]) for t in known)
            for label in self.classes
        }


def artist_text_scores(model: SceneTextModel, texts: Iterable[str]) -> dict[str, float]:
    """Summed log-likelihoods of an artist's distinct titles and album names per class."""
    totals: dict[str, float] = dict.fromkeys(model.classes, 0.0)
    for text in dict.fromkeys(texts):
        for label, value in model.log_likelihoods(text_tokens(text)).items():
            totals[label] += value
    return totals

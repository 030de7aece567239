"""The music vocabulary of the languages other than English, one module per language.

Each module is plain data: a ``Language`` mapping the phrases people write in that
language onto the English lexicon's meanings, so a request reads the same whatever
language it is written in ("música relajante para estudiar" = "relaxing music for
studying").  ``core.vocabulary.lexicon`` folds them into the one ``LEXICON``.

How a phrase is written:

* Words are normalised like any text (accents, case, script variants: see
  ``core.vocabulary.tokens``), so "música" and "musica" are one entry.
* A word ending in ``*`` is a stem: it matches every word that starts with it, for
  languages that inflect or glue endings on ("музык*" = музыка, музыку, музыки;
  "şarkı*" = şarkılar, şarkıları; "노래*" = 노래를, 노래들).
* A word starting with ``*`` is the last part of compound words, for languages that
  write compounds as one word ("*musik" = Hintergrundmusik, Partymusik; "*låtar" =
  festlåtar).
* Chinese and Japanese phrases are written without spaces; the scanner finds them
  inside a sentence by longest match.

The language a request is written in says nothing about the music wanted: only
words that name a region, language or scene ("canzoni italiane", "türkçe şarkılar",
"華語") map to regional genres, through the English region phrases.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Language:
    """One language's vocabulary.

    ``meanings``: English lexicon phrase (a key of the English tables: "music",
    "relaxing", "study", "80s", "play", "brazilian") -> the local phrases that mean it.
    ``genres``: local genre names the English tables lack -> catalogue genres.
    ``everyday``: local words listed above that are also ordinary words of that or
    another language ("tempo" is the weather in Portuguese): weak evidence alone.
    ``other_tasks``: words that mark a request for something else (weather, recipes,
    timetables, homework, exchange rates, letters, translations, news).
    ``questions``: words that open a general question.
    ``negators``: words that turn the next term into an exclusion ("sin reguetón").
    """

    code: str
    name: str
    meanings: Mapping[str, tuple[str, ...]]
    genres: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    everyday: tuple[str, ...] = ()
    other_tasks: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    negators: tuple[str, ...] = ()


_DECADES = (1950, 1960, 1970, 1980, 1990, 2000, 2010, 2020)


def decades(*patterns: str) -> dict[str, tuple[str, ...]]:
    """Era phrases for each decade: English era phrase -> local phrases.

    Each pattern is formatted with ``{}`` = the short decade for the 20th century
    ("80") or the full year from 2000 ("2000"), and ``{full}`` = the full year ("1980").
    """
    out: dict[str, tuple[str, ...]] = {}
    for year in _DECADES:
        short = f"{year % 100:02d}" if year < 2000 else str(year)
        phrases = {p.format(short, full=year) for p in patterns}
        out[f"{year}s"] = tuple(sorted(phrases))
    return out


def merged(*parts: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Meaning tables joined; a meaning listed in two parts keeps the phrases of both."""
    out: dict[str, tuple[str, ...]] = {}
    for part in parts:
        for meaning, phrases in part.items():
            out[meaning] = out.get(meaning, ()) + tuple(p for p in phrases if p not in out.get(meaning, ()))
    return out


# Module names are the ISO 639-1 codes, in the order the README lists the languages.
CODES: tuple[str, ...] = (
    "es", "pt", "fr", "de", "it", "nl", "sv", "pl", "ru", "uk", "tr", "id", "vi", "hi", "ja",
    "ko", "zh", "ar", "fa",
)  # fmt: skip


def _load(code: str) -> Language:
    language = importlib.import_module(f"{__name__}.{code}").LANGUAGE
    if not isinstance(language, Language) or language.code != code:
        raise ValueError(f"core.vocabulary.languages.{code} must define LANGUAGE for {code!r}")
    return language


LANGUAGES: tuple[Language, ...] = tuple(_load(code) for code in CODES)

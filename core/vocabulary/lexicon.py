"""Every vocabulary phrase built into one ``LEXICON``: phrase tokens -> ``Term``.

Built once at import from the English tables of ``genre_phrases``,
``moods_and_activities`` and ``music_words``, then the other languages
(``core.vocabulary.languages``), whose phrases take the meaning of the English phrase
they translate; a phrase listed twice with two meanings raises.  Besides the lexicon:
the words the scanner needs to read other scripts (``WORDS``, ``STEMS``,
``CJK_WORDS``) and the other languages' evidence of another task, question words and
negators.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from core.vocabulary.genre_phrases import GENRE_PHRASES, REGION_PHRASES
from core.vocabulary.genres import CATALOGUE_GENRE_SET
from core.vocabulary.languages import LANGUAGES, Language
from core.vocabulary.moods_and_activities import ACTIVITIES, MOODS, SCENES
from core.vocabulary.music_words import MUSIC_WORDS, REQUEST_WORDS, decade_terms
from core.vocabulary.terms import Term, TermKind, TermSpec
from core.vocabulary.tokens import is_cjk, is_hangul, phrase_key, tokenize

# A word of another language's phrase ending in this is a stem ("музык*").
STEM = "*"
_MIN_STEM = 2
# A word starting with it is the last part of compounds ("*musik" = Hintergrundmusik).
_MIN_ENDING = 4


def _build_lexicon() -> dict[tuple[str, ...], Term]:
    """Every phrase -> Term; a phrase listed twice is a bug in the tables (raises)."""
    lexicon: dict[tuple[str, ...], Term] = {}

    def add(phrase: str, term: Term) -> None:
        key = phrase_key(phrase)
        if not key:
            raise ValueError(f"empty vocabulary phrase {phrase!r}")
        if key in lexicon and lexicon[key] != term:
            raise ValueError(f"vocabulary phrase {phrase!r} is listed twice")
        lexicon[key] = term

    for phrase, genres in GENRE_PHRASES.items():
        add(phrase, Term(key=genres[0], kind="genre", genres=genres))
    for phrase, genres in REGION_PHRASES.items():
        add(phrase, Term(key=genres[0], kind="region", genres=genres))
    tables: tuple[tuple[TermKind, tuple[TermSpec, ...]], ...] = (
        ("mood", MOODS),
        ("activity", ACTIVITIES),
        ("scene", SCENES),
    )
    for kind, specs in tables:
        for spec in specs:
            term = Term(
                key=spec.key,
                kind=kind,
                label=spec.label,
                genres=spec.genres,
                energy=spec.energy,
                valence=spec.valence,
                moods=spec.moods or ((spec.key,) if kind == "mood" else ()),
                keyword=spec.keyword,
            )
            for phrase in spec.phrases:
                add(phrase, term)
    for phrase, era_term in decade_terms().items():
        add(phrase, era_term)
    for phrase, genres in MUSIC_WORDS.items():
        add(phrase, Term(key=" ".join(phrase_key(phrase)), kind="music", genres=genres))
    for phrase in REQUEST_WORDS:
        add(phrase, Term(key=phrase, kind="request"))
    english = dict(lexicon)
    problems: list[str] = []
    for language in LANGUAGES:
        problems += _add_language(lexicon, english, language)
    if problems:  # every one at once: a table is fixed in one go
        raise ValueError("; ".join(problems))
    return lexicon


def language_key(phrase: str) -> tuple[str, ...]:
    """The lexicon key of another language's phrase: its tokens, stems ("музык*") and
    compound endings ("*musik") kept."""
    key: list[str] = []
    for word in phrase.split():
        if word.startswith(STEM) and len(word) > 1:
            ending = "".join(tokenize(word[1:]))
            if len(ending) < (2 if is_hangul(ending) else _MIN_ENDING) or is_cjk(ending):
                raise ValueError(f"compound ending {word!r} is too short (or Chinese/Japanese)")
            key.append(STEM + ending)
        elif word.endswith(STEM):
            stem = "".join(tokenize(word[:-1]))
            # a Hangul syllable is a whole syllable: one is a stem ("밤*" = 밤에, 밤의)
            if len(stem) < (1 if is_hangul(stem) else _MIN_STEM) or is_cjk(stem):
                raise ValueError(f"stem {word!r} is too short (or Chinese/Japanese: list words)")
            key.append(stem + STEM)
        else:
            key.extend(tokenize(word))
    if not key:
        raise ValueError(f"empty vocabulary phrase {phrase!r}")
    return tuple(key)


def _add_language(
    lexicon: dict[tuple[str, ...], Term], english: Mapping[tuple[str, ...], Term], language: Language
) -> list[str]:
    """Adds one language's phrases, each meaning what its English phrase means; returns
    the problems found (a phrase with two meanings, an unknown English phrase or genre)."""
    problems: list[str] = []

    def add(phrase: str, term: Term) -> None:
        try:
            key = language_key(phrase)
        except ValueError as exc:
            problems.append(f"{language.code}: {exc}")
            return
        if key in lexicon and lexicon[key] != term:
            problems.append(f"{language.code}: {phrase!r} already means {lexicon[key].key!r}")
        else:
            lexicon[key] = term

    for meaning, phrases in language.meanings.items():
        term = english.get(phrase_key(meaning))
        if term is None:
            problems.append(f"{language.code}: {meaning!r} is no English vocabulary phrase")
            continue
        for phrase in phrases:
            add(phrase, term)
    for phrase, genres in language.genres.items():
        unknown = [g for g in genres if g not in CATALOGUE_GENRE_SET]
        if not genres or unknown:
            problems.append(f"{language.code}: {phrase!r} names no catalogue genre ({unknown})")
        else:
            add(phrase, Term(key=genres[0], kind="genre", genres=genres))
    return problems


LEXICON: Mapping[tuple[str, ...], Term] = _build_lexicon()
MAX_PHRASE = max(len(key) for key in LEXICON)


def _keys(phrases: Iterable[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(language_key(p) for p in phrases)


# The other languages' evidence of another task and question words, as phrase keys.
OTHER_TASKS: frozenset[tuple[str, ...]] = _keys(p for lang in LANGUAGES for p in lang.other_tasks)
QUESTIONS: frozenset[tuple[str, ...]] = _keys(p for lang in LANGUAGES for p in lang.questions)
MAX_SIGNAL_PHRASE = max(len(key) for key in OTHER_TASKS | QUESTIONS)
# Single words that turn the next term into an exclusion, in the other languages.
NEGATOR_KEYS: frozenset[str] = frozenset(
    key for lang in LANGUAGES for phrase in lang.negators for key in language_key(phrase)
)
_ALL_KEYS = [*LEXICON, *OTHER_TASKS, *QUESTIONS, *((k,) for k in NEGATOR_KEYS)]
# Every word of a phrase key, and the stems (without the mark): how the scanner tells a
# known word from an inflected one ("музыку" -> "музык*").
WORDS: frozenset[str] = frozenset(w for key in _ALL_KEYS for w in key if STEM not in w)
STEMS: frozenset[str] = frozenset(w[:-1] for key in _ALL_KEYS for w in key if w.endswith(STEM))
# The endings of compound words ("*musik": Hintergrundmusik, Partymusik), without the mark.
ENDINGS: frozenset[str] = frozenset(
    w[1:] for key in _ALL_KEYS for w in key if w.startswith(STEM) and len(w) > 1
)
# The words the scanner cuts a Chinese or Japanese run into, and the longest of them.
CJK_WORDS: frozenset[str] = frozenset(w for w in WORDS if is_cjk(w))
MAX_CJK_WORD = max(map(len, CJK_WORDS), default=1)


def lookup(phrase: str) -> Term | None:
    """The term a phrase stands for, if it is in the lexicon ("house party" -> activity)."""
    return LEXICON.get(phrase_key(phrase))


# Single words that are music vocabulary but also everyday English ("the house", "what
# country", "a rock", "run a script", "track my order").  The planner reads them as usual;
# the validator counts them as weaker evidence that a prompt is about music.
EVERYDAY_WORDS: frozenset[str] = frozenset({
    # genres
    "house", "country", "rock", "metal", "pop", "soul", "swing", "folk", "dance", "trap",
    "drill", "garage", "industrial", "alternative", "electronic", "dub", "jungle", "christian",
    "worship", "kids", "children", "comedy", "afro", "latin", "grime", "glitch", "hardcore",
    "blues", "classical", "opera", "gothic", "acoustic",
    # music words
    "track", "tracks", "record", "records", "single", "singles", "sound", "sounds", "noise",
    "audio", "bass", "mix", "mixes", "band", "bands", "beat", "jam", "hits", "chorus", "ep",
    "eps", "lp", "radio", "organ", "strings", "harmony", "rhythm", "drum", "drums", "stars",
    # moods, activities and scenes
    "work", "working", "office", "workday", "run", "runs", "cook", "kitchen", "bath", "shower",
    "travel", "traveling", "travelling", "focus", "focused", "productive", "productivity",
    "concentrate", "creative", "painting", "drawing", "breakfast", "lunch", "dinner",
    "restaurant", "coffee", "morning", "mornings", "energy", "fast", "slow", "soft", "quiet",
    "warm", "cold", "bright", "positive", "fun", "heavy", "raw", "wild", "crazy", "smooth",
    "moving", "touching", "dark", "intense", "sunny", "memories", "celebrate", "birthday",
    "festival", "sea", "lake", "river", "forest", "woods", "mountains", "nature", "outdoors",
    "space", "city", "urban", "downtown", "car", "night", "nights", "evening", "tonight",
    "afternoon", "winter", "summer", "spring", "snow", "weekend", "saturday", "sunday",
    "sundays", "walk", "walking", "hike", "hiking", "picnic", "backyard", "pool", "beach",
    "holiday", "vacation", "anger", "angry", "happiness", "exercise", "exercising", "sprint",
    "marathon", "5k", "10k", "spinning", "gaming", "writing", "breathing", "massage", "spa",
    "study", "studies", "hopeful", "confident", "motivation", "experimental",
    "reflective", "moody", "heartache", "grief", "tears", "rain", "storm", "cry",
    "reading", "commute", "play", "playing", "spin", "queue", "blast", "crank",
    "cozy", "cosy", "comfy", "gentle", "tender", "epic", "calm", "weird", "loud",
})  # fmt: skip
# ...and the other languages' words of that kind ("tempo": the weather in Portuguese),
# as keys (one word, or a stem with its mark).
EVERYDAY_WORDS |= frozenset(
    key for lang in LANGUAGES for phrase in lang.everyday for key in language_key(phrase)
)

"""Every vocabulary phrase built into one ``LEXICON``: phrase tokens -> ``Term``.

Built once at import from the tables of ``genre_phrases``, ``moods_and_activities`` and
``music_words``; a phrase listed twice with two meanings raises.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.vocabulary.genre_phrases import GENRE_PHRASES, REGION_PHRASES
from core.vocabulary.moods_and_activities import ACTIVITIES, MOODS, SCENES
from core.vocabulary.music_words import MUSIC_WORDS, REQUEST_WORDS, decade_terms
from core.vocabulary.terms import Term, TermKind, TermSpec
from core.vocabulary.tokens import phrase_key


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
    return lexicon


LEXICON: Mapping[tuple[str, ...], Term] = _build_lexicon()
MAX_PHRASE = max(len(key) for key in LEXICON)


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

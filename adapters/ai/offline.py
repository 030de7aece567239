"""The no-model fallback: a rule-based planner that reads the prompt's words.

``OfflineStrategyProvider`` is a ``ChatModel`` that needs nothing but this file and
``core.vocabulary``: it recognises genres, moods, activities, eras and artists named
as "like X" / "by X", and turns them into the same strategy a language model would
give, checked by ``core.strategy.parse_strategy`` like any model output.  It knows no
songs, so it never suggests any: it plans catalogue searches (genre, artist and
year filters plus a few mood keywords) and an energy/valence target the demo
catalogue ranks by.  Refinements start from the previous strategy and apply the
feedback ("more energetic", "no ballads", "add some soul", "no Drake", "more like
Björk").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core import wording
from core.models import (
    DependencyStatus,
    Profile,
    Strategy,
    StrategyAnswer,
    StrategyRequest,
)
from core.ports import MusicKnowledge
from core.strategy import parse_strategy, strategy_to_dict
from core.targets import TARGET_FEATURES, FeatureTarget, TargetFeature, clamp_target
from core.vocabulary.artist_names import (
    extract_artists,
    extract_excluded_artists,
    extract_names,
    looks_like_a_name,
)
from core.vocabulary.feature_words import (
    ARC_BY_TERM,
    DEEP_PHRASES,
    FEATURE_PHRASES,
    INTENSIFIERS,
    POPULAR_PHRASES,
    TERM_TARGETS,
    FeatureGoal,
)
from core.vocabulary.genres import (
    CATALOGUE_GENRE_SET,
    CATALOGUE_GENRES,
    GENRE_AUDIO,
    INSTRUMENT_GENRES,
    genre_display,
)
from core.vocabulary.lexicon import lookup
from core.vocabulary.scanner import Match, canonical_genres, read_tokens, scan, scan_tokens
from core.vocabulary.terms import Term
from core.vocabulary.tokens import tokenize

PROVIDER_NAME = "offline"

MAX_GENRES = 6
MAX_QUERIES = 14
MAX_SEEDS = 5
# When a prompt gives nothing to go on (only "songs" or an era), search broadly.
DEFAULT_GENRES: tuple[str, ...] = ("pop", "rock", "indie")
# Energy/valence with no mood, activity or genre to derive them from.
NEUTRAL = 0.5
# How far a profile's energy pulls the prompt's own target (the prompt speaks louder).
PROFILE_ENERGY_PULL = 0.25
# How far "less X" / "no X" moves the target away from mood X.
AWAY_STEP = 0.15
# Bounds of a target: never ask the catalogue for the silent or the deafening extreme.
LOW, HIGH = 0.05, 0.95

# How much each kind of term counts when inferring genres or a target.
_INFER_WEIGHT = {"activity": 1.0, "mood": 1.0, "scene": 0.6, "music": 0.8}
# Moods that make a playlist a ballad playlist; "no ballads" drops them all.
_BALLADISH = frozenset(
    {"ballad", "sad", "melancholic", "romantic", "mellow", "emotional", "calm", "peaceful",
     "tender", "sensual"}
)  # fmt: skip
_BALLADISH_GENRES = frozenset({"sad", "romance", "singer-songwriter", "songwriter"})
# Comparatives that people use in feedback, read as the mood they point to.
_COMPARATIVES: dict[str, str] = {
    "faster": "energetic", "quicker": "energetic", "harder": "energetic",
    "louder": "loud", "heavier": "aggressive", "livelier": "upbeat", "bouncier": "upbeat",
    "happier": "happy", "cheerier": "happy", "brighter": "happy", "sunnier": "happy",
    "slower": "mellow", "calmer": "calm", "softer": "mellow", "quieter": "mellow",
    "gentler": "mellow", "mellower": "mellow", "chiller": "chill", "sadder": "sad",
    "darker": "dark", "moodier": "melancholic", "dreamier": "dreamy", "groovier": "groovy",
    "funkier": "groovy", "speed it up": "energetic", "pick up the pace": "energetic",
    "pump it up": "energetic", "turn it up": "energetic", "slow it down": "mellow",
    "tone it down": "calm", "calm it down": "calm", "less boring": "upbeat",
}  # fmt: skip
_SOFT_NEGATORS = frozenset({"less", "fewer"})  # reduce, but never remove the only genre
_FRONT_WORDS = frozenset({"more", "mostly", "lots", "much", "heavier", "focus"})
_ONLY_WORDS = frozenset({"only", "just", "purely", "all"})
# "more Radiohead" names an artist only when capitalised ("more variety" does not).
_MORE_ARTIST_TRIGGERS = (r"more", r"add(?: some)?", r"some", r"throw in(?: some)?")
# Music words that make a good title noun ("90s Hits", "Chill Vibes", "Songs for ...");
# the generic ones only when no genre is named.
_TITLE_NOUNS = frozenset({"hits", "bangers", "anthems", "classics", "jams", "beats", "vibes",
                          "bops", "instrumentals", "melodies", "tunes", "grooves"})  # fmt: skip
_GENERIC_NOUNS = frozenset({"songs", "music", "tracks", "playlist", "mix", "mixtape"})


def _clamp(value: float) -> float:
    return round(min(HIGH, max(LOW, value)), 2)


def _unique(items: Iterable[str]) -> list[str]:
    """Items in first-seen order, compared case-insensitively."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _quote(text: str) -> str:
    return text.replace('"', "").strip()


@dataclass(slots=True)
class _Reading:
    """What a prompt (or a piece of feedback) says, sorted by kind."""

    genres: list[str] = field(default_factory=list)  # named, in order
    excluded_genres: set[str] = field(default_factory=set)
    feels: list[Term] = field(default_factory=list)  # moods and activities
    scenes: list[Term] = field(default_factory=list)
    hints: list[Term] = field(default_factory=list)  # instrument words ("sax" -> jazz)
    negated_moods: list[Term] = field(default_factory=list)
    era: Term | None = None
    artists: list[str] = field(default_factory=list)
    avoid: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # ("jazz", "piano")
    noun: str = ""  # the prompt's own word for the playlist ("hits", "songs")
    labels: list[str] = field(default_factory=list)  # named genres as a title says them


# How a multi-genre phrase reads in a title when title-casing it is not enough.
_PHRASE_LABELS = {"lofi": "Lo-Fi", "lo fi": "Lo-Fi", "lofi hip hop": "Lo-Fi Hip-Hop",
                  "lo fi hip hop": "Lo-Fi Hip-Hop", "chillhop": "Chillhop"}  # fmt: skip


def _genre_label(term: Term, phrase: Sequence[str]) -> str:
    """How a named genre phrase reads: "indie rock" -> "Indie Rock", "rnb" -> "R&B"."""
    words = " ".join(phrase)
    if words in _PHRASE_LABELS:
        return _PHRASE_LABELS[words]
    if len(term.genres) == 1:
        return genre_display(term.genres[0])
    if not words.isascii():  # "ボカロ", "موسیقی سنتی": the lead genre's name reads in any title
        return genre_display(term.genres[0])
    return words.title()


def _read(text: str) -> _Reading:
    reading = _Reading()
    matches = scan(text)
    tokens = scan_tokens(text)
    previous_genre: Match | None = None
    for match in matches:
        term = match.term
        if term.kind in ("genre", "region"):
            if match.negated:
                reading.excluded_genres.update(term.genres)
                continue
            # "jazz piano": an instrument right after a genre plays that genre
            if (
                previous_genre is not None
                and previous_genre.end == match.start
                and term.genres[0] in INSTRUMENT_GENRES
            ):
                reading.pairs.append((previous_genre.term.genres[0], term.genres[0]))
            reading.genres.extend(g for g in term.genres if g not in reading.genres)
            label = _genre_label(term, tokens[match.start : match.end])
            if label not in reading.labels:
                reading.labels.append(label)
            previous_genre = match
            continue
        previous_genre = None
        if match.negated:
            if term.kind == "mood":
                reading.negated_moods.append(term)
            continue
        if term.kind in ("mood", "activity"):
            reading.feels.append(term)
        elif term.kind == "scene":
            reading.scenes.append(term)
        elif term.kind == "music":
            if term.genres:
                reading.hints.append(term)
            if not reading.noun and term.key in _TITLE_NOUNS | _GENERIC_NOUNS:
                reading.noun = term.key
        elif term.kind == "era" and reading.era is None:
            reading.era = term
    reading.genres = [g for g in reading.genres if g not in reading.excluded_genres]
    reading.avoid = list(extract_excluded_artists(text))
    reading.artists = list(extract_artists(text))
    if not matches and not reading.artists and looks_like_a_name(text):
        reading.artists = [" ".join(text.split())]  # a bare "Taylor Swift" is an artist
    return reading


def _infer_genres(reading: _Reading) -> list[str]:
    """Genres that suit the moods, activities and scenes of a prompt naming none.

    Each term votes for its genres, the first ones more; genres that several terms
    share win ("sad songs for a road trip" -> indie first).
    """
    votes: dict[str, float] = {}
    terms = [*reading.feels, *reading.scenes, *reading.hints]
    for term in terms:
        weight = _INFER_WEIGHT.get(term.kind, 0.5)
        for rank, genre in enumerate(term.genres):
            votes[genre] = votes.get(genre, 0.0) + weight * (1 - 0.15 * rank)
    ranked = sorted(votes, key=lambda g: -votes[g])  # stable: ties keep first-seen order
    return [g for g in ranked if g not in reading.excluded_genres]


def _target(reading: _Reading, genres: Sequence[str], profile: Profile) -> tuple[float, float]:
    """Energy and valence from the prompt's feel, else its genres, nudged by the profile."""
    weighted = [(t, 1.0) for t in reading.feels] + [(t, 0.5) for t in reading.scenes]
    weighted = [(t, w) for t, w in weighted if t.energy is not None and t.valence is not None]
    if weighted:
        total = sum(w for _, w in weighted)
        energy = sum((t.energy or 0.0) * w for t, w in weighted) / total
        valence = sum((t.valence or 0.0) * w for t, w in weighted) / total
        pull = PROFILE_ENERGY_PULL
    elif genres:
        known = [GENRE_AUDIO[g] for g in genres[:3] if g in GENRE_AUDIO]
        energy = sum(e for e, _ in known) / len(known) if known else NEUTRAL
        valence = sum(v for _, v in known) / len(known) if known else NEUTRAL
        pull = 0.5  # the prompt said nothing about energy: the profile may say more
    else:
        energy, valence, pull = NEUTRAL, NEUTRAL, 0.5
    for negated in reading.negated_moods:  # "nothing too sad": step away from that feel
        energy = _nudge(energy, negated.energy, towards=False)
        valence = _nudge(valence, negated.valence, towards=False)
    if profile.energy is not None:
        energy = energy * (1 - pull) + profile.energy * pull
    return _clamp(energy), _clamp(valence)


def _nudge(value: float, target: float | None, *, towards: bool = True) -> float:
    """Moves ``value`` towards a mood's ``target``, or away from it ("less intense").

    Towards goes half-way, and at least a noticeable step when the mood is decided
    ("more energetic" on an energetic list still goes up); away takes one step to the
    other side of neutral from the mood ("no ballads" raises energy).
    """
    if target is None:
        return value
    decided = abs(target - NEUTRAL) >= 0.2
    if towards:
        delta = (target - value) / 2
        if decided and abs(delta) < 0.1:
            delta = 0.1 if target > NEUTRAL else -0.1
    elif decided:
        delta = AWAY_STEP if target < NEUTRAL else -AWAY_STEP
    else:
        delta = 0.0
    return _clamp(value + delta)


def _years(era: Term) -> str:
    start, end = era.years or (0, 0)
    return f"year:{start}" if start == end else f"year:{start}-{end}"


def _keywords(terms: Iterable[Term]) -> list[str]:
    return _unique(t.keyword for t in terms if t.keyword)


def _queries(
    genres: Sequence[str],
    seeds: Sequence[str],
    era: Term | None,
    keywords: Sequence[str],
    pairs: Sequence[tuple[str, str]] = (),
) -> list[str]:
    """Spotify-syntax searches: artists first (named by the user), then the era's
    genres, then each genre alone and, for the lead genres, with a mood keyword."""
    queries = [f'artist:"{_quote(a)}"' for a in seeds[:MAX_SEEDS]]
    if era is not None:
        queries += [f'genre:"{g}" {_years(era)}' for g in genres[:4]]
        if not genres:
            queries.append(_years(era))
    queries += [f'genre:"{genre}" {instrument}' for genre, instrument in pairs]
    for rank, genre in enumerate(genres):
        queries.append(f'genre:"{genre}"')
        if rank < 2 and keywords:
            keyword = keywords[min(rank, len(keywords) - 1)]
            if keyword not in genre:  # not 'genre:"sad" sad'
                queries.append(f'genre:"{genre}" {keyword}')
    return _unique(queries)[:MAX_QUERIES]


def _title(reading: _Reading, seeds: Sequence[str], prompt: str) -> str:
    """A short title from what the prompt says: "Relaxing Jazz for Studying"."""
    moods = [t for t in reading.feels if t.kind == "mood"]
    activities = [t for t in reading.feels if t.kind == "activity"]
    # "morning workout": the activity that sets the energy is the one to name
    activities.sort(key=lambda t: -abs((t.energy or NEUTRAL) - NEUTRAL))
    occasions = activities + reading.scenes
    parts: list[str] = []
    if moods:
        parts.append(moods[0].label)
    if reading.era is not None:
        parts.append(reading.era.label)
    named = reading.labels[:2]
    if reading.pairs and reading.genres[:2] == list(reading.pairs[0]) and len(named) == 2:
        parts.append(" ".join(named))  # "Jazz Piano"
    elif len(named) == 2 and any("&" in n for n in named):
        parts.append(wording.title_and(*named))
    elif named:
        parts.append(" & ".join(named))
    # The title's words are the user's language (core.i18n's current one); names stay.
    if named and reading.noun in _TITLE_NOUNS:
        parts.append(wording.TITLE_NOUNS[reading.noun]())
    elif not named and (moods or occasions or reading.era is not None or seeds):
        noun = reading.noun if reading.noun in _TITLE_NOUNS | _GENERIC_NOUNS else "music"
        parts.append(wording.TITLE_NOUNS[noun]())
    title = " ".join(parts)
    if occasions:
        title = wording.title_for(title, occasions[0].label)
    if seeds:
        title = wording.title_like(title, " & ".join(seeds[:2]))
    title = " ".join(title.split())
    if not title:
        # nothing recognised: the prompt itself, tidied, is the most honest title
        title = " ".join(prompt.split())[:60].strip()
        title = title[:1].upper() + title[1:] if title else wording.PLAYLIST_WORD()
    return title[:100]


def _description(genres: Sequence[str], moods: Sequence[str], energy: float, note: str) -> str:
    bits = []
    if genres:
        bits.append(", ".join(genres[:4]))
    if moods:
        bits.append(", ".join(moods[:3]))
    bits.append(f"energy {energy:.2f}")
    return f"{note}: {'; '.join(bits)}."[:300]


def _profile_genres(profile: Profile) -> list[str]:
    out: list[str] = []
    for name in profile.favourite_genres:
        out.extend(canonical_genres(name))
    return _unique(out)


def plan_prompt(
    prompt: str, profile: Profile, knowledge: MusicKnowledge | None = None
) -> dict[str, Any]:
    """The strategy (as the schema's dict) for a fresh prompt.

    ``knowledge`` (the dataset's artist index) recognises the artists a prompt names
    however it names them ("Taylor Swift deep cuts", "Radiohead's OK Computer").
    """
    reading = _read(prompt)
    named = _named_artists(prompt, reading, knowledge)
    if knowledge is not None and named.by:
        # the words of a name are not the request's genres ("Daft Punk" is not punk)
        artists, avoid = reading.artists, reading.avoid
        reading = _read(_without_names(prompt, named.by))
        reading.artists, reading.avoid = artists, avoid
    reading.artists = named.by  # "songs like X" seeds X too; ``like_artists`` says how
    favourites = [g for g in _profile_genres(profile) if g not in reading.excluded_genres]
    genres = list(reading.genres)
    if not genres and knowledge is not None and (named.like or reading.artists):
        genres = _artist_genres([*named.like, *reading.artists], knowledge)
    if not genres:
        inferred = _infer_genres(reading)
        if inferred:
            genres = _unique([*inferred[:4], *favourites[:2]])
        elif favourites:
            genres = favourites
        elif not reading.artists:
            genres = [g for g in DEFAULT_GENRES if g not in reading.excluded_genres]
    genres = genres[:MAX_GENRES]
    energy, valence = _target(reading, genres, profile)
    moods = _unique(label for t in reading.feels for label in t.moods)
    moods += _unique(label for t in reading.scenes for label in t.moods if label not in moods)
    avoid = _unique([*reading.avoid, *profile.disliked_artists])
    avoided = {a.casefold() for a in avoid}
    seeds = [a for a in reading.artists if a.casefold() not in avoided][:MAX_SEEDS]
    like = [a for a in named.like if a.casefold() not in avoided][:MAX_SEEDS]
    keywords = _keywords([*reading.feels, *reading.scenes])
    queries = _queries(genres, seeds, reading.era, keywords, reading.pairs)
    if not queries:  # everything was excluded ("anything but pop, rock or indie")
        genres = [g for g in CATALOGUE_GENRES if g not in reading.excluded_genres][:1]
        queries = _queries(genres, seeds, reading.era, keywords)
    return {
        "title": _title(reading, like, prompt),
        "description": _description(genres, moods, energy, "Planned offline from your words"),
        "genres": genres,
        "moods": moods[:6],
        "energy": energy,
        "valence": valence,
        "era": reading.era.key if reading.era is not None else None,
        "seed_artists": seeds,
        "avoid_artists": avoid,
        "songs": [],  # the offline planner knows no songs and must not invent any
        "queries": queries,
        "targets": _targets_dict(_plan_targets(reading, prompt, energy, valence)),
        "like_artists": like,
        "familiarity": _familiarity(prompt),
        "arc": _arc(reading),
    }


# --- feature targets, familiarity, arc and named artists (issue 17) ------------------
def _phrase_spans(words: Sequence[str], phrases: Iterable[str]) -> list[str]:
    """The ``phrases`` found in ``words`` as whole words, longest first, never overlapping."""
    taken = [False] * len(words)
    found: list[str] = []
    for phrase in sorted(phrases, key=lambda p: -len(p.split())):
        size = len(phrase.split())
        for i in range(len(words) - size + 1):
            if " ".join(words[i : i + size]) == phrase and not any(taken[i : i + size]):
                taken[i : i + size] = [True] * size
                found.append(phrase)
    return found


def _feature_goals(text: str) -> list[FeatureGoal]:
    """The features a text names outright ("instrumental", "no vocals", "slower")."""
    words = tokenize(text)
    return [goal for phrase in _phrase_spans(words, FEATURE_PHRASES) for goal in FEATURE_PHRASES[phrase]]


def _clear(text: str) -> float:
    """How much clearer an intensifier makes a request ("very calm")."""
    return 0.15 if any(w in INTENSIFIERS for w in tokenize(text)) else 0.0


def _decided(value: float | None) -> bool:
    return value is not None and abs(value - NEUTRAL) >= 0.2


def _leans(value: float | None) -> bool:
    """Whether a feel's energy leans one way at all ("romantic" is a little calm)."""
    return value is not None and abs(value - NEUTRAL) >= 0.1


def _said(base: float, value: float | None) -> float:
    """How clearly a feel says its energy: the further from neutral, the clearer
    ("falling asleep" is clearer than "romantic")."""
    distance = abs((value if value is not None else NEUTRAL) - NEUTRAL)
    return base * (0.6 + 0.4 * min(1.0, distance / 0.2)) + 0.2 * min(1.0, max(0.0, distance - 0.2) / 0.2)


def _plan_targets(
    reading: _Reading, text: str, energy: float, valence: float
) -> dict[TargetFeature, FeatureTarget]:
    """Targets from the prompt's feels (mood words speak louder than scenes), its feature
    words, and, when nothing else says, its genres' usual energy (weakly)."""
    bonus = _clear(text)
    strength = {"mood": 0.6, "activity": 0.55, "scene": 0.3}
    feels = [*reading.feels, *reading.scenes]
    goals: list[FeatureGoal] = []
    energy_says = [_said(strength.get(t.kind, 0.3), t.energy) for t in feels
                   if _leans(t.energy)]
    valence_says = [_said(strength.get(t.kind, 0.3), t.valence) for t in feels
                    if _decided(t.valence)]
    goals.append(("energy", energy, max(energy_says) + bonus if energy_says else 0.2))
    if valence_says:
        goals.append(("valence", valence, max(valence_says) + bonus))
    for term in feels:
        scale = 1.0 if term.kind != "scene" else 0.6
        goals += [(f, v, s * scale + bonus) for f, v, s in TERM_TARGETS.get(term.key, ())]
    goals += [(f, v, s + bonus) for f, v, s in _feature_goals(text)]
    out: dict[TargetFeature, FeatureTarget] = {}
    for feature, value, weight in goals:
        known = out.get(feature)
        if known is None or weight > known.strength:
            out[feature] = FeatureTarget(feature, clamp_target(feature, value), round(min(0.95, weight), 2))
    return out


def _targets_dict(targets: dict[TargetFeature, FeatureTarget]) -> dict[str, Any]:
    """Targets in the schema's shape, in ``TARGET_FEATURES`` order."""
    out: dict[str, Any] = {}
    for feature in TARGET_FEATURES:
        target = targets.get(feature)
        if target is not None:
            out[feature] = {"value": target.value, "strength": target.strength,
                            **({"direction": target.direction} if target.direction else {})}
    return out


def _familiarity(text: str) -> str | None:
    """"deep cuts" / "less mainstream" ask for the unfamiliar, "the hits" for the familiar."""
    words = tokenize(text)
    if _phrase_spans(words, DEEP_PHRASES):
        return "deep"
    if _phrase_spans(words, POPULAR_PHRASES):
        return "popular"
    return None


def _arc(reading: _Reading) -> str | None:
    """The arc of the prompt's first shaped activity (a workout, a party, a wind-down)."""
    return next((ARC_BY_TERM[t.key] for t in reading.feels if t.key in ARC_BY_TERM), None)


@dataclass(frozen=True, slots=True)
class _Named:
    """Artists a prompt names: ``by`` (their own songs) and ``like`` (their neighbours)."""

    by: list[str]
    like: list[str]


_LIKE_WORDS = (r"like", r"similar to", r"sounds? like", r"in the style of", r"reminiscent of",
               r"inspired by", r"the likes of", r"fans? of", r"artists? like", r"bands? like")
_POSSESSIVE = re.compile(r"[\'’]s\b.*$")


def _named_artists(prompt: str, reading: _Reading, knowledge: MusicKnowledge | None) -> _Named:
    """The artists the prompt names, split into "songs like X" and the rest.

    With ``knowledge`` the dataset's name index finds them wherever they stand; without
    it the trigger words do ("like X", "by X"), a possessive trimmed ("X's OK Computer").
    """
    names = [_POSSESSIVE.sub("", a).strip() or a for a in reading.artists]
    if knowledge is not None:
        found = list(knowledge.artists_named_in(prompt))
        # a name the index knows replaces the span it sits in ("Radiohead's OK Computer")
        names = [n for n in names if not any(f.casefold() in n.casefold() for f in found)]
        names = _unique([*found, *names])
    names = [n for n in _unique(names) if n.casefold() not in {a.casefold() for a in reading.avoid}]
    spans = [span.casefold() for span in extract_names(prompt, _LIKE_WORDS)]
    like = [n for n in names if any(n.casefold() in span for span in spans)]
    return _Named(by=names, like=like)


def _without_names(prompt: str, names: Sequence[str]) -> str:
    """The prompt with the named artists' names (and a possessive) blanked out."""
    for name in names:
        prompt = re.sub(re.escape(name) + r"(?:['’]s)?", " , ", prompt, flags=re.IGNORECASE)
    return prompt


def _artist_genres(names: Sequence[str], knowledge: MusicKnowledge) -> list[str]:
    """The genres that carry most of the named artists' work (a "songs like X" playlist's)."""
    genres: list[str] = []
    for name in names:
        profile = knowledge.artist(name)
        if profile is None:
            continue
        own = [g for g, share in profile.genres[:4] if share >= 0.3 and g in CATALOGUE_GENRE_SET]
        # "pop" says little of an artist filed under sharper genres too (Daft Punk: electro)
        genres += [g for g in own if g not in _BROAD_GENRES] or own
    return _unique(genres)[:3]


_BROAD_GENRES = frozenset({"pop"})


def _window(tokens: Sequence[str], match: Match, size: int = 3) -> list[str]:
    return list(tokens[max(0, match.start - size) : match.start])


def _comparative_terms(feedback: str) -> list[tuple[Term, bool]]:
    """Mood terms behind comparatives ("faster", "tone it down"), with direction."""
    text = " ".join(tokenize(feedback))
    found: list[tuple[Term, bool]] = []
    for phrase, mood in _COMPARATIVES.items():
        if f" {phrase} " in f" {text} ":
            term = lookup(mood)
            if term is not None:
                negated = f" less {phrase} " in f" {text} " or f" not {phrase} " in f" {text} "
                found.append((term, not negated))
    return found


def _opposed(mood: str, term: Term) -> bool:
    """Whether a recorded mood contradicts the feel a refinement moves towards."""
    known = lookup(mood)
    if known is None or known.energy is None or term.energy is None:
        return False
    return abs(known.energy - term.energy) > 0.4


def _genres_for_moods(moods: Sequence[str], excluded: set[str]) -> list[str]:
    """Genres that suit a strategy's recorded moods (when a refinement removed its genres)."""
    reading = _Reading(excluded_genres=set(excluded))
    for mood in moods:
        term = lookup(mood)
        if term is not None and term.kind in ("mood", "activity", "scene"):
            reading.feels.append(term)
    return _infer_genres(reading)


def _retitle(
    title: str, previous: Strategy, genres: Sequence[str], retired: Sequence[str],
    mood: Term | None,
) -> str:  # fmt: skip
    """The previous title, kept true: a replaced lead genre or retired mood is swapped."""
    if previous.genres and genres and genres[0] != previous.genres[0]:
        # "Relaxing Jazz" -> "Relaxing Soul" after "more soul"
        title = title.replace(genre_display(previous.genres[0]), genre_display(genres[0]))
    for label in retired:
        term = lookup(label)
        if term is not None and term.kind == "mood" and f"{term.label} " in title:
            # "Relaxing Jazz" -> "Energetic Jazz" after "more energetic"
            replacement = f"{mood.label} " if mood is not None and mood.label not in title else ""
            title = title.replace(f"{term.label} ", replacement, 1)
    return title.strip() or "Playlist"


@dataclass(slots=True)
class _Refinement:
    """A strategy part-way through a refinement: what each applier reads and changes."""

    genres: list[str]
    moods: list[str]
    queries: list[str]
    energy: float
    valence: float
    era_key: str | None
    removed_genres: set[str] = field(default_factory=set)
    soft_kept: set[str] = field(default_factory=set)  # "less jazz" when jazz is all there is
    front: list[str] = field(default_factory=list)  # queries to run first: what was asked for
    new_era: Term | None = None
    mood_keywords: list[str] = field(default_factory=list)
    shifts: list[tuple[Term, bool]] = field(default_factory=list)  # (feel, towards it?)
    retired: list[str] = field(default_factory=list)  # moods the feedback turned away from
    title_mood: Term | None = None  # the mood a retired title word gives way to
    avoid: list[str] = field(default_factory=list)
    avoided: set[str] = field(default_factory=set)  # ``avoid``, casefolded
    seeds: list[str] = field(default_factory=list)
    stale_keywords: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, previous: Strategy, data: dict[str, Any]) -> _Refinement:
        # a model's strategy may carry genres the catalogue does not name ("bedroom pop"):
        # keep what maps onto catalogue genres, so the offline answer names only those
        return cls(
            genres=_unique(g for name in previous.genres for g in canonical_genres(name)),
            moods=list(data["moods"]),
            queries=list(data["queries"]),
            energy=float(data["energy"]) if data["energy"] is not None else NEUTRAL,
            valence=float(data["valence"]) if data["valence"] is not None else NEUTRAL,
            era_key=data["era"],
        )

    def keeps(self, query: str) -> bool:
        """Whether a query survives: not for a removed genre, stale mood or avoided artist."""
        folded = query.casefold()
        if any(f'genre:"{g}"' in folded for g in self.removed_genres):
            return False
        if any(folded.endswith(f'" {k}') for k in self.stale_keywords):
            return False  # 'genre:"jazz" relaxing' after "more energetic"
        return not any(f'artist:"{a}"' in folded for a in self.avoided)


# --- what one recognised term of the feedback does ------------------------------------
_Applier = Callable[[_Refinement, Match, Sequence[str]], None]


def _note_feel(state: _Refinement, match: Match, window: Sequence[str]) -> None:
    """A mood, activity or scene: noted as a shift, applied once the feedback is read."""
    too = bool(window) and window[-1] == "too"  # "too sad" is a complaint
    shift = (match.term, not (match.negated or too))
    if shift not in state.shifts:  # "slow it down" and "slow" are one request
        state.shifts.append(shift)


def _drop_genres(state: _Refinement, term: Term, window: Sequence[str]) -> None:
    """"no jazz" removes it; "less jazz" keeps it when it is the only genre."""
    soft = any(w in _SOFT_NEGATORS for w in window)
    for genre in term.genres:
        if soft and state.genres == [genre]:
            state.soft_kept.add(genre)
        elif genre in state.genres:
            state.genres.remove(genre)
            state.removed_genres.add(genre)


def _add_genres(state: _Refinement, term: Term, window: Sequence[str]) -> None:
    """"add soul" appends it, "more soul" leads with it, "only soul" keeps nothing else."""
    added = [g for g in term.genres[:2] if g in CATALOGUE_GENRE_SET]
    if any(w in _ONLY_WORDS for w in window):
        state.removed_genres.update(g for g in state.genres if g not in added)
        state.genres = []
    if any(w in _FRONT_WORDS for w in window) or not state.genres:
        state.genres = [*added, *(g for g in state.genres if g not in added)]
    else:
        state.genres += [g for g in added if g not in state.genres]
    state.front += [f'genre:"{g}"' for g in added]


def _genre(state: _Refinement, match: Match, window: Sequence[str]) -> None:
    if match.term.genres[:1] == ("acoustic",) and state.genres:
        return  # "more acoustic" asks for a sound (a target), not a change of genre
    if match.negated:
        _drop_genres(state, match.term, window)
    else:
        _add_genres(state, match.term, window)


def _era(state: _Refinement, match: Match, window: Sequence[str]) -> None:
    """"from the 80s" sets the era; "not 80s" drops it (and its year searches) if it is set."""
    term = match.term
    if not match.negated:
        state.new_era, state.era_key = term, term.key
    elif state.era_key == term.key:
        state.era_key = None
        state.queries = [q for q in state.queries if "year:" not in q]


# Terms of other kinds (instrument words, playlist nouns) change nothing in a refinement.
_APPLIERS: dict[str, _Applier] = {
    "mood": _note_feel, "activity": _note_feel, "scene": _note_feel,
    "genre": _genre, "region": _genre, "era": _era,
}  # fmt: skip


def _read_feedback(state: _Refinement, feedback: str) -> None:
    """Applies each recognised term; comparatives ("faster") count as feels."""
    tokens = read_tokens(feedback).keys
    state.shifts = _comparative_terms(feedback)
    for match in scan(feedback):
        applier = _APPLIERS.get(match.term.kind)
        if applier is not None:
            applier(state, match, _window(tokens, match))


# --- feels: the target moves and the moods follow --------------------------------------
def _retire(state: _Refinement, moods: Sequence[str]) -> None:
    state.retired += moods
    state.moods = [m for m in state.moods if m not in state.retired]


def _towards(state: _Refinement, term: Term) -> None:
    """"more energetic" leads with its moods and retires "calm" (far from the new feel)."""
    labels = term.moods or (term.key,)
    _retire(state, [m for m in state.moods if _opposed(m, term)])
    state.moods = [*(m for m in labels if m not in state.moods), *state.moods]
    if term.keyword:
        state.mood_keywords.append(term.keyword)
    if term.kind == "mood" and state.title_mood is None:
        state.title_mood = term


def _away(state: _Refinement, term: Term) -> None:
    """"less sad" retires the moods it names."""
    labels = term.moods or (term.key,)
    _retire(state, [m for m in state.moods if m in labels])


def _no_ballads(state: _Refinement, term: Term) -> None:
    """"no ballads": none of the ballad-ish moods or genres either, and a little livelier."""
    labels = term.moods or (term.key,)
    _retire(state, [*(m for m in state.moods if m in labels),
                    *(m for m in state.moods if m in _BALLADISH)])  # fmt: skip
    state.energy = _clamp(state.energy + 0.1)
    if any(g not in _BALLADISH_GENRES for g in state.genres):  # never drop the only genres
        state.removed_genres.update(g for g in state.genres if g in _BALLADISH_GENRES)
        state.genres = [g for g in state.genres if g not in _BALLADISH_GENRES]


def _shift(state: _Refinement, term: Term, towards: bool) -> None:
    state.energy = _nudge(state.energy, term.energy, towards=towards)
    state.valence = _nudge(state.valence, term.valence, towards=towards)
    if towards:
        _towards(state, term)
    elif term.key == "ballad":
        _no_ballads(state, term)
    else:
        _away(state, term)


# --- artists, genres to fall back on, queries ------------------------------------------
def _artists(state: _Refinement, feedback: str, data: dict[str, Any], profile: Profile) -> None:
    """"no Drake" / "less Coldplay" avoid; "more like Björk" / "more Radiohead" seed."""
    state.avoid = _unique([*data["avoid_artists"], *extract_excluded_artists(feedback),
                           *profile.disliked_artists])  # fmt: skip
    state.avoided = {a.casefold() for a in state.avoid}
    new_seeds = [
        *extract_artists(feedback),
        *extract_names(feedback, _MORE_ARTIST_TRIGGERS, capitalised=True),
    ]
    new_seeds = [a for a in _unique(new_seeds) if a.casefold() not in state.avoided]
    seeds = _unique([*new_seeds, *data["seed_artists"]])
    state.seeds = [a for a in seeds if a.casefold() not in state.avoided][:MAX_SEEDS]
    state.front = [f'artist:"{_quote(a)}"' for a in new_seeds] + state.front


def _refill_genres(state: _Refinement) -> None:
    """"no jazz" removed the last genre, "less jazz" wants company: the moods choose."""
    genres = state.genres
    if not genres or (len(genres) == 1 and genres[0] in state.soft_kept):
        genres += [g for g in _genres_for_moods(state.moods, state.removed_genres)
                   if g not in genres][:3]  # fmt: skip
    if not genres and not state.seeds and not any(state.keeps(q) for q in state.queries):
        state.genres = [g for g in DEFAULT_GENRES if g not in state.removed_genres][:2] or ["pop"]


def _refined_queries(state: _Refinement) -> list[str]:
    """What was asked for first, then the earlier searches, less what was removed."""
    genres = state.genres
    if state.new_era is not None:
        state.front += [f'genre:"{g}" {_years(state.new_era)}' for g in genres[:3]]
    if state.mood_keywords and genres:
        state.front.append(f'genre:"{genres[0]}" {state.mood_keywords[0]}')
    queries = _unique([*state.front, *state.queries, *(f'genre:"{g}"' for g in genres)])
    return [q for q in queries if state.keeps(q)][:MAX_QUERIES]


def _kept_songs(songs: Sequence[dict[str, Any]], avoided: set[str]) -> list[dict[str, Any]]:
    """A model's suggestions survive a refinement unless their artist is now avoided."""
    return [
        song for song in songs
        if not any(re.search(rf"\b{re.escape(a)}\b", song["artist"].casefold()) for a in avoided)
    ]  # fmt: skip


def refine(previous: Strategy, feedback: str, profile: Profile) -> dict[str, Any]:
    """Applies ``feedback`` to ``previous`` and returns the new strategy dict.

    In order: the feedback's genres and eras apply as read, its feels (moods,
    activities, comparatives) move the target, its artists are avoided or seeded, the
    genres are refilled if none are left, and the searches are put in order.
    """
    data = strategy_to_dict(previous)
    state = _Refinement.of(previous, data)
    like_tracks = _track_numbers(feedback)
    feedback_words = _ORDINAL_REFERENCE.sub(" ", feedback) if like_tracks else feedback
    _read_feedback(state, feedback_words)
    for term, towards in state.shifts:
        _shift(state, term, towards)
    _artists(state, feedback_words, data, profile)
    state.stale_keywords = {
        term.keyword for term in map(lookup, state.retired) if term is not None and term.keyword
    } - set(state.mood_keywords)
    _refill_genres(state)
    queries = _refined_queries(state)
    genres, moods = state.genres, state.moods
    data.update(
        title=_retitle(data["title"], previous, genres, state.retired, state.title_mood),
        description=_description(genres, moods, state.energy, f"Refined offline ({feedback})"),
        genres=genres[:MAX_GENRES],
        moods=moods[:6],
        energy=_clamp(state.energy),
        valence=_clamp(state.valence),
        era=state.era_key,
        seed_artists=state.seeds,
        avoid_artists=state.avoid,
        songs=_kept_songs(data["songs"], state.avoided),
        queries=queries,
        targets=_targets_dict(_refined_targets(previous, state, feedback_words)),
        like_tracks=like_tracks,
        familiarity=_familiarity(feedback_words) or previous.familiarity,
    )
    return data


_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
             "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "last": -1}  # fmt: skip
_ORDINAL_REFERENCE = re.compile(
    r"\b(?:the\s+)?(?:(?P<word>" + "|".join(_ORDINALS) + r")|(?P<nth>\d{1,3})(?:st|nd|rd|th))"
    r"\s+(?:song|track|one|tune)\b|\b(?:song|track|number|no\.?|#)\s*(?P<num>\d{1,3})\b",
    re.IGNORECASE,
)
_NEGATING = frozenset({"less", "not", "no", "fewer", "without", "too"})


def _track_numbers(feedback: str) -> list[int]:
    """The current tracks a feedback points at ("the third song", "track 5"), 1-based."""
    numbers: list[int] = []
    for match in _ORDINAL_REFERENCE.finditer(feedback):
        word, nth, num = match.group("word"), match.group("nth"), match.group("num")
        number = _ORDINALS[word.lower()] if word else int(nth or num or 0)
        if number > 0 and number not in numbers:
            numbers.append(number)
    return numbers


def _refined_targets(
    previous: Strategy, state: _Refinement, feedback: str
) -> dict[TargetFeature, FeatureTarget]:
    """The previous targets, with what the feedback moves set firmly and pointed its way.

    A moved energy or valence follows the refined mood; a feature the feedback names
    ("no vocals", "more danceable", "slower", "more acoustic") or implies through a mood
    it asks for is set; "less danceable" points the other way.  The engine pushes each
    moved target past where the current tracks are (``core.targets.steer``).
    """
    targets: dict[TargetFeature, FeatureTarget] = {t.feature: t for t in previous.targets}

    def firm(feature: TargetFeature, value: float, up: bool, strength: float = 0.75) -> None:
        old = targets.get(feature)
        if old is not None and old.direction == ("up" if up else "down"):
            step = 10.0 if feature == "tempo" else 0.1  # asked again: further still
            value = max(value, old.value + step) if up else min(value, old.value - step)
        targets[feature] = FeatureTarget(feature, clamp_target(feature, value),
                                         max(strength, old.strength if old else 0.0),
                                         "up" if up else "down")

    # One feature leads a refinement: the one the feedback names outright ("more
    # danceable", "slower"), else the mood's bigger move (valence for "sadder", energy for
    # "calmer"), else what a mood implies.  Moving everything at once would leave nothing
    # that fits all of it.
    words = tokenize(feedback)
    for phrase in _phrase_spans(words, FEATURE_PHRASES):
        negated = _negated_phrase(words, phrase)
        for feature, value, strength in FEATURE_PHRASES[phrase]:
            up = _goal_up(feature, value) != negated
            firm(feature, _opposite(feature, value) if negated else value, up, max(strength, 0.75))
    if len(targets) > len(previous.targets) or any(
        t.direction in ("up", "down") and t not in previous.targets for t in targets.values()
    ):
        return targets
    before_energy = previous.energy if previous.energy is not None else NEUTRAL
    before_valence = previous.valence if previous.valence is not None else NEUTRAL
    energy_move, valence_move = state.energy - before_energy, state.valence - before_valence
    if max(abs(energy_move), abs(valence_move)) >= 0.05:
        if abs(energy_move) >= abs(valence_move):
            firm("energy", state.energy, energy_move > 0)
        else:
            firm("valence", state.valence, valence_move > 0)
        return targets
    for term, towards in state.shifts:
        for feature, value, strength in TERM_TARGETS.get(term.key, ()):
            up = _goal_up(feature, value) == towards
            firm(feature, value if towards else _opposite(feature, value), up, max(strength, 0.7))
    return targets


def _goal_up(feature: TargetFeature, value: float) -> bool:
    return FeatureTarget(feature, value).upward


def _opposite(feature: TargetFeature, value: float) -> float:
    """The other end of a feature's scale from ``value`` ("less danceable")."""
    if feature == "tempo":
        return 230.0 - value
    return 1.0 - value


def _negated_phrase(words: Sequence[str], phrase: str) -> bool:
    """Whether a feature phrase sits right after "less", "not", "no" ("less acoustic")."""
    size = len(phrase.split())
    for i in range(len(words) - size + 1):
        if " ".join(words[i : i + size]) == phrase:
            return i > 0 and words[i - 1] in _NEGATING and not phrase.startswith(("no ", "without "))
    return False


class OfflineStrategyProvider:
    """``ChatModel`` that plans without a language model, from the prompt's words.

    Deterministic and instant, so it is the last link of every fallback chain and the
    whole chain on a machine with no model.
    """

    name = PROVIDER_NAME

    def __init__(self, knowledge: MusicKnowledge | None = None) -> None:
        """``knowledge``: the dataset's artist index, to recognise the artists a prompt names."""
        self.knowledge = knowledge

    async def plan(self, request: StrategyRequest) -> StrategyAnswer:
        """Plans ``request.prompt`` or, with feedback, refines ``request.previous``."""
        if request.feedback:
            previous = request.previous or parse_strategy(
                plan_prompt(request.prompt, request.profile, self.knowledge)
            )
            data = refine(previous, request.feedback, request.profile)
        else:
            data = plan_prompt(request.prompt, request.profile, self.knowledge)
        # checked like a model's answer: the offline planner gets no special trust
        return StrategyAnswer(strategy=parse_strategy(data), provider=PROVIDER_NAME)

    async def health(self) -> DependencyStatus:
        """Always healthy: nothing to reach."""
        return DependencyStatus(
            name=f"model:{PROVIDER_NAME}",
            ok=True,
            detail=f"rule-based planner, no language model ({len(CATALOGUE_GENRES)} genres)",
        )

"""A fast, deterministic check that a prompt is a music request, needing no model.

``LexicalValidator`` weighs music evidence in the prompt (genres, music words, moods,
activities, eras, "like <artist>", "something to cry to") against evidence of another
task ("what is the capital of...", "write my essay", "2+2") and turns the two into a
score in [0, 1].  It reads every language of ``core.vocabulary.languages``: their
music words count like the English ones, and their words of another task (weather,
recipes, timetables, homework, exchange rates, letters...) like ``_OFF_TOPIC``.
It is generous by design: a music bot should rather plan a playlist for an odd prompt
than refuse a real one.  The embedding validator (step 3 of the
pipeline, ``core.semantic_validation``) sits behind it for the uncertain middle; the
references that validator embeds live in ``data/reference_phrases.txt``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.models import ValidationResult
from core.vocabulary.artist_names import extract_artists, looks_like_a_name
from core.vocabulary.lexicon import EVERYDAY_WORDS, MAX_SIGNAL_PHRASE, OTHER_TASKS, QUESTIONS
from core.vocabulary.scanner import Tokens, read_tokens, scan
from core.vocabulary.terms import TermKind
from core.vocabulary.tokens import normalise
from core.wording import REJECTION_REASON

# Evidence that a prompt is about music, per kind of vocabulary term.
_KIND_WEIGHT: dict[TermKind, float] = {
    "genre": 0.8,
    "music": 0.8,
    "activity": 0.5,
    "era": 0.5,
    "mood": 0.45,
    "region": 0.2,
    "scene": 0.2,
    "request": 0.2,
}
# Everyday words that are also music vocabulary count for less: a lone "rock" is still a
# request (a genre), "track my order" is not (a music word of everyday speech), and "run",
# "work", "dark" are activities and moods of any conversation.
_EVERYDAY_WEIGHT: dict[TermKind, float] = {"genre": 0.45, "music": 0.3}
_EVERYDAY_DEFAULT = 0.2
_KIND_CAP = 1.6  # many moods do not outweigh everything else
_ARTIST_WEIGHT = 0.6
_PHRASING_WEIGHT = 0.5
_BASE = 0.4  # evidence needed before a prompt reaches 0.5

# "something to cry to", "beats to study to", "songs to fall asleep to"
_TO_X_TO = re.compile(r"\bto\s+[a-z]+(?:\s+[a-z]+)?\s+to\b")
# Openings of a question or a task that is usually not a playlist.
_QUESTION_OPENERS = re.compile(
    r"^\s*(?:what(?:s| is| are| was| were| does| do| did)?|who(?:s| is| was| are| won)?|"
    r"when(?: is| was| did| does)?|where(?: is| are| can| do)?|why|how(?: do| does| did| can|"
    r" to| much| many| long| tall| far| old| is| are)?|which|is there|are there|can you explain|"
    r"explain|define|calculate|convert|translate|summari[sz]e|solve|compute)\b"
)
_TASK_PHRASES = re.compile(
    r"\b(?:write (?:me )?(?:my|an?|the) (?:essay|email|letter|report|function|program|script|"
    r"code|story|poem|paper|summary|resume|cv)|tell me (?:a|about)|help me with|fix (?:my|the|a)|"
    r"book (?:a|me)|give me directions|weather (?:in|for|today|tomorrow)|"
    r"meaning of|capital of|population of|recipe for)\b"
)
# Words that mark another task; never music vocabulary.
_OFF_TOPIC: frozenset[str] = frozenset({
    "capital", "essay", "essays", "joke", "jokes", "riddle", "recipe", "recipes", "ingredients",
    "calories", "forecast", "temperature", "translate", "translation", "calculate",
    "calculator", "equation", "equations", "math", "maths", "algebra", "calculus",
    "derivative", "integral", "physics", "chemistry", "biology", "fix", "repair", "broken",
    "install", "error", "bug", "debug", "code", "python", "javascript", "java", "sql", "html",
    "css", "excel", "spreadsheet", "email", "resume", "invoice", "tax", "taxes", "mortgage",
    "loan", "stock", "stocks", "bitcoin", "crypto", "price", "prices", "doctor", "symptoms",
    "medicine", "diagnose", "lawyer", "president", "population", "distance", "definition",
    "summarize", "summarise", "summary", "homework", "assignment", "election", "hotel",
    "booking", "directions", "password", "wifi", "printer", "engine", "tire", "tyre", "oil",
    "salary", "quantum", "theorem", "order", "parcel", "package", "delivery", "refund",
    "proof", "article", "paragraph", "grammar",
})  # fmt: skip
_OFF_TOPIC_WEIGHT = 0.6
_OFF_TOPIC_CAP = 1.8
_QUESTION_WEIGHT = 0.4
_TASK_WEIGHT = 0.5
_ARITHMETIC = re.compile(r"\d\s*[-+*/x×÷^=%]\s*\d")
_ARITHMETIC_WEIGHT = 1.2


# A bare, capitalised name ("Taylor Swift") is probably an artist in a music bot.
_NAME_WEIGHT = 0.45


@dataclass(frozen=True, slots=True)
class LexicalEvidence:
    """What the lexical check saw: the evidence for and against, and the score."""

    score: float
    positive: tuple[str, ...]
    negative: tuple[str, ...]

    @property
    def unsure(self) -> bool:
        """Whether a low score is doubt rather than a verdict: the words were not
        recognised at all, or there is evidence both ways ("qual é a previsão do tempo"
        has a music word and a weather word).  A language model may judge such a prompt."""
        return not self.negative or bool(self.positive)


def _phrases_in(tokens: Tokens, phrases: frozenset[tuple[str, ...]]) -> list[str]:
    """The phrases of ``phrases`` found in ``tokens`` (by key or stem), each once."""
    found: list[str] = []
    for start in range(len(tokens.words)):
        for size in range(min(MAX_SIGNAL_PHRASE, len(tokens.words) - start), 0, -1):
            spans = [tuple(tokens.keys[start : start + size]), tuple(tokens.stemmed[start : start + size])]
            if size == 1:
                spans += [(r,) for r in tokens.readings[start]]
            for span in spans:
                if span in phrases:
                    phrase = " ".join(tokens.words[start : start + size])
                    if phrase not in found:
                        found.append(phrase)
                    break
            else:
                continue
            break
    return found


def assess(prompt: str) -> LexicalEvidence:
    """Scores how much ``prompt`` reads like a music request (0 = not at all)."""
    text = normalise(prompt)
    read = read_tokens(prompt)
    tokens = read.words
    positive: list[str] = []
    negative: list[str] = []
    by_kind: dict[TermKind, float] = {}
    seen: set[tuple[TermKind, str]] = set()
    for match in scan(prompt):
        term = match.term
        if (term.kind, term.key) in seen:
            continue  # "songs ... songs" is one piece of evidence
        seen.add((term.kind, term.key))
        phrase = tokens[match.start : match.end]
        weight = _KIND_WEIGHT[term.kind]
        if len(phrase) == 1 and {phrase[0], *match.key} & EVERYDAY_WORDS:
            weight = min(weight, _EVERYDAY_WEIGHT.get(term.kind, _EVERYDAY_DEFAULT))
        by_kind[term.kind] = by_kind.get(term.kind, 0.0) + weight
        positive.append(f"{term.kind}: {' '.join(phrase)}")
    evidence_for = sum(min(total, _KIND_CAP) for total in by_kind.values())
    artists = extract_artists(prompt)
    if artists:
        evidence_for += _ARTIST_WEIGHT
        positive.append(f"artist: {', '.join(artists)}")
    elif not positive and looks_like_a_name(prompt):
        evidence_for += _NAME_WEIGHT
        positive.append(f"a name: {prompt.strip()}")
    if _TO_X_TO.search(text):
        evidence_for += _PHRASING_WEIGHT
        positive.append("phrasing: something to ... to")

    off_topic = [t for t in dict.fromkeys(tokens) if t in _OFF_TOPIC]
    off_topic += [p for p in _phrases_in(read, OTHER_TASKS) if p not in off_topic]
    evidence_against = min(len(off_topic) * _OFF_TOPIC_WEIGHT, _OFF_TOPIC_CAP)
    negative += [f"off-topic: {t}" for t in off_topic]
    if _QUESTION_OPENERS.match(text) or _phrases_in(read, QUESTIONS):
        evidence_against += _QUESTION_WEIGHT
        negative.append("a general question")
    if _TASK_PHRASES.search(text):
        evidence_against += _TASK_WEIGHT
        negative.append("another task")
    if _ARITHMETIC.search(text):
        evidence_against += _ARITHMETIC_WEIGHT
        negative.append("arithmetic")

    score = evidence_for / (evidence_for + evidence_against + _BASE) if evidence_for else 0.0
    return LexicalEvidence(round(score, 3), tuple(positive), tuple(negative))


class LexicalValidator:
    """``PromptValidator`` that reads the prompt's words; pure, fast and deterministic.

    ``threshold`` is the score a prompt needs to pass; with the default weights a
    single genre, music word or activity is enough, a single scene word ("sunday") is
    not, and any off-topic task word needs more music evidence to outweigh it.
    """

    name = "lexical"

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold

    async def validate(self, prompt: str) -> ValidationResult:
        """Judges ``prompt``; the reason on refusal is fit to show the user."""
        evidence = assess(prompt)
        if evidence.score >= self.threshold:
            reason = "mentions " + "; ".join(evidence.positive)
            return ValidationResult(ok=True, score=evidence.score, method=self.name, reason=reason)
        return ValidationResult(
            ok=False, score=evidence.score, method=self.name, reason=REJECTION_REASON(),
            unsure=evidence.unsure,
        )

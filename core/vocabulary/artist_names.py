"""Artist names in a prompt: asked for, ruled out, or the whole prompt being one.

``extract_artists`` reads "like X" / "by X" / "artists such as X" / "play X" phrasing;
spans made only of vocabulary ("like a rainy day") are not names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.vocabulary.scanner import scan, scan_tokens
from core.vocabulary.tokens import CLAUSE_BREAK, tokenize

# Phrases after which a person usually names artists.
_ARTIST_TRIGGERS = (
    r"artists? such as", r"bands? such as", r"such as", r"artists? like", r"bands? like",
    r"sounds? like", r"similar to", r"in the style of", r"reminiscent of", r"inspired by",
    r"the likes of", r"fans? of", r"more like", r"like", r"by", r"listen(?:ing)? to",
)  # fmt: skip
_EXCLUDE_TRIGGERS = (
    r"nothing by", r"nothing from", r"no more", r"anything but", r"except", r"excluding",
    r"without", r"avoid", r"minus", r"no", r"not", r"less", r"fewer", r"skip", r"drop",
    r"remove",
)  # fmt: skip
# "play X" names an artist only when X is capitalised ("play Fleetwood Mac", not "play
# football").
# In the other languages, "by X" / "like X" after a lower-case word name an artist when X
# is capitalised: "canciones de Shakira", "Lieder von Nena", "chansons comme Stromae",
# "músicas do Djavan" ("canciones de amor", "música de los 80" are no names, and in
# "Paco de Lucía" or "Lana Del Rey" the particle is part of the name).
_FOREIGN_TRIGGERS = (
    r"de", r"del", r"do", r"da", r"di", r"des", r"du", r"von", r"van", r"av", r"od",
    r"como(?: las de| los de)?", r"comme", r"come", r"wie", r"estilo", r"tipo", r"im stil von",
)  # fmt: skip
_CAPITALISED_TRIGGERS = (r"play(?: some)?", r"put on(?: some)?")

# Where a name ends: punctuation or a word that starts the next part of the sentence
# (in English, and the commonest such words of the other Latin-script languages).
_NAME_END = (
    r"(?=$|[.;:!?()\[\]\"\n]|\s(?:for|to|with|while|when|during|that|which|who|please|"
    r"but|without|except|from|in|on|at|into|so|because|if|or something|instead|"
    r"para|pra|pro|pour|für|fürs|zum|zur|per|voor|om|till|för|dla|untuk|buat|için|"
    r"con|com|avec|mit|sin|sem|sans|ohne|senza|zonder|utan|bez|pero|mais|aber|ma|en)\b)"
)
_NAME_SPLIT = re.compile(
    r"\s*,\s*|\s+(?:and|or|nor|y|und|et|e|och|oder|ou|o)\s+", re.IGNORECASE
)
_FOREIGN = re.compile(
    r"(?P<before>[^\W\d_]+)\s+(?:" + "|".join(_FOREIGN_TRIGGERS) + r")\s+(?P<span>[^\W\d_].*?)"
    + _NAME_END
)

# Words that cannot start an artist name in this position ("like a rainy day", "by myself").
_NOT_A_NAME_START: frozenset[str] = frozenset({
    "a", "an", "some", "something", "somethin", "this", "that", "these", "those", "it", "its",
    "them", "they", "my", "your", "our", "his", "her", "their", "me", "us", "you", "i", "we",
    "he", "she", "myself", "yourself", "ourselves", "to", "what", "when", "how", "why",
    "where", "which", "who", "one", "ones", "anything", "everything", "any", "all", "each",
    "other", "more", "less", "much", "many", "too", "very", "so", "just", "only", "really",
    "the", "of", "for", "with", "and", "or", "in", "on", "at", "is", "are", "be", "was",
    "being", "having", "have", "do", "did", "doing", "get", "getting", "go", "going", "make",
    "making", "feel", "feeling", "feels", "sound", "sounding", "way", "kind", "sort", "type",
    "stuff", "things", "thing", "ever", "now", "today", "tonight", "before", "after",
    "usual", "normal", "always", "if", "as", "maybe", "please", "lot", "lots", "bit",
    "little", "same", "different", "similar", "previous", "last", "first", "next", "again",
    "fast", "slow", "new", "old", "good", "great", "nice", "better", "best", "slower",
    "faster", "louder", "softer", "ballads", "yes", "ok", "okay", "thanks", "thank",
    "while", "during", "without", "except", "from", "into", "because", "instead", "there",
    "here", "people", "someone", "somebody", "everyone", "no", "not", "nothing", "fewer",
    "skip", "drop", "remove", "avoid", "minus", "excluding", "never", "dont",
})  # fmt: skip
# Filler words allowed inside a name-like span that still is not a name ("the 80s").
_FILLER: frozenset[str] = frozenset({
    "the", "a", "an", "of", "and", "or", "some", "my", "more", "less", "very", "really",
    "kind", "sort", "type", "style", "stuff", "things", "ones", "that", "this", "vibe",
    "vibes", "era", "decade", "time", "times", "day", "days", "i", "me", "to", "it", "be",
    "with", "for", "in", "on", "at", "is", "am", "are", "was", "do", "dont", "not", "no",
    "please", "good", "great", "nice", "best", "top", "new", "old", "classic", "modern",
    "popular", "famous", "underground", "obscure", "mainstream", "like", "repeats", "repeat",
    "duplicates", "explicit", "swearing", "cursing", "clean", "covers", "cover", "live",
    "versions", "version", "features", "skits", "intros", "interludes", "english",
    "variety", "diversity", "same", "artist", "artists", "song", "songs", "much", "lot",
    "lots", "too", "so", "bit", "all", "any",
})  # fmt: skip
# Words that trail a name without being part of it ("Radiohead songs", "Muse-type stuff").
_TRAILING_WORDS: frozenset[str] = frozenset({
    "song", "songs", "music", "track", "tracks", "tune", "tunes", "stuff", "vibe", "vibes",
    "album", "albums", "beats", "sound", "sounds", "type", "style", "era", "please", "ones",
    "etc", "too", "instead",
})  # fmt: skip
_MAX_NAME_WORDS = 6
_MAX_NAME_CHARS = 60


def is_vocabulary(text: str) -> bool:
    """Whether every word of ``text`` is a lexicon phrase or filler ("the 80s", "sad songs")."""
    tokens = scan_tokens(text)
    covered = [t == CLAUSE_BREAK for t in tokens]
    for match in scan(text):
        for k in range(match.start, match.end):
            covered[k] = True
    return all(covered[k] or tok in _FILLER or tok.isdigit() for k, tok in enumerate(tokens))


def _tidy_name(raw: str) -> str | None:
    """A cleaned artist name, or None when the span is not a name."""
    words = raw.strip(" \t'\"-–—,").replace('"', "").split()
    # drop trailing music words: "Radiohead songs" -> "Radiohead"
    while words and "".join(tokenize(words[-1])) in _TRAILING_WORDS:
        words.pop()
    name = " ".join(words)
    tokens = tokenize(name)
    if not tokens or len(words) > _MAX_NAME_WORDS or len(name) > _MAX_NAME_CHARS:
        return None
    if tokens[0] in _NOT_A_NAME_START and not (tokens[0] == "the" and len(tokens) > 1):
        return None
    if is_vocabulary(name):
        return None
    if not any(ch.isupper() for ch in name):
        # typed in lower case: capitalise each word for display ("radiohead" -> "Radiohead")
        name = " ".join(w[:1].upper() + w[1:] for w in words)
    return name


def extract_names(text: str, triggers: Iterable[str], *, capitalised: bool = False) -> list[str]:
    """Names that follow any of ``triggers`` (regex fragments, tried in order) in ``text``.

    A span runs to punctuation or a word that starts the next clause ("for", "but",
    "with"...) and is split on commas, "and", "or".  ``capitalised`` keeps only spans
    written with a capital letter.
    """
    pattern = re.compile(r"\b(?:" + "|".join(triggers) + r")\s+(?P<span>.+?)" + _NAME_END, re.IGNORECASE)
    names: list[str] = []
    for match in pattern.finditer(text):
        span = match.group("span")
        for part in _NAME_SPLIT.split(span):
            if capitalised:
                part = re.sub(r"^(?:some|the music of)\s+", "", part.strip(), flags=re.I)
                if not part[:1].isupper():
                    continue
            name = _tidy_name(part)
            if name is None:
                # a part may hold the next trigger: "nothing by Drake, more like Kendrick"
                candidates = extract_names(part, triggers, capitalised=capitalised)
            else:
                candidates = [name]
            for candidate in candidates:
                if candidate.casefold() not in {n.casefold() for n in names}:
                    names.append(candidate)
    return names


def _foreign_names(text: str) -> list[str]:
    """Capitalised names after another language's "by" / "like" that follows a lower-case
    word or a music word ("canciones de Shakira y Juanes" -> Shakira, Juanes; "Lieder von
    Nena")."""
    names: list[str] = []
    for match in _FOREIGN.finditer(text):
        before = match.group("before")
        if not (before.islower() or scan(before)):
            continue  # "Paco de Lucía": the particle is inside a name ("Lieder von" is not)
        for part in _NAME_SPLIT.split(match.group("span")):
            if part.strip()[:1].isupper():
                name = _tidy_name(part)
                if name is not None and name.casefold() not in {n.casefold() for n in names}:
                    names.append(name)
    return names


def extract_excluded_artists(text: str) -> tuple[str, ...]:
    """Artist names a text rules out ("no Drake", "nothing by Coldplay", "except Muse")."""
    return tuple(extract_names(text, _EXCLUDE_TRIGGERS))


def extract_artists(text: str) -> tuple[str, ...]:
    """Artist names a text asks for: "like Radiohead", "by Miles Davis and Coltrane",
    "artists such as Björk, Portishead", "play Fleetwood Mac".

    Spans made only of vocabulary ("like a rainy day", "by the 80s") are not names,
    and names the text also rules out ("nothing by Drake") are left out.
    """
    excluded = {n.casefold() for n in extract_excluded_artists(text)}
    names = extract_names(text, _ARTIST_TRIGGERS)
    names += extract_names(text, _CAPITALISED_TRIGGERS, capitalised=True)
    names += _foreign_names(text)
    out: list[str] = []
    for name in names:
        folded = name.casefold()
        if folded not in excluded and folded not in {n.casefold() for n in out}:
            out.append(name)
    return tuple(out)


# A bare, capitalised prompt ("Taylor Swift", "Radiohead") is probably an artist in a
# music bot; greetings and one-word commands are not.
_NAME_CONNECTORS: frozenset[str] = frozenset({"the", "of", "and", "&", "n", "de", "la", "y"})
_NOT_NAMES: frozenset[str] = frozenset({
    "hello", "hi", "hey", "thanks", "thank", "test", "testing", "help", "start", "stop",
    "yes", "no", "ok", "okay", "please", "what", "why", "how", "who", "good", "morning",
    "bye", "goodbye", "cheers", "sorry", "lol", "idk", "nothing", "anything", "something",
})  # fmt: skip


def looks_like_a_name(prompt: str) -> bool:
    """Whether a whole prompt reads like a bare name: 1-4 capitalised words, no question."""
    words = prompt.strip().split()
    if not 1 <= len(words) <= 4 or "?" in prompt:
        return False
    if any(word.casefold().strip(".,!") in _NOT_NAMES for word in words):
        return False
    return all(
        word[:1].isupper() or (word[:1].isdigit() and word.isascii())
        or word.casefold() in _NAME_CONNECTORS
        for word in words
    ) and any(ch.isalpha() for ch in prompt)

"""Input guard: the first pipeline step, turning raw user input into checked values."""

from __future__ import annotations

import re

from core import wording
from core.errors import InvalidInput
from core.text import visible

MIN_SONGS = 5
_SPACES = re.compile(r"\s+")


def clean_text(raw: object, *, max_length: int, what: str = "prompt") -> str:
    """Normalises white space and strips control, format and surrogate characters (see
    ``core.text.visible``); refuses empty or huge text."""
    if not isinstance(raw, str):
        raise InvalidInput(wording.input_not_text(_noun(what)))
    text = _SPACES.sub(" ", visible(raw)).strip()
    if not text:
        if what == "prompt":
            raise InvalidInput(wording.PROMPT_MISSING())
        raise InvalidInput(wording.input_empty(_noun(what)))
    if len(text) > max_length:
        raise InvalidInput(wording.input_too_long(_noun(what), len(text), max_length))
    return text


_NOUNS = {"prompt": wording.PROMPT, "feedback": wording.FEEDBACK}


def _noun(what: str) -> str:
    """What the user typed, named in their language ("prompt", "feedback")."""
    noun = _NOUNS.get(what)
    return noun() if noun is not None else what


_COUNT = re.compile(r"[+-]?\d{1,6}")


def parse_count(text: str, *, min_songs: int = MIN_SONGS, max_songs: int | None = None) -> int:
    """A number of songs typed as text ("20", " +20 ") as an int; ``check_count`` checks it.

    ``min_songs`` and ``max_songs`` only word the refusal (name them when known): the
    bounds themselves are ``check_count``'s.
    """
    stripped = text.strip()
    if not _COUNT.fullmatch(stripped):
        raise InvalidInput(wording.count_not_a_number(stripped, min_songs, max_songs))
    return int(stripped)


def check_count(raw: object, *, default: int, max_songs: int, min_songs: int = MIN_SONGS) -> int:
    """Checks a track count against ``min_songs`` (chats: 5; the REST API: 1, as EchoTuner's
    API) and the scope's maximum; None means ``default``.

    Typed callers pass an int (text goes through ``parse_count`` first), but any value is
    checked at run time: a JSON body's ``count`` can be anything, and is refused clearly.
    """
    if raw is None or raw == "":
        return min(default, max_songs)
    if isinstance(raw, bool):
        raise InvalidInput(wording.count_not_whole(min_songs, max_songs))
    if isinstance(raw, str):
        raw = parse_count(raw, min_songs=min_songs, max_songs=max_songs)
    if not isinstance(raw, int):
        raise InvalidInput(wording.count_not_whole(min_songs, max_songs))
    if not min_songs <= raw <= max_songs:
        raise InvalidInput(wording.count_out_of_range(min_songs, max_songs, raw))
    return raw

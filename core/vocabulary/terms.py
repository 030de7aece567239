"""What a word or phrase means to the planner: ``Term`` and its table rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TermKind = Literal["genre", "region", "mood", "activity", "scene", "era", "music", "request"]


@dataclass(frozen=True, slots=True)
class Term:
    """What a word or phrase means to the planner.

    ``genres`` are catalogue genres: the genres named, for ``genre``/``region`` terms,
    or the genres that suit a mood or activity when the prompt names none.  ``energy``
    and ``valence`` (0..1) are the audio-feature target a mood, activity or scene
    implies.  ``label`` is how the term reads in a title ("a House Party");
    ``keyword`` is free text worth adding to a search; ``moods`` are the mood labels
    a strategy records; ``years`` is the range an era term stands for.
    """

    key: str
    kind: TermKind
    label: str = ""
    genres: tuple[str, ...] = ()
    energy: float | None = None
    valence: float | None = None
    moods: tuple[str, ...] = ()
    keyword: str = ""
    years: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class TermSpec:
    """One row of the mood/activity/scene tables (see ``Term`` for the fields)."""

    phrases: tuple[str, ...]
    key: str
    label: str
    energy: float
    valence: float
    genres: tuple[str, ...]
    moods: tuple[str, ...] = ()
    keyword: str = ""

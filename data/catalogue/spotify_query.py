"""Spotify's search query syntax, parsed into a value, and the text normaliser.

Spotify's ``q`` is free text plus field filters: ``track:``, ``artist:``, ``album:``,
``genre:`` take one word or a double-quoted phrase (``artist:"Miles Davis"``), and
``year:`` takes a year or a range (``year:1999``, ``year:1990-1999``).  Anything
else (``tag:new``, ``NOT``, ``OR``, unknown ``field:value`` pairs) stays free text.

This module is pure (no I/O) so the demo catalogue and a fake Spotify server can
share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.text import normalise

__all__ = ["FIELDS", "SpotifyQuery", "normalise", "parse_query", "tokens"]

FIELDS: tuple[str, ...] = ("track", "artist", "album", "genre", "year")
_TEXT_FIELDS = ("track", "artist", "album", "genre")
_FIELD_RE = re.compile(r"(track|artist|album|genre|year):", re.IGNORECASE)
_YEAR_RE = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


@dataclass(frozen=True, slots=True)
class SpotifyQuery:
    """A parsed search query.

    ``free_terms`` are the words (or double-quoted phrases) outside any filter, in
    order, as written.  Text filters keep the value as written (quotes removed);
    repeated filters of one field are joined with a space.  ``year_from`` and
    ``year_to`` are both set by ``year:`` (equal for a single year) or both None.
    """

    free_terms: tuple[str, ...] = ()
    track: str | None = None
    artist: str | None = None
    album: str | None = None
    genre: str | None = None
    year_from: int | None = None
    year_to: int | None = None

    @property
    def has_filters(self) -> bool:
        """Whether any field filter (including ``year:``) is present."""
        return any(
            v is not None
            for v in (self.track, self.artist, self.album, self.genre, self.year_from)
        )

    @property
    def is_empty(self) -> bool:
        """Whether the query asks for nothing at all."""
        return not self.free_terms and not self.has_filters

    def render(self) -> str:
        """The query back in Spotify's syntax (a canonical form, usable as a cache key)."""
        parts = [_quote_free(term) for term in self.free_terms]
        for name in _TEXT_FIELDS:
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}:{_quote(value)}")
        if self.year_from is not None and self.year_to is not None:
            if self.year_from == self.year_to:
                parts.append(f"year:{self.year_from}")
            else:
                parts.append(f"year:{self.year_from}-{self.year_to}")
        return " ".join(parts)


def _quote(value: str) -> str:
    value = value.replace('"', " ").strip()
    return f'"{value}"' if any(c.isspace() for c in value) or not value else value


def _quote_free(term: str) -> str:
    term = term.replace('"', " ").strip()
    return f'"{term}"' if any(c.isspace() for c in term) else term


def _read_value(query: str, start: int) -> tuple[str, int]:
    """Reads a filter value or free term at ``start``: a quoted phrase or one word."""
    if start < len(query) and query[start] == '"':
        end = query.find('"', start + 1)
        if end == -1:  # unterminated quote: the rest of the query
            return query[start + 1 :], len(query)
        return query[start + 1 : end], end + 1
    end = start
    while end < len(query) and not query[end].isspace():
        end += 1
    return query[start:end], end


def parse_query(query: str) -> SpotifyQuery:
    """Parses Spotify's search syntax.

    Field names are case-insensitive; an empty filter (``artist:""``) is ignored, as
    is a ``year:`` value that is not ``YYYY`` or ``YYYY-YYYY`` (a reversed range is
    put in order).
    """
    free: list[str] = []
    filters: dict[str, list[str]] = {name: [] for name in _TEXT_FIELDS}
    year_from: int | None = None
    year_to: int | None = None
    i, n = 0, len(query)
    while i < n:
        if query[i].isspace():
            i += 1
            continue
        match = _FIELD_RE.match(query, i)
        if match is not None:
            field_name = match.group(1).lower()
            value, i = _read_value(query, match.end())
            value = " ".join(value.split())
            if not value:
                continue
            if field_name == "year":
                years = _YEAR_RE.match(value)
                if years is not None:
                    low = int(years.group(1))
                    high = int(years.group(2)) if years.group(2) else low
                    year_from, year_to = min(low, high), max(low, high)
            else:
                filters[field_name].append(value)
            continue
        term, i = _read_value(query, i)
        term = " ".join(term.split())
        if term:
            free.append(term)
    joined = {name: (" ".join(values) if values else None) for name, values in filters.items()}
    return SpotifyQuery(
        free_terms=tuple(free),
        track=joined["track"],
        artist=joined["artist"],
        album=joined["album"],
        genre=joined["genre"],
        year_from=year_from,
        year_to=year_to,
    )


def tokens(text: str) -> list[str]:
    """The words of ``normalise(text)``."""
    return normalise(text).split()

"""The message catalogues: the template matches the sentences, and every language covers it.

``data/locales/messages.pot`` is what ``pybabel extract`` (configured in pyproject.toml)
makes of ``core/wording.py``; each ``data/locales/<lang>/LC_MESSAGES/echotuner.po`` is a
translation of it, checked here for coverage, placeholders, plural forms and English
left untranslated.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po

import core.wording

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "data" / "locales"
POT = LOCALES / "messages.pot"

Msgid = str | tuple[str, ...]


def _template() -> Catalog:
    with POT.open("rb") as handle:
        return read_po(handle)


def _ids(catalog: Catalog) -> set[Msgid]:
    return {message.id for message in catalog if message.id}


def _fresh_extraction() -> set[Msgid]:
    keywords = {**DEFAULT_KEYWORDS, "Message": None}
    found: set[Msgid] = set()
    for _line, text, _comments, _context in extract_from_file(
        "python", core.wording.__file__, keywords=keywords
    ):
        found.add(text if isinstance(text, str) else tuple(t for t in text if t))
    return found


def test_the_template_matches_a_fresh_extraction_of_the_wording() -> None:
    """Regenerate with `.venv/bin/pybabel extract` from the repository root."""
    template, fresh = _ids(_template()), _fresh_extraction()
    assert sorted(map(str, fresh - template)) == [], "sentences missing from messages.pot"
    assert sorted(map(str, template - fresh)) == [], "messages.pot has sentences no longer said"

"""The message catalogues: the template matches the sentences, and every language covers it.

``data/locales/messages.pot`` is what ``pybabel extract`` (configured in pyproject.toml)
makes of ``core/wording.py``; each ``data/locales/<lang>/LC_MESSAGES/echotuner.po`` is a
translation of it, checked here for coverage, placeholders, plural forms and English
left untranslated.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po

import core.wording
from core import i18n
from data.locales import BabelCatalogues, compile_catalogue, install

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


# --- every language's catalogue ------------------------------------------------------------
PO_FILES = sorted(LOCALES.glob("*/LC_MESSAGES/echotuner.po"))
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|%\([A-Za-z_]+\)[sd]")
#: What any language may leave as it is: loanwords, Spotify's own field names, units.
LOANWORDS = frozenset({
    "Playlist", "playlists", "Hits", "Mix", "Mixtape", "Beats", "Grooves", "URIs", "ok",
    "client id", "client secret", "{hours} h {minutes} min", "{minutes} min",
})
#: What one language keeps in English beyond those (a reviewed choice, not an oversight).
ALLOWED_AS_ENGLISH: dict[str, frozenset[str]] = {
    "es": frozenset(),
    # French spells "version" the same way.
    "fr": frozenset({"version {version}", "(version {version})", "Version {version}"}),
    "de": frozenset({"Version {version}"}),  # "Version" is the German word too
}


def _catalogue(path: Path) -> Catalog:
    locale = path.parent.parent.name
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _language_id(path: Path) -> str:
    return path.parent.parent.name


def _texts(value: object) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]


def _bare(text: str) -> bool:
    """Nothing but placeholders, spaces and punctuation: nothing to translate."""
    return not any(ch.isalpha() for ch in PLACEHOLDER.sub("", text))


def test_there_is_a_catalogue_to_check() -> None:
    assert [p for p in PO_FILES if _language_id(p) == "es"], "the Spanish catalogue is missing"


@pytest.mark.parametrize("path", PO_FILES, ids=_language_id)
def test_the_catalogue_translates_every_sentence(path: Path) -> None:
    catalogue = _catalogue(path)
    translated = {m.id for m in catalogue if m.id and all(_texts(m.string)) and not m.fuzzy}
    missing = _ids(_template()) - translated
    assert sorted(map(str, missing)) == []


@pytest.mark.parametrize("path", PO_FILES, ids=_language_id)
def test_placeholders_match_the_english(path: Path) -> None:
    wrong = []
    for message in _catalogue(path):
        if not message.id or not message.string:
            continue
        english = set().union(*(PLACEHOLDER.findall(t) for t in _texts(message.id)))
        for text in _texts(message.string):
            if text and set(PLACEHOLDER.findall(text)) != english:
                wrong.append((message.id, text))
    assert wrong == []


@pytest.mark.parametrize("path", PO_FILES, ids=_language_id)
def test_plural_sentences_have_every_form_the_language_has(path: Path) -> None:
    catalogue = _catalogue(path)
    short = [m.id for m in catalogue
             if m.pluralizable and len(_texts(m.string)) != catalogue.num_plurals]
    assert short == []


@pytest.mark.parametrize("path", PO_FILES, ids=_language_id)
def test_nothing_is_left_in_english_that_the_language_would_translate(path: Path) -> None:
    allowed = LOANWORDS | ALLOWED_AS_ENGLISH.get(_language_id(path), frozenset())
    untouched = []
    for message in _catalogue(path):
        if not message.id or not message.string:
            continue
        for english, text in zip(_texts(message.id), _texts(message.string), strict=False):
            if text == english and not _bare(english) and english not in allowed:
                untouched.append(english)
    assert untouched == []


@pytest.mark.parametrize("path", PO_FILES, ids=_language_id)
def test_the_catalogue_compiles_and_answers(path: Path) -> None:
    """Babel reads it as the bot will (no syntax error, the plural rule applies)."""
    translations = compile_catalogue(path, _language_id(path))
    assert translations.gettext(core.wording.SORRY.msgid) != core.wording.SORRY.msgid


def test_numbers_and_plurals_follow_the_language() -> None:
    install()
    try:
        with i18n.speaking("es"):
            assert i18n.number(12345) == "12.345"
            assert core.wording.page_tracks(1) == "1 canción"
            assert core.wording.page_tracks(2) == "2 canciones"
        assert i18n.number(12345) == "12,345"
    finally:
        i18n.install(None)


def test_platform_language_tags_are_negotiated_down_to_a_catalogue() -> None:
    spoken = BabelCatalogues(LOCALES)
    assert spoken.negotiate("es-419") == "es" and spoken.negotiate("es_ES.UTF-8") == "es"
    assert spoken.negotiate("C.UTF-8") is None and spoken.negotiate("tlh") is None
    assert spoken.negotiate("zh-TW") is None  # Traditional Chinese: no catalogue (yet)


def test_regions_and_scripts_fall_under_the_catalogue_that_covers_them(tmp_path: Path) -> None:
    spanish = (LOCALES / "es" / "LC_MESSAGES" / "echotuner.po").read_bytes()
    for code in ("pt_BR", "zh_Hans"):  # stand-ins: only their presence matters here
        folder = tmp_path / code / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "echotuner.po").write_bytes(spanish)
    spoken = BabelCatalogues(tmp_path)
    assert [spoken.negotiate(t) for t in ("zh", "zh-CN", "zh-Hans", "zh_Hans_SG")] == ["zh_Hans"] * 4
    assert [spoken.negotiate(t) for t in ("zh-TW", "zh-HK", "zh-Hant")] == [None] * 3
    assert [spoken.negotiate(t) for t in ("pt", "pt-BR", "pt_PT")] == ["pt_BR"] * 3
    assert spoken.negotiate("es") is None  # no Spanish catalogue under this root

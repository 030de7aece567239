"""The bot's translations: gettext catalogues read with Babel, one per language.

``messages.pot`` is the template ``pybabel extract`` makes of ``core/wording.py``; each
``<locale>/LC_MESSAGES/echotuner.po`` translates it.  They are compiled when first needed
(``read_po`` into a ``Catalog``, ``write_mo`` into memory, ``babel.support.Translations``
over it), once per locale per process, so no build step or compiled ``.mo`` file is kept
in the repository.  Babel also supplies what a catalogue alone lacks: the plural rules
(the ``Plural-Forms`` it writes from CLDR), locale number formats, and the parsing of the
language tags platforms send ("pt-BR", "es_ES.UTF-8", "zh-TW").

``install()`` hands them to ``core.i18n``; the bot does it at start-up.
"""

from __future__ import annotations

import gettext
import io
import logging
import threading
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from core import i18n

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent
DOMAIN = "echotuner"
TEMPLATE = LOCALES_DIR / "messages.pot"


def catalogue_path(locale: str, root: Path = LOCALES_DIR) -> Path:
    """Where ``locale``'s ``.po`` file lives."""
    return root / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def _babel_locale(code: str) -> Locale:
    return Locale.parse(code)


def compile_catalogue(path: Path, locale: str) -> Translations:
    """A ``.po`` file as gettext translations (fuzzy entries left out: English is safer)."""
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=_babel_locale(locale), domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


class BabelCatalogues:
    """Every language with a ``.po`` file under ``root``; implements ``core.i18n.Catalogues``."""

    def __init__(self, root: Path = LOCALES_DIR) -> None:
        self.root = root
        self.available = frozenset(
            code for code in i18n.SUPPORTED_LOCALES
            if code == i18n.DEFAULT_LOCALE or catalogue_path(code, root).is_file()
        )
        self._compiled: dict[str, gettext.NullTranslations] = {}
        self._lock = threading.Lock()  # the Discord translator may call from a sync thread

    def translations(self, locale: str) -> gettext.NullTranslations:
        found = self._compiled.get(locale)
        if found is not None:
            return found
        with self._lock:
            found = self._compiled.get(locale)
            if found is None:
                found = self._load(locale)
                self._compiled[locale] = found
        return found

    def _load(self, locale: str) -> gettext.NullTranslations:
        path = catalogue_path(locale, self.root)
        if locale not in self.available or not path.is_file():
            return gettext.NullTranslations()
        try:
            return compile_catalogue(path, locale)
        except Exception:  # a broken catalogue must not take the bot down: English instead
            log.exception("the %s catalogue (%s) could not be read; answering in English",
                          locale, path)
            return gettext.NullTranslations()

    def negotiate(self, tag: str) -> str | None:
        """The language of ``tag`` the bot speaks: "es-419" -> es, "pt" -> pt_BR,
        "zh-CN"/"zh-Hans"/"zh" -> zh_Hans, "zh-TW" -> None (no Traditional catalogue).

        Read from the tag's parts rather than through ``Locale.parse``: Discord asks for
        every command description in each of its 30 locales at sync, and parsing loads each
        locale's CLDR data (about 10 MB for nothing but the language code)."""
        cleaned = tag.strip().split(".", 1)[0].split("@", 1)[0].replace("-", "_")
        if not cleaned or cleaned.upper() in {"C", "POSIX"}:
            return None
        language, *rest = cleaned.split("_")
        code = _supported_code(language.lower(), {part.casefold() for part in rest})
        return code if code in self.available else None

    def format_number(self, number: float, locale: str) -> str:
        # A small whole number reads the same in every catalogue we ship (Latin digits, no
        # grouping): answering it directly spares loading each locale's CLDR data for the
        # command menus built at start-up in every language.
        if isinstance(number, int) and 0 <= number < 1000:
            return str(number)
        return format_decimal(number, locale=_babel_locale(locale))

    def locales(self) -> frozenset[str]:
        return self.available


_TRADITIONAL_CHINESE = frozenset({"hant", "tw", "hk", "mo"})


def _supported_code(language: str, subtags: set[str]) -> str | None:
    """The code of ``core.i18n.SUPPORTED_LOCALES`` a language and its subtags (script,
    region, lower case) fall under."""
    if language == "zh":
        return None if subtags & _TRADITIONAL_CHINESE else "zh_Hans"
    if language == "pt":
        return "pt_BR"  # the one Portuguese catalogue; closer than English for pt-PT too
    if language in i18n.SUPPORTED_LOCALES:
        return language
    return None


_LOADED: dict[Path, BabelCatalogues] = {}


def install(root: Path = LOCALES_DIR) -> BabelCatalogues:
    """Makes the catalogues under ``root`` the bot's (``core.i18n.install``); each is
    compiled once per process, however often the bot is built."""
    catalogues = _LOADED.get(root)
    if catalogues is None:
        catalogues = _LOADED[root] = BabelCatalogues(root)
    i18n.install(catalogues)
    return catalogues


__all__ = ["DOMAIN", "LOCALES_DIR", "TEMPLATE", "BabelCatalogues", "catalogue_path",
           "compile_catalogue", "install"]

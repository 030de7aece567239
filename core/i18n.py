"""The language the bot speaks in this request: the current locale and its catalogue.

Every sentence lives in ``core.wording`` with its English text as the gettext message id;
it is translated when it is said, in the locale of the request being served.  Each front
end sets that locale once, where a request enters (``speaking``), from what the platform
tells it (Discord's ``interaction.locale``, Telegram's ``language_code``,
``Accept-Language``, ``LANG``) unless the user pinned a language in their profile; a
``ContextVar`` carries it to everything downstream, tasks included.

core stays pure: the catalogues themselves (``.po`` files read with Babel, plural rules,
number formats) are ``data.locales``, installed by the bot at start-up.  With nothing
installed, or for a message a catalogue lacks, everything is English.
"""

from __future__ import annotations

import contextlib
import gettext as stdlib_gettext
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

DEFAULT_LOCALE = "en"
#: The languages the bot answers in (gettext locale codes; one catalogue each but English).
SUPPORTED_LOCALES: tuple[str, ...] = (
    "en", "es", "pt_BR", "fr", "de", "it", "ru", "uk", "tr", "id", "hi", "ja", "ko", "zh_Hans", "ar",
)
#: Written right to left (the pages set ``dir="rtl"``).
RTL_LOCALES = frozenset({"ar"})
#: Each language's name in English (what a model is told to write in).
ENGLISH_NAMES: dict[str, str] = {
    "en": "English", "es": "Spanish", "pt_BR": "Brazilian Portuguese", "fr": "French",
    "de": "German", "it": "Italian", "ru": "Russian", "uk": "Ukrainian", "tr": "Turkish",
    "id": "Indonesian", "hi": "Hindi", "ja": "Japanese", "ko": "Korean",
    "zh_Hans": "Simplified Chinese", "ar": "Arabic",
}
#: Each language's name in itself (what a user picks from).
NATIVE_NAMES: dict[str, str] = {
    "en": "English", "es": "Español", "pt_BR": "Português (Brasil)", "fr": "Français",
    "de": "Deutsch", "it": "Italiano", "ru": "Русский", "uk": "Українська", "tr": "Türkçe",
    "id": "Bahasa Indonesia", "hi": "हिन्दी", "ja": "日本語", "ko": "한국어",
    "zh_Hans": "简体中文", "ar": "العربية",
}


class Translations(Protocol):
    """One language's catalogue: the shape of ``gettext.NullTranslations`` (and Babel's)."""

    def gettext(self, message: str, /) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...


class Catalogues(Protocol):
    """Every language's catalogue, with the locale rules that go with them (``data.locales``)."""

    def translations(self, locale: str) -> Translations:
        """The catalogue of ``locale`` (English, untranslated, for one it lacks)."""
        ...

    def negotiate(self, tag: str) -> str | None:
        """The supported locale a platform's language tag ("pt-BR", "es_ES.UTF-8") means, if any."""
        ...

    def format_number(self, number: float, locale: str) -> str:
        """``number`` written the way ``locale`` writes numbers (1,234.5 / 1.234,5 / ١٬٢٣٤٫٥)."""
        ...

    def locales(self) -> frozenset[str]:
        """The locales with a catalogue (English always)."""
        ...


_ENGLISH = stdlib_gettext.NullTranslations()
_current: ContextVar[str] = ContextVar("echotuner_locale", default=DEFAULT_LOCALE)
_installed: list[Catalogues] = []


def install(catalogues: Catalogues | None) -> None:
    """Makes ``catalogues`` the bot's translations (None: English only again)."""
    _installed[:] = [catalogues] if catalogues is not None else []


def negotiate(*tags: str | None) -> str:
    """The first of ``tags`` (most wanted first; None and "" skipped) the bot speaks, else English."""
    if not _installed:
        return DEFAULT_LOCALE
    for tag in tags:
        if tag:
            found = _installed[0].negotiate(tag)
            if found is not None:
                return found
    return DEFAULT_LOCALE


_ALIASES = {"pt": "pt_BR", "zh": "zh_Hans", "zh_cn": "zh_Hans", "zh_sg": "zh_Hans"}


def language_code(value: str) -> str | None:
    """The supported locale ``value`` names ("es", "pt-BR", "zh_hans", "zh"), else None.

    For what a user types (``/profile set language=...``): exact codes, any case, ``-`` or
    ``_``; platforms' tags go through ``negotiate``, which knows every region and script.
    """
    wanted = value.strip().replace("-", "_").casefold()
    for code in SUPPORTED_LOCALES:
        if code.casefold() == wanted:
            return code
    return _ALIASES.get(wanted)


def available() -> tuple[str, ...]:
    """The locales the bot can answer in now, English first, then in ``SUPPORTED_LOCALES`` order."""
    have = _installed[0].locales() if _installed else frozenset()
    return tuple(code for code in SUPPORTED_LOCALES if code == DEFAULT_LOCALE or code in have)


def current() -> str:
    """The locale of the request being served."""
    return _current.get()


def is_rtl(locale: str | None = None) -> bool:
    """Whether ``locale`` (default: the current one) is written right to left."""
    return (locale or current()) in RTL_LOCALES


@contextlib.contextmanager
def speaking(locale: str) -> Iterator[str]:
    """Serves the block in ``locale`` (a supported code, see ``negotiate``), then restores the last."""
    token = _current.set(locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def _translations(locale: str | None = None) -> Translations:
    locale = locale or _current.get()
    if locale == DEFAULT_LOCALE or not _installed:
        return _ENGLISH
    return _installed[0].translations(locale)


def gettext(message: str) -> str:
    """``message`` (its English text) in the current locale."""
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` that ``n`` takes in the current locale."""
    return _translations().ngettext(singular, plural, n)


def translate(message: str, locale: str) -> str:
    """``message`` in ``locale``, whatever the current one (command menus, Discord's sync)."""
    return _translations(locale).gettext(message)


def number(value: float) -> str:
    """``value`` as the current locale writes numbers (English: 1,234)."""
    locale = _current.get()
    if locale == DEFAULT_LOCALE or not _installed:
        return f"{value:,}"
    return _installed[0].format_number(value, locale)


@dataclass(frozen=True, slots=True)
class Message:
    """A sentence without placeholders, translated when said: ``wording.SORRY()``.

    A module constant cannot be a ``str`` (it would be evaluated once, in English, at
    import); calling it looks the English text up in the current locale's catalogue.
    """

    msgid: str

    def __call__(self) -> str:
        return gettext(self.msgid)

    def __str__(self) -> str:
        # A forgotten call would show this; tests compare the called text, so it stands out.
        return f"<untranslated Message {self.msgid[:40]!r}>"


def N_(message: str) -> str:
    """Marks ``message`` for extraction without translating it (tables translated later)."""
    return message

"""The bot's catalogues installed for a test, as the bot installs them at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core import i18n
from data import locales


@pytest.fixture
def catalogues() -> Iterator[locales.BabelCatalogues]:
    """Every ``.po`` under data/locales, installed for the test and removed after it."""
    installed = locales.install()
    try:
        yield installed
    finally:
        i18n.install(None)


def translated_locales() -> list[str]:
    """Every language with a catalogue (English has none: it is the message ids)."""
    return sorted(path.parent.parent.name
                  for path in Path(locales.LOCALES_DIR).glob("*/LC_MESSAGES/*.po"))

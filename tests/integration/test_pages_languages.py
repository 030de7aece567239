"""The web pages in the language the browser asks for: text, ``<html lang>`` and direction."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.web.pages import callback_html
from core import i18n
from core.models import LinkOutcome
from tests.integration.language_support import catalogues, translated_locales
from tests.integration.pages_support import USER, PagesWorld, pages_world

__all__ = ["catalogues"]  # the fixture, used by name

pytestmark = pytest.mark.usefixtures("catalogues")


@pytest.fixture
async def pages(tmp_path: Path) -> AsyncIterator[PagesWorld]:
    async with pages_world(tmp_path) as world:
        yield world


async def _page(pages: PagesWorld, accept: str) -> str:
    playlist = await pages.app.engine.generate(USER, "calm jazz for studying", 5)
    assert pages.app.sharing is not None
    url = await pages.app.sharing.share_url(playlist.draft_id)
    assert url is not None
    async with pages.http.get(url, headers={"Accept-Language": accept}) as response:
        assert response.status == 200
        return html.unescape(await response.text())


async def test_the_playlist_page_is_in_the_browsers_language(pages: PagesWorld) -> None:
    page = await _page(pages, "es-MX,es;q=0.9")
    assert '<html lang="es">' in page
    assert "Llévala a Spotify" in page and "5 canciones" in page
    assert 'data-copied="5 enlaces de canciones copiados. Pégalos en una playlist de Spotify."' in page


async def test_a_browser_language_the_bot_does_not_speak_gets_english(pages: PagesWorld) -> None:
    page = await _page(pages, "tlh")
    assert '<html lang="en">' in page and "Put it in Spotify" in page


async def test_the_not_found_page_is_in_the_browsers_language(pages: PagesWorld) -> None:
    async with pages.http.get(f"{pages.base_url}/p/NoSuchPageNoSuchPage00",
                              headers={"Accept-Language": "es"}) as response:
        assert response.status == 404
        assert "Esta página de playlist no está aquí" in html.unescape(await response.text())


def test_a_right_to_left_language_sets_the_pages_direction() -> None:
    """Arabic is written right to left: the page says so (whatever catalogue is installed)."""
    outcome = LinkOutcome(False, "x", kind="expired")
    with i18n.speaking("ar"):
        assert '<html lang="ar" dir="rtl">' in callback_html(outcome)
    with i18n.speaking("es"):
        assert '<html lang="es">' in callback_html(outcome)


@pytest.mark.parametrize("locale", [code for code in translated_locales()
                                    if code in i18n.RTL_LOCALES])
async def test_a_right_to_left_catalogue_is_served_right_to_left(
    pages: PagesWorld, locale: str
) -> None:
    page = await _page(pages, locale.replace("_", "-"))
    assert 'dir="rtl"' in page and f'lang="{locale.replace("_", "-")}"' in page

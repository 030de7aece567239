"""The web side's HTML pages: OAuth landing, shared playlists (``/p/<id>``), ``/status``."""

from adapters.web.pages.site import Pages, callback_html
from adapters.web.pages.status import StatusCollector

__all__ = ["Pages", "StatusCollector", "callback_html"]

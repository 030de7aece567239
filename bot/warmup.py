"""Start-up work done in the background, so the first person does not wait for it.

The bundled catalogue takes about 1.4 s to load; loaded on demand, the first playlist of
every start paid for it (and the first ``GET /health`` too).  ``warm_up`` loads it (or, on
live Spotify, checks the app token) as soon as the bot is built.  Then it freezes the heap
it built out of the garbage collector's full passes (``gc.freeze``): the catalogue is about
a million objects that never change, and every full collection would otherwise walk them
all, stalling the event loop for a tenth of a second under load.  Last, the memory the
loading used and freed is handed back to the system.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import gc
import logging
import time

from core.ports import MusicCatalogue

log = logging.getLogger(__name__)


async def warm_up(catalogue: MusicCatalogue) -> None:
    """Loads the catalogue, then freezes the start-up heap; never raises."""
    started = time.perf_counter()
    try:
        status = await catalogue.health()
    except Exception as exc:  # the first request will say what is wrong
        log.warning("warming up the catalogue failed (%s)", type(exc).__name__)
        return
    # What exists now lives as long as the process: keep it out of full collections.
    await asyncio.sleep(0)
    gc.collect()
    gc.freeze()
    _release_free_memory()
    log.info("catalogue ready in %.1f s (%s)", time.perf_counter() - started, status.detail)


def _release_free_memory() -> None:
    """Hands the loader's scratch memory back to the system (glibc keeps freed memory in the
    process otherwise: about 12 MB after the catalogue has loaded)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to do
        return
    trim(0)


class WarmUp:
    """The warm-up as a background task with an owner that stops it."""

    def __init__(self, catalogue: MusicCatalogue) -> None:
        self._task = asyncio.get_running_loop().create_task(warm_up(catalogue), name="warm-up")

    async def aclose(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

"""Rebuild the bundled data file, ``data/catalogue/dataset.npz`` (demo catalogue + knowledge).

Run by hand when the source changes (see ``data/catalogue/SOURCE.md``)::

    python -m data.catalogue.build_catalogue /work/shared/data/spotify_tracks.csv

The demo catalogue used to ship as its own gzipped CSV (``tracks.csv.gz``); it now
lives in the same numpy pack as the dataset knowledge, so this command is the one
``data.catalogue.build_knowledge`` runs (same options).
"""

from __future__ import annotations

from data.catalogue.build_knowledge import main

if __name__ == "__main__":
    raise SystemExit(main())

"""The bundled data: the demo catalogue and the dataset knowledge (``dataset.npz``)."""

# Columns of a demo catalogue CSV file (e.g. a test fixture), in order.
COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "artists",
    "album",
    "genres",
    "popularity",
    "explicit",
    "duration_ms",
    "energy",
    "valence",
    "danceability",
    "tempo",
    "acousticness",
    "instrumentalness",
)
# The audio features among them, in the order the reader keeps them.
FEATURES: tuple[str, ...] = (
    "energy",
    "valence",
    "danceability",
    "tempo",
    "acousticness",
    "instrumentalness",
)

"""The bundled demo catalogue: its file format, shared by the builder and the reader."""

# Columns of tracks.csv.gz, in order.
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

"""The bundled demo catalogue's genres: names, title display and audio means.

Every genre the offline planner emits comes from ``CATALOGUE_GENRES``; ``GENRE_AUDIO``
is its neutral energy target when a prompt names a genre but no mood.
"""

from __future__ import annotations

from collections.abc import Mapping

CATALOGUE_GENRES: tuple[str, ...] = (
    "acoustic", "afrobeat", "alt-rock", "alternative", "ambient", "anime", "black-metal",
    "bluegrass", "blues", "brazil", "breakbeat", "british", "cantopop", "chicago-house",
    "children", "chill", "classical", "club", "comedy", "country", "dance", "dancehall",
    "death-metal", "deep-house", "detroit-techno", "disco", "disney", "drum-and-bass", "dub",
    "dubstep", "edm", "electro", "electronic", "emo", "folk", "forro", "french", "funk",
    "garage", "german", "gospel", "goth", "grindcore", "groove", "grunge", "guitar", "happy",
    "hard-rock", "hardcore", "hardstyle", "heavy-metal", "hip-hop", "honky-tonk", "house",
    "idm", "indian", "indie", "indie-pop", "industrial", "iranian", "j-dance", "j-idol",
    "j-pop", "j-rock", "jazz", "k-pop", "kids", "latin", "latino", "malay", "mandopop",
    "metal", "metalcore", "minimal-techno", "mpb", "new-age", "opera", "pagode", "party",
    "piano", "pop", "pop-film", "power-pop", "progressive-house", "psych-rock", "punk",
    "punk-rock", "r-n-b", "reggae", "reggaeton", "rock", "rock-n-roll", "rockabilly",
    "romance", "sad", "salsa", "samba", "sertanejo", "show-tunes", "singer-songwriter", "ska",
    "sleep", "songwriter", "soul", "spanish", "study", "swedish", "synth-pop", "tango",
    "techno", "trance", "trip-hop", "turkish", "world-music",
)  # fmt: skip
CATALOGUE_GENRE_SET: frozenset[str] = frozenset(CATALOGUE_GENRES)

# Mean (energy, valence) per genre over the demo catalogue (1,000 tracks each).  Some
# labels are not what their name suggests: "happy" is happy hardcore (loud, not
# cheerful), "party" is German Schlager, "romance" is Russian romance, "sleep" is white
# noise.  That is why those words are read as moods or activities
# (``moods_and_activities``), not genres.
GENRE_AUDIO: Mapping[str, tuple[float, float]] = {
    "acoustic": (0.44, 0.42), "afrobeat": (0.70, 0.70), "alt-rock": (0.75, 0.52),
    "alternative": (0.72, 0.50), "ambient": (0.24, 0.17), "anime": (0.67, 0.43),
    "black-metal": (0.87, 0.19), "bluegrass": (0.53, 0.64), "blues": (0.58, 0.60),
    "brazil": (0.62, 0.47), "breakbeat": (0.85, 0.47), "british": (0.51, 0.44),
    "cantopop": (0.46, 0.39), "chicago-house": (0.73, 0.59), "children": (0.49, 0.69),
    "chill": (0.43, 0.40), "classical": (0.19, 0.38), "club": (0.72, 0.37),
    "comedy": (0.70, 0.45), "country": (0.60, 0.52), "dance": (0.71, 0.55),
    "dancehall": (0.69, 0.63), "death-metal": (0.93, 0.25), "deep-house": (0.74, 0.45),
    "detroit-techno": (0.71, 0.47), "disco": (0.74, 0.67), "disney": (0.30, 0.37),
    "drum-and-bass": (0.88, 0.32), "dub": (0.71, 0.39), "dubstep": (0.76, 0.27),
    "edm": (0.76, 0.47), "electro": (0.66, 0.47), "electronic": (0.69, 0.39),
    "emo": (0.67, 0.44), "folk": (0.55, 0.49), "forro": (0.79, 0.76), "french": (0.59, 0.43),
    "funk": (0.63, 0.60), "garage": (0.74, 0.52), "german": (0.53, 0.38),
    "gospel": (0.58, 0.32), "goth": (0.74, 0.44), "grindcore": (0.92, 0.22),
    "groove": (0.76, 0.43), "grunge": (0.80, 0.40), "guitar": (0.32, 0.43),
    "happy": (0.91, 0.33), "hard-rock": (0.80, 0.51), "hardcore": (0.84, 0.50),
    "hardstyle": (0.90, 0.31), "heavy-metal": (0.87, 0.39), "hip-hop": (0.68, 0.55),
    "honky-tonk": (0.37, 0.63), "house": (0.76, 0.49), "idm": (0.56, 0.30),
    "indian": (0.57, 0.46), "indie": (0.56, 0.47), "indie-pop": (0.56, 0.46),
    "industrial": (0.86, 0.42), "iranian": (0.55, 0.15), "j-dance": (0.70, 0.56),
    "j-idol": (0.87, 0.58), "j-pop": (0.68, 0.54), "j-rock": (0.76, 0.54),
    "jazz": (0.35, 0.49), "k-pop": (0.68, 0.56), "kids": (0.61, 0.68), "latin": (0.73, 0.63),
    "latino": (0.73, 0.63), "malay": (0.58, 0.50), "mandopop": (0.50, 0.35),
    "metal": (0.84, 0.42), "metalcore": (0.91, 0.31), "minimal-techno": (0.68, 0.28),
    "mpb": (0.58, 0.56), "new-age": (0.21, 0.18), "opera": (0.32, 0.22),
    "pagode": (0.71, 0.69), "party": (0.87, 0.68), "piano": (0.32, 0.31), "pop": (0.61, 0.51),
    "pop-film": (0.60, 0.53), "power-pop": (0.80, 0.61), "progressive-house": (0.81, 0.37),
    "psych-rock": (0.56, 0.56), "punk": (0.81, 0.56), "punk-rock": (0.81, 0.57),
    "r-n-b": (0.64, 0.63), "reggae": (0.73, 0.65), "reggaeton": (0.74, 0.64),
    "rock": (0.68, 0.54), "rock-n-roll": (0.53, 0.67), "rockabilly": (0.66, 0.73),
    "romance": (0.29, 0.39), "sad": (0.46, 0.42), "salsa": (0.72, 0.81), "samba": (0.67, 0.69),
    "sertanejo": (0.71, 0.62), "show-tunes": (0.40, 0.38), "singer-songwriter": (0.43, 0.41),
    "ska": (0.79, 0.70), "sleep": (0.34, 0.06), "songwriter": (0.43, 0.41),
    "soul": (0.53, 0.52), "spanish": (0.71, 0.55), "study": (0.41, 0.40),
    "swedish": (0.62, 0.53), "synth-pop": (0.71, 0.59), "tango": (0.37, 0.58),
    "techno": (0.75, 0.32), "trance": (0.85, 0.28), "trip-hop": (0.62, 0.48),
    "turkish": (0.61, 0.46), "world-music": (0.53, 0.25),
}  # fmt: skip

# How a genre reads in a playlist title; the rest are title-cased ("deep-house" ->
# "Deep House").
_GENRE_DISPLAY: Mapping[str, str] = {
    "hip-hop": "Hip-Hop", "r-n-b": "R&B", "k-pop": "K-Pop", "j-pop": "J-Pop",
    "j-rock": "J-Rock", "j-dance": "J-Dance", "j-idol": "J-Idol", "edm": "EDM", "idm": "IDM",
    "mpb": "MPB", "drum-and-bass": "Drum & Bass", "rock-n-roll": "Rock 'n' Roll",
    "alt-rock": "Alt-Rock", "synth-pop": "Synth-Pop", "indie-pop": "Indie Pop",
    "trip-hop": "Trip-Hop", "world-music": "World Music",
    "new-age": "New Age", "pop-film": "Film Pop", "study": "Lo-Fi", "sleep": "Sleep Sounds",
    "singer-songwriter": "Singer-Songwriter", "honky-tonk": "Honky-Tonk", "forro": "Forró",
}  # fmt: skip

# Genres that are really an instrument: "jazz piano" reads as one style, not two.
INSTRUMENT_GENRES: frozenset[str] = frozenset({"piano", "guitar", "acoustic"})


def genre_display(genre: str) -> str:
    """How a catalogue genre reads in a title ("r-n-b" -> "R&B")."""
    return _GENRE_DISPLAY.get(genre) or genre.replace("-", " ").title()

"""The music vocabulary shared by the lexical validator and the offline planner.

Everything here is plain data plus a tokenizer and a phrase scanner, so it can be
read in one sitting and changed without touching the code that uses it:

* ``CATALOGUE_GENRES``: the 114 ``track_genre`` names of the bundled demo catalogue;
  every genre the offline planner emits comes from this list.
* ``GENRE_AUDIO``: mean (energy, valence) of each genre in that catalogue, used as a
  neutral energy target when a prompt names a genre but no mood.
* ``LEXICON``: everyday words and phrases ("hip hop", "house party", "rainy sunday",
  "90s", "lo-fi") mapped to a ``Term``: what kind of word it is, the catalogue genres
  it points at and, for moods and activities, an energy/valence target.

``scan(text)`` finds the longest lexicon phrases in a text (so "house party" wins
over "house" and "deep house" over "deep"), marks the ones under a negation ("no
metal", "anything but country"), and ``extract_artists`` pulls artist names out of
"like X" / "by X" / "artists such as X" phrasing.  Pure Python, no third-party imports.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

# --------------------------------------------------------------------------------------
# The catalogue's genres
# --------------------------------------------------------------------------------------

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
# noise.  That is why those words are read as moods or activities below, not genres.
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


# --------------------------------------------------------------------------------------
# Terms
# --------------------------------------------------------------------------------------

TermKind = Literal["genre", "region", "mood", "activity", "scene", "era", "music", "request"]


@dataclass(frozen=True, slots=True)
class Term:
    """What a word or phrase means to the planner.

    ``genres`` are catalogue genres: the genres named, for ``genre``/``region`` terms,
    or the genres that suit a mood or activity when the prompt names none.  ``energy``
    and ``valence`` (0..1) are the audio-feature target a mood, activity or scene
    implies.  ``label`` is how the term reads in a title ("a House Party");
    ``keyword`` is free text worth adding to a search; ``moods`` are the mood labels
    a strategy records; ``years`` is the range an era term stands for.
    """

    key: str
    kind: TermKind
    label: str = ""
    genres: tuple[str, ...] = ()
    energy: float | None = None
    valence: float | None = None
    moods: tuple[str, ...] = ()
    keyword: str = ""
    years: tuple[int, int] | None = None


# --- genres: phrase -> catalogue genres ------------------------------------------------
# Catalogue names that are everyday words ("happy", "sad", "party", "sleep", "study",
# "chill", "romance", "club", "groove") are deliberately absent: they are moods or
# activities, which then point at sensible genres.
_GENRE_PHRASES: Mapping[str, tuple[str, ...]] = {
    # hip-hop and r&b
    "hip hop": ("hip-hop",), "hiphop": ("hip-hop",), "rap": ("hip-hop",),
    "rapper": ("hip-hop",), "rappers": ("hip-hop",), "trap": ("hip-hop",),
    "boom bap": ("hip-hop",), "grime": ("hip-hop", "garage"), "drill": ("hip-hop",),
    "r&b": ("r-n-b",), "rnb": ("r-n-b",), "r and b": ("r-n-b",), "r n b": ("r-n-b",),
    "rhythm and blues": ("r-n-b",), "neo soul": ("soul", "r-n-b"), "slow jams": ("r-n-b",),
    "trip hop": ("trip-hop",), "triphop": ("trip-hop",),
    "lofi": ("study", "chill"), "lo fi": ("study", "chill"),
    "lofi hip hop": ("study", "chill", "hip-hop"), "lo fi hip hop": ("study", "chill", "hip-hop"),
    "chillhop": ("study", "chill"),
    # electronic
    "edm": ("edm",), "electronic dance music": ("edm",), "electronic": ("electronic",),
    "electronica": ("electronic",), "electro": ("electro",), "electropop": ("electro", "pop"),
    "house": ("house",), "house music": ("house",), "deep house": ("deep-house",),
    "tech house": ("house", "techno"), "chicago house": ("chicago-house",),
    "progressive house": ("progressive-house",), "techno": ("techno",),
    "minimal techno": ("minimal-techno",),
    "detroit techno": ("detroit-techno",), "trance": ("trance",), "psytrance": ("trance",),
    "dubstep": ("dubstep",), "brostep": ("dubstep",), "dub": ("dub",),
    "drum and bass": ("drum-and-bass",), "drum n bass": ("drum-and-bass",),
    "drum & bass": ("drum-and-bass",), "dnb": ("drum-and-bass",), "d&b": ("drum-and-bass",),
    "jungle": ("drum-and-bass", "breakbeat"), "breakbeat": ("breakbeat",),
    "breakbeats": ("breakbeat",), "big beat": ("breakbeat",), "garage": ("garage",),
    "uk garage": ("garage",), "hardstyle": ("hardstyle",), "happy hardcore": ("happy",),
    "idm": ("idm",), "glitch": ("idm",), "industrial": ("industrial",),
    "minimal house": ("minimal-techno", "house"),
    "synthpop": ("synth-pop",), "synth pop": ("synth-pop",), "synthwave": ("synth-pop", "electronic"),
    "retrowave": ("synth-pop", "electronic"), "new wave": ("synth-pop",),
    "downtempo": ("trip-hop", "chill"), "chillwave": ("chill", "synth-pop"),
    "ambient": ("ambient",), "new age": ("new-age",), "dance": ("dance",),
    "dance music": ("dance",), "disco": ("disco",), "nu disco": ("disco",),
    "white noise": ("sleep",), "brown noise": ("sleep",), "rain sounds": ("sleep", "ambient"),
    "nature sounds": ("sleep", "ambient"),
    # rock and metal
    "rock": ("rock",), "rock music": ("rock",), "classic rock": ("rock", "hard-rock"),
    "soft rock": ("rock", "singer-songwriter"), "hard rock": ("hard-rock",),
    "alt rock": ("alt-rock",), "alternative rock": ("alt-rock",), "alternative": ("alternative",),
    "indie": ("indie",), "indie rock": ("indie", "alt-rock"), "indie pop": ("indie-pop",),
    "indie folk": ("indie", "folk"), "shoegaze": ("indie", "alt-rock"),
    "dream pop": ("indie-pop",), "bedroom pop": ("indie-pop",),
    "garage rock": ("garage", "punk", "rock"), "psychedelic": ("psych-rock",),
    "psych rock": ("psych-rock",), "psychedelic rock": ("psych-rock",),
    "grunge": ("grunge",), "punk": ("punk",), "punk rock": ("punk-rock",),
    "pop punk": ("punk-rock", "power-pop"), "emo": ("emo",), "goth": ("goth",),
    "gothic": ("goth",), "post punk": ("punk", "goth"), "power pop": ("power-pop",),
    "rock and roll": ("rock-n-roll",), "rock n roll": ("rock-n-roll",),
    "rocknroll": ("rock-n-roll",), "rockabilly": ("rockabilly",), "ska": ("ska",),
    "metal": ("metal",), "heavy metal": ("heavy-metal",), "death metal": ("death-metal",),
    "black metal": ("black-metal",), "metalcore": ("metalcore",), "nu metal": ("metal",),
    "thrash": ("metal", "heavy-metal"), "thrash metal": ("metal", "heavy-metal"),
    "groove metal": ("groove",), "grindcore": ("grindcore",), "hardcore": ("hardcore",),
    "hardcore punk": ("hardcore", "punk"),
    # pop
    "pop": ("pop",), "pop music": ("pop",), "k pop": ("k-pop",), "kpop": ("k-pop",),
    "korean pop": ("k-pop",), "j pop": ("j-pop",), "jpop": ("j-pop",), "j rock": ("j-rock",),
    "jrock": ("j-rock",), "j dance": ("j-dance",), "j idol": ("j-idol",),
    "cantopop": ("cantopop",), "mandopop": ("mandopop",), "c pop": ("mandopop", "cantopop"),
    "bollywood": ("pop-film", "indian"), "anime": ("anime",), "disney": ("disney",),
    "show tunes": ("show-tunes",), "showtunes": ("show-tunes",), "broadway": ("show-tunes",),
    "musicals": ("show-tunes",), "musical theatre": ("show-tunes",),
    "musical theater": ("show-tunes",), "kids": ("kids", "children"),
    "children": ("children", "kids"), "childrens": ("children", "kids"),
    "nursery rhymes": ("children", "kids"), "comedy": ("comedy",),
    # roots, soul, jazz and classical
    "jazz": ("jazz",), "smooth jazz": ("jazz",), "swing": ("jazz",), "bebop": ("jazz",),
    "big band": ("jazz",), "jazzy": ("jazz",), "blues": ("blues",), "soul": ("soul",),
    "motown": ("soul",), "funk": ("funk",), "gospel": ("gospel",), "worship": ("gospel", "world-music"),
    "christian": ("gospel", "world-music"), "country": ("country",),
    "country music": ("country",), "americana": ("country", "folk"),
    "bluegrass": ("bluegrass",), "honky tonk": ("honky-tonk",), "folk": ("folk",),
    "singer songwriter": ("singer-songwriter",), "songwriter": ("singer-songwriter",),
    "acoustic": ("acoustic",), "unplugged": ("acoustic",), "piano": ("piano",),
    "guitar": ("guitar", "acoustic"), "classical": ("classical",),
    "classical music": ("classical",), "orchestral": ("classical",),
    "symphony": ("classical",), "symphonic": ("classical",), "baroque": ("classical",),
    "opera": ("opera",), "world music": ("world-music",),
    # latin, african, caribbean
    "latin": ("latin", "latino"), "latino": ("latino", "latin"), "reggaeton": ("reggaeton",),
    "salsa": ("salsa",), "bachata": ("latin",), "cumbia": ("latin",), "tango": ("tango",),
    "samba": ("samba",), "bossa nova": ("mpb", "brazil"), "bossa": ("mpb", "brazil"),
    "mpb": ("mpb",), "forro": ("forro",), "pagode": ("pagode",), "sertanejo": ("sertanejo",),
    "reggae": ("reggae",), "dancehall": ("dancehall",), "afrobeat": ("afrobeat",),
    "afrobeats": ("afrobeat",), "afro": ("afrobeat",), "amapiano": ("afrobeat", "house"),
}  # fmt: skip

# Places and languages: catalogue genres too, but weak evidence of a music request
# ("the French revolution" is history, "French pop" is music).
_REGION_PHRASES: Mapping[str, tuple[str, ...]] = {
    "british": ("british",), "britpop": ("british", "alt-rock"), "french": ("french",),
    "german": ("german",), "spanish": ("spanish",), "swedish": ("swedish",),
    "indian": ("indian",), "hindi": ("indian", "pop-film"), "iranian": ("iranian",),
    "persian": ("iranian",), "turkish": ("turkish",), "malay": ("malay",),
    "malaysian": ("malay",), "brazil": ("brazil",), "brazilian": ("brazil", "mpb"),
    "japanese": ("j-pop", "j-rock"), "korean": ("k-pop",), "chinese": ("mandopop", "cantopop"),
    "mexican": ("latin",), "colombian": ("latin", "reggaeton"), "cuban": ("salsa", "latin"),
    "argentinian": ("tango",), "jamaican": ("reggae", "dancehall"), "african": ("afrobeat",),
    "nigerian": ("afrobeat",),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Spec:
    """One row of the mood/activity/scene tables (see ``Term`` for the fields)."""

    phrases: tuple[str, ...]
    key: str
    label: str
    energy: float
    valence: float
    genres: tuple[str, ...]
    moods: tuple[str, ...] = ()
    keyword: str = ""


# --- moods ---------------------------------------------------------------------------
_MOODS: tuple[_Spec, ...] = (
    _Spec(("calm", "calming"), "calm", "Calm", 0.2, 0.5,
          ("ambient", "piano", "acoustic", "chill", "classical"), keyword="calm"),
    _Spec(("peaceful", "serene", "tranquil", "zen"), "peaceful", "Peaceful", 0.15, 0.55,
          ("ambient", "new-age", "piano", "classical")),
    _Spec(("relaxing", "relax", "relaxed", "relaxation", "unwind", "unwinding", "wind down",
           "winding down", "soothing", "laid back", "laidback", "easy going", "easygoing",
           "easy listening"),
          "relaxing", "Relaxing", 0.25, 0.5, ("chill", "acoustic", "ambient", "jazz", "piano"),
          keyword="relaxing"),
    _Spec(("chill", "chilled", "chillout", "chill out", "chilling", "chillin", "chilled out"),
          "chill", "Chill", 0.35, 0.5, ("chill", "indie-pop", "trip-hop", "r-n-b"),
          keyword="chill"),
    _Spec(("mellow", "soft", "gentle", "quiet", "slow", "low key", "lowkey", "low energy",
           "subdued", "tender"),
          "mellow", "Mellow", 0.25, 0.45, ("acoustic", "singer-songwriter", "chill", "folk")),
    _Spec(("cozy", "cosy", "warm", "comfy", "hygge", "snug"), "cozy", "Cozy", 0.3, 0.6,
          ("acoustic", "folk", "jazz", "indie")),
    _Spec(("sad", "sadness", "depressing", "depressed", "heartbreak", "heartbroken",
           "heartache", "breakup", "break up", "broken heart", "crying", "cry", "tears",
           "lonely", "loneliness", "feeling blue", "gloomy", "grief", "grieving", "sad songs",
           "sad girl", "sad boy"),
          "sad", "Sad", 0.3, 0.15, ("sad", "singer-songwriter", "acoustic", "indie", "piano"),
          keyword="sad"),
    _Spec(("melancholic", "melancholy", "wistful", "bittersweet", "moody", "somber", "sombre",
           "brooding", "introspective", "pensive", "reflective"),
          "melancholic", "Melancholic", 0.35, 0.25,
          ("indie", "sad", "singer-songwriter", "trip-hop", "piano")),
    _Spec(("nostalgic", "nostalgia", "throwback", "throwbacks", "retro", "memories"),
          "nostalgic", "Nostalgic", 0.55, 0.6, ("rock", "pop", "soul", "synth-pop")),
    _Spec(("happy", "happiness", "cheerful", "joyful", "joyous", "feel good", "feelgood",
           "good vibes", "good mood", "sunny", "bright", "positive", "fun", "playful",
           "carefree", "silly"),
          "happy", "Happy", 0.7, 0.85, ("pop", "dance", "funk", "disco", "indie-pop"),
          keyword="happy"),
    _Spec(("upbeat", "lively", "bouncy", "catchy", "peppy", "vibrant"), "upbeat", "Upbeat",
          0.75, 0.75, ("pop", "dance", "indie-pop", "funk"), keyword="upbeat"),
    _Spec(("energetic", "energy", "high energy", "energizing", "energising", "hype",
           "hyped", "pumped", "pump up", "pumped up", "adrenaline", "fast", "fast paced",
           "uptempo", "up tempo", "banging", "turn up", "turnt"),
          "energetic", "Energetic", 0.88, 0.6, ("edm", "dance", "rock", "hip-hop", "pop"),
          keyword="upbeat"),
    _Spec(("aggressive", "angry", "anger", "rage", "furious", "intense", "heavy", "brutal",
           "fierce", "savage"),
          "aggressive", "Aggressive", 0.92, 0.25,
          ("metal", "hard-rock", "hardcore", "hip-hop", "industrial")),
    _Spec(("dark", "eerie", "spooky", "creepy", "haunting", "sinister", "ominous"),
          "dark", "Dark", 0.55, 0.15, ("goth", "industrial", "trip-hop", "ambient")),
    _Spec(("romantic", "romance", "love songs", "love song", "in love", "falling in love",
           "intimate", "passionate"),
          "romantic", "Romantic", 0.4, 0.6,
          ("r-n-b", "soul", "jazz", "singer-songwriter", "acoustic"), keyword="love"),
    _Spec(("sexy", "sensual", "seductive", "smooth", "sultry", "steamy"), "sensual",
          "Smooth", 0.45, 0.55, ("r-n-b", "soul", "jazz")),
    _Spec(("dreamy", "ethereal", "hazy", "floaty", "atmospheric", "spacey", "spacy",
           "airy", "otherworldly"),
          "dreamy", "Dreamy", 0.35, 0.45, ("indie-pop", "ambient", "synth-pop", "trip-hop")),
    _Spec(("epic", "cinematic", "triumphant", "heroic", "majestic"), "epic", "Epic", 0.75,
          0.5, ("classical", "rock", "electronic")),
    _Spec(("uplifting", "inspiring", "inspirational", "motivational", "motivating",
           "motivation", "empowering", "confident", "hopeful"),
          "uplifting", "Uplifting", 0.75, 0.8, ("pop", "dance", "indie-pop", "gospel")),
    _Spec(("groovy", "funky", "groove", "grooves", "groovin", "grooving"), "groovy",
          "Groovy", 0.7, 0.8, ("funk", "disco", "soul", "r-n-b"), keyword="groove"),
    _Spec(("danceable", "dancey", "dancy"), "danceable", "Danceable", 0.78, 0.75,
          ("dance", "pop", "house", "disco")),
    _Spec(("emotional", "heartfelt", "moving", "touching", "sentimental"), "emotional",
          "Emotional", 0.4, 0.3, ("singer-songwriter", "piano", "indie", "soul")),
    _Spec(("euphoric", "ecstatic", "blissful", "festival vibes"), "euphoric", "Euphoric", 0.85,
          0.8, ("trance", "edm", "house", "progressive-house")),
    _Spec(("summery", "tropical", "sunshine"), "summery", "Summery", 0.7, 0.85,
          ("reggae", "latin", "dancehall", "pop"), keyword="summer"),
    _Spec(("ballad", "ballads", "power ballad", "power ballads"), "ballad", "Ballad", 0.3,
          0.35, ("singer-songwriter", "pop", "soul", "rock")),
    _Spec(("angsty", "angst", "rebellious", "edgy", "gritty", "raw"), "angsty", "Angsty",
          0.8, 0.35, ("punk", "emo", "alt-rock", "grunge")),
    _Spec(("experimental", "weird", "quirky", "avant garde", "eclectic"), "experimental",
          "Experimental", 0.55, 0.45, ("idm", "electronic", "psych-rock")),
    _Spec(("loud", "rowdy", "wild", "crazy"), "loud", "Loud", 0.9, 0.6,
          ("rock", "punk", "hard-rock", "edm")),
)  # fmt: skip

# --- activities and occasions ----------------------------------------------------------
_ACTIVITIES: tuple[_Spec, ...] = (
    _Spec(("study", "studying", "studies", "homework", "revising", "study session",
           "exam prep", "cramming"),
          "studying", "Studying", 0.3, 0.45,
          ("study", "chill", "piano", "ambient", "jazz", "classical"), ("focused", "calm"),
          "study"),
    _Spec(("focus", "focusing", "focused", "concentration", "concentrate", "concentrating",
           "deep work", "productivity", "productive", "flow state"),
          "focus", "Focus", 0.3, 0.45, ("study", "ambient", "piano", "classical", "idm"),
          ("focused",), "focus"),
    _Spec(("coding", "programming", "hacking"), "coding", "Coding", 0.45, 0.45,
          ("study", "electronic", "idm", "ambient", "synth-pop"), ("focused",), "coding"),
    _Spec(("reading",), "reading", "Reading", 0.25, 0.45,
          ("classical", "piano", "ambient", "jazz"), ("calm",)),
    _Spec(("writing",), "writing", "Writing", 0.3, 0.45, ("piano", "ambient", "classical", "study"),
          ("focused",)),
    _Spec(("sleep", "sleeping", "asleep", "fall asleep", "falling asleep", "bedtime",
           "nap", "napping", "lullaby", "lullabies", "insomnia"),
          "sleep", "Sleep", 0.12, 0.3, ("ambient", "new-age", "piano", "sleep", "classical"),
          ("calm", "peaceful"), "sleep"),
    _Spec(("meditation", "meditate", "meditating", "mindfulness", "spa", "massage",
           "breathing"),
          "meditation", "Meditation", 0.15, 0.4, ("new-age", "ambient", "piano"),
          ("peaceful",), "meditation"),
    _Spec(("yoga", "stretching", "pilates"), "yoga", "Yoga", 0.25, 0.5,
          ("new-age", "ambient", "chill", "world-music"), ("calm",), "yoga"),
    _Spec(("workout", "workouts", "work out", "working out", "exercise", "exercising",
           "lifting", "weightlifting", "weight lifting", "crossfit", "hiit", "cardio",
           "gym session"),
          "workout", "a Workout", 0.88, 0.6,
          ("edm", "hip-hop", "dance", "hard-rock", "electro"), ("energetic", "motivated"),
          "workout"),
    _Spec(("gym",), "gym", "the Gym", 0.88, 0.6, ("hip-hop", "edm", "dance", "hard-rock"),
          ("energetic", "motivated"), "gym"),
    _Spec(("running", "run", "runs", "jogging", "jog", "marathon", "sprint", "sprinting",
           "5k", "10k"),
          "running", "Running", 0.85, 0.6,
          ("edm", "drum-and-bass", "dance", "pop", "hip-hop"), ("energetic",), "running"),
    _Spec(("cycling", "biking", "bike ride", "spin class", "spinning"), "cycling", "Cycling",
          0.8, 0.6, ("edm", "dance", "house", "rock"), ("energetic",)),
    _Spec(("hiking", "hike", "walk", "walking", "stroll", "strolling", "nature walk"),
          "walking", "a Walk", 0.5, 0.65, ("folk", "indie", "acoustic", "indie-pop"),
          ("carefree",)),
    _Spec(("party", "parties", "partying", "celebration", "celebrate", "celebrating",
           "birthday", "birthday party", "new years eve", "nye", "festival"),
          "party", "a Party", 0.85, 0.75, ("dance", "pop", "hip-hop", "edm", "house"),
          ("festive", "energetic"), "party"),
    _Spec(("house party", "houseparty", "frat party", "kickback"), "house party",
          "a House Party", 0.85, 0.75, ("hip-hop", "dance", "pop", "edm", "house"),
          ("festive", "energetic"), "party"),
    _Spec(("pool party", "beach party", "block party"), "pool party", "a Pool Party", 0.8,
          0.85, ("reggaeton", "dance", "pop", "latin", "house"), ("festive", "sunny"), "party"),
    _Spec(("dinner party", "cocktail party", "cocktails", "cocktail hour", "wine night"),
          "dinner party", "a Dinner Party", 0.4, 0.65, ("jazz", "soul", "mpb", "r-n-b"),
          ("warm", "elegant"), "dinner"),
    _Spec(("pregame", "pre game", "predrinks", "pre drinks", "getting ready", "get ready",
           "night out"),
          "getting ready", "Getting Ready", 0.8, 0.75, ("hip-hop", "pop", "dance", "r-n-b"),
          ("hyped",)),
    _Spec(("club", "clubbing", "nightclub", "rave", "raving", "dancefloor", "dance floor"),
          "club", "the Club", 0.9, 0.6, ("house", "techno", "edm", "club", "dance"),
          ("euphoric",), "club"),
    _Spec(("dancing", "dance to", "boogie", "dance party"), "dancing", "Dancing", 0.8, 0.75,
          ("dance", "disco", "pop", "funk", "house"), ("danceable",), "dance"),
    _Spec(("dinner", "dining", "restaurant", "brunch", "lunch"), "dinner", "Dinner", 0.35,
          0.65, ("jazz", "soul", "acoustic", "mpb"), ("warm",), "dinner"),
    _Spec(("romantic dinner", "candlelit dinner", "candlelight", "date night"),
          "date night", "Date Night", 0.4, 0.65, ("r-n-b", "soul", "jazz"), ("romantic",)),
    _Spec(("cooking", "cook", "baking", "kitchen"), "cooking", "Cooking", 0.55, 0.75,
          ("soul", "funk", "jazz", "pop", "latin"), ("cheerful",), "cooking"),
    _Spec(("cleaning", "chores", "housework", "tidying", "cleaning the house"), "cleaning",
          "Cleaning", 0.75, 0.8, ("pop", "disco", "funk", "dance"), ("upbeat",)),
    _Spec(("driving", "drive", "cruising", "cruise", "car ride", "in the car"), "driving",
          "Driving", 0.65, 0.6, ("rock", "indie", "synth-pop", "alt-rock", "pop"),
          ("free",), "drive"),
    _Spec(("night drive", "late night drive", "night driving", "midnight drive"),
          "night drive", "a Night Drive", 0.5, 0.35,
          ("synth-pop", "electronic", "trip-hop", "indie"), ("nocturnal",), "night"),
    _Spec(("road trip", "roadtrip", "road trips"), "road trip", "a Road Trip", 0.7, 0.75,
          ("rock", "indie", "pop", "country", "alt-rock"), ("carefree",), "road trip"),
    _Spec(("commute", "commuting", "train ride", "bus ride", "travel", "travelling",
           "traveling"),
          "commute", "the Commute", 0.5, 0.55, ("indie", "pop", "hip-hop", "alternative")),
    _Spec(("rainy day", "rainy days", "rainy afternoon", "rainy morning", "rainy night",
           "rainy evening", "rainy weekend"),
          "rainy day", "a Rainy Day", 0.3, 0.35,
          ("acoustic", "indie", "jazz", "piano", "chill", "singer-songwriter"),
          ("cozy", "melancholic"), "rain"),
    _Spec(("rainy sunday",), "rainy sunday", "a Rainy Sunday", 0.3, 0.4,
          ("acoustic", "jazz", "indie", "piano", "chill", "singer-songwriter"),
          ("cozy", "mellow"), "rain"),
    _Spec(("lazy sunday", "sunday morning", "lazy morning", "sunday afternoon"),
          "lazy sunday", "a Lazy Sunday", 0.35, 0.65, ("acoustic", "soul", "jazz", "indie-pop"),
          ("mellow",)),
    _Spec(("morning", "mornings", "wake up", "waking up", "breakfast", "sunrise", "coffee"),
          "morning", "the Morning", 0.5, 0.7, ("acoustic", "indie-pop", "pop", "soul"),
          ("fresh",), "morning"),
    _Spec(("coffee shop", "cafe", "coffeehouse", "coffee house"), "coffee shop",
          "a Coffee Shop", 0.35, 0.6, ("jazz", "acoustic", "indie", "chill"), ("cozy",), "cafe"),
    _Spec(("late night", "midnight", "after hours", "3am", "2am"), "late night",
          "Late Nights", 0.4, 0.35, ("r-n-b", "chill", "trip-hop", "jazz", "electronic"),
          ("nocturnal",), "night"),
    _Spec(("wedding", "wedding reception", "first dance"), "wedding", "a Wedding", 0.55, 0.8,
          ("pop", "soul", "r-n-b", "dance"), ("romantic", "joyful"), "wedding"),
    _Spec(("christmas", "xmas", "holiday season", "festive"), "christmas", "Christmas", 0.55,
          0.8, ("pop", "jazz", "soul"), ("festive",), "christmas"),
    _Spec(("halloween",), "halloween", "Halloween", 0.6, 0.3, ("goth", "industrial", "rock"),
          ("spooky",), "halloween"),
    _Spec(("gaming", "video games", "video game", "game night"), "gaming", "Gaming", 0.75,
          0.5, ("electronic", "edm", "dubstep", "drum-and-bass", "synth-pop"), ("focused",)),
    _Spec(("karaoke", "sing along", "singalong", "sing alongs"), "karaoke", "Karaoke", 0.7,
          0.8, ("pop", "rock", "disco"), ("fun",)),
    _Spec(("shower", "bath"), "shower", "the Shower", 0.65, 0.8, ("pop", "rock", "dance"),
          ("fun",)),
    _Spec(("bbq", "barbecue", "cookout", "picnic", "backyard"), "barbecue", "a Barbecue",
          0.65, 0.8, ("funk", "soul", "hip-hop", "reggae", "country"), ("sunny",)),
    _Spec(("beach", "vacation", "holiday", "summer vacation", "pool"), "beach", "the Beach",
          0.65, 0.85, ("reggae", "pop", "latin", "dance", "indie-pop"), ("sunny",), "beach"),
    _Spec(("campfire", "bonfire", "fireplace", "by the fire"), "campfire", "a Campfire", 0.3,
          0.55, ("folk", "acoustic", "singer-songwriter"), ("cozy",)),
    _Spec(("painting", "drawing", "crafting", "creative"), "creating", "Creating", 0.4, 0.55,
          ("indie", "ambient", "jazz", "chill"), ("inspired",)),
)  # fmt: skip

# --- scenes: weather, seasons, times of day (context, weaker than an activity) ---------
_SCENES: tuple[_Spec, ...] = (
    _Spec(("rain", "rainy", "raining", "storm", "stormy", "thunderstorm"), "rain", "the Rain",
          0.3, 0.35, ("acoustic", "piano", "jazz", "indie", "chill"), ("cozy",), "rain"),
    _Spec(("sunday", "sundays", "weekend", "saturday"), "weekend", "the Weekend", 0.45,
          0.65, ("indie-pop", "soul", "acoustic", "pop")),
    _Spec(("night", "nights", "evening", "tonight", "nighttime", "night time"), "night",
          "the Night", 0.4, 0.4, ("r-n-b", "chill", "electronic", "jazz"), ("nocturnal",)),
    _Spec(("afternoon",), "afternoon", "the Afternoon", 0.5, 0.6, ("indie-pop", "pop", "soul")),
    _Spec(("sunset", "golden hour", "dusk"), "sunset", "Sunset", 0.45, 0.6,
          ("chill", "indie-pop", "deep-house", "soul"), ("warm",), "sunset"),
    _Spec(("summer", "summertime", "sunny day", "hot day", "heatwave"), "summer", "Summer",
          0.7, 0.85, ("pop", "reggae", "dance", "latin", "reggaeton"), ("sunny",), "summer"),
    _Spec(("winter", "snow", "snowy", "cold", "freezing"), "winter", "Winter", 0.3, 0.4,
          ("acoustic", "folk", "piano", "indie"), ("cozy",), "winter"),
    _Spec(("autumn", "fall vibes", "autumnal"), "autumn", "Autumn", 0.35, 0.4,
          ("folk", "indie", "acoustic", "singer-songwriter"), ("cozy",), "autumn"),
    _Spec(("spring", "springtime"), "spring", "Spring", 0.6, 0.75,
          ("indie-pop", "pop", "folk"), ("fresh",), "spring"),
    _Spec(("city", "urban", "downtown"), "city", "the City", 0.6, 0.5,
          ("hip-hop", "electronic", "r-n-b", "indie"), ()),
    _Spec(("ocean", "sea", "lake", "river", "forest", "woods", "mountains", "nature",
           "outdoors", "space", "stars"),
          "nature", "the Outdoors", 0.35, 0.5, ("ambient", "folk", "acoustic", "new-age"), ()),
    _Spec(("car",), "car", "the Car", 0.65, 0.6, ("rock", "pop", "indie"), ()),
    _Spec(("work", "working", "office", "workday", "work day"), "work", "Work", 0.45, 0.55,
          ("study", "chill", "indie", "jazz"), ("focused",)),
)  # fmt: skip

# --- general music words ---------------------------------------------------------------
# The value is the genres an instrument word hints at, used only when a prompt names
# no genre ("sax" -> jazz); most music words hint at nothing.
_MUSIC_WORDS: Mapping[str, tuple[str, ...]] = {
    **dict.fromkeys((
        "song", "songs", "music", "musics", "musical", "playlist", "playlists", "track",
        "tracks", "tune", "tunes", "band", "bands", "album", "albums", "beat", "beats", "vibe",
        "vibes", "vibing", "mix", "mixes", "mixtape", "mixtapes", "listen", "listening",
        "listen to", "artist", "artists", "singer", "singers", "genre", "genres", "tempo",
        "bpm", "instrumental", "instrumentals", "banger", "bangers", "bop", "bops", "jam",
        "jams", "anthem", "anthems", "melody", "melodies", "melodic", "vocals", "vocal",
        "vocalist", "lyrics", "soundtrack", "soundtracks", "ost", "remix", "remixes", "record",
        "records", "vinyl", "sing", "sang", "singing", "sung", "dj", "radio", "spotify",
        "chorus", "riff", "riffs", "rhythm", "rhythms", "harmony", "harmonies", "acapella",
        "a cappella", "concert", "gig", "gigs", "live music", "setlist", "tracklist",
        "musician", "musicians", "composer", "composers", "hits", "greatest hits",
        "top hits", "classics", "deep cuts", "b sides", "discography", "drums", "drum", "bass",
        "bassline", "basslines", "808", "808s", "headphones", "earworm", "earworms", "ep",
        "eps", "lp", "lps", "single", "singles", "sound", "sounds", "soundscape",
        "soundscapes", "noise", "audio",
    ), ()),
    "sax": ("jazz",), "saxophone": ("jazz",), "trumpet": ("jazz",), "double bass": ("jazz",),
    "violin": ("classical",), "violins": ("classical",), "cello": ("classical",),
    "strings": ("classical",), "orchestra": ("classical",), "string quartet": ("classical",),
    "choir": ("gospel", "classical"), "harp": ("classical", "new-age"),
    "flute": ("classical", "new-age"), "ukulele": ("acoustic", "indie-pop"),
    "banjo": ("bluegrass", "folk"), "fiddle": ("bluegrass", "folk"),
    "synth": ("synth-pop", "electronic"), "synths": ("synth-pop", "electronic"),
    "synthesizer": ("synth-pop", "electronic"), "turntables": ("hip-hop",),
    "electric guitar": ("rock", "alt-rock"), "organ": ("gospel", "soul"),
}  # fmt: skip

# Words of asking for music; weak on their own ("recommend a book" is not music).
_REQUEST_WORDS: tuple[str, ...] = (
    "play", "playing", "recommend", "recommendations", "suggest", "suggestions", "queue",
    "shuffle", "put on", "blast", "crank", "spin", "curate", "curated",
)  # fmt: skip


def _decade_terms() -> dict[str, Term]:
    """Era words: 1950s..2020s in their usual spellings, plus "oldies"."""
    names = {
        1950: ("fifties",), 1960: ("sixties",), 1970: ("seventies",), 1980: ("eighties",),
        1990: ("nineties",), 2000: ("noughties", "aughts", "y2k", "00s"), 2010: ("2010s",),
        2020: ("2020s",),
    }  # fmt: skip
    out: dict[str, Term] = {}
    for start in range(1920, 2030, 10):
        short = f"{start % 100:02d}s"
        era = f"{start}s"
        label = short if start < 2000 else era
        term = Term(key=era, kind="era", label=label, years=(start, start + 9))
        out[era] = term
        if 1950 <= start < 2000:  # "80s", "'80s"; "20s"/"10s" are too ambiguous
            out[short] = term
        for alias in names.get(start, ()):
            out[alias] = term
    out["oldies"] = Term(key="oldies", kind="era", label="Oldies", years=(1950, 1979))
    return out


# --------------------------------------------------------------------------------------
# Tokenizer and lexicon
# --------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9]+(?:[&+][a-z0-9]+)*")


def normalise(text: str) -> str:
    """Lower-case, accent-free, apostrophe-free text ("Forró 80's" -> "forro 80s")."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower().replace("’", "'").replace("‘", "'")
    # "rock & roll", "drum & bass": a spaced ampersand is the word "and"; "r&b" stays one token
    text = re.sub(r"\s&\s", " and ", text)
    return text.replace("'", "")


def tokenize(text: str) -> list[str]:
    """Words of a text, normalised; hyphens split ("lo-fi" -> ["lo", "fi"])."""
    return _TOKEN.findall(normalise(text))


# Between clauses: no phrase spans it and no negation reaches past it ("no sad songs, happy").
CLAUSE_BREAK = "|"
_CLAUSE_SPLIT = re.compile(r"[,.;:!?()\[\]\n]+")


def clause_tokens(text: str) -> list[str]:
    """``tokenize`` with a ``CLAUSE_BREAK`` token where punctuation splits clauses.

    These are the tokens ``scan`` indexes its matches into.
    """
    out: list[str] = []
    for clause in _CLAUSE_SPLIT.split(normalise(text)):
        words = _TOKEN.findall(clause)
        if words:
            if out:
                out.append(CLAUSE_BREAK)
            out.extend(words)
    return out


def _phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(tokenize(phrase))


def _build_lexicon() -> dict[tuple[str, ...], Term]:
    """Every phrase -> Term; a phrase listed twice is a bug in the tables (raises)."""
    lexicon: dict[tuple[str, ...], Term] = {}

    def add(phrase: str, term: Term) -> None:
        key = _phrase_key(phrase)
        if not key:
            raise ValueError(f"empty vocabulary phrase {phrase!r}")
        if key in lexicon and lexicon[key] != term:
            raise ValueError(f"vocabulary phrase {phrase!r} is listed twice")
        lexicon[key] = term

    for phrase, genres in _GENRE_PHRASES.items():
        add(phrase, Term(key=genres[0], kind="genre", genres=genres))
    for phrase, genres in _REGION_PHRASES.items():
        add(phrase, Term(key=genres[0], kind="region", genres=genres))
    tables: tuple[tuple[TermKind, tuple[_Spec, ...]], ...] = (
        ("mood", _MOODS),
        ("activity", _ACTIVITIES),
        ("scene", _SCENES),
    )
    for kind, specs in tables:
        for spec in specs:
            term = Term(
                key=spec.key,
                kind=kind,
                label=spec.label,
                genres=spec.genres,
                energy=spec.energy,
                valence=spec.valence,
                moods=spec.moods or ((spec.key,) if kind == "mood" else ()),
                keyword=spec.keyword,
            )
            for phrase in spec.phrases:
                add(phrase, term)
    for phrase, era_term in _decade_terms().items():
        add(phrase, era_term)
    for phrase, genres in _MUSIC_WORDS.items():
        add(phrase, Term(key=" ".join(_phrase_key(phrase)), kind="music", genres=genres))
    for phrase in _REQUEST_WORDS:
        add(phrase, Term(key=phrase, kind="request"))
    return lexicon


LEXICON: Mapping[tuple[str, ...], Term] = _build_lexicon()
_MAX_PHRASE = max(len(key) for key in LEXICON)

# Single words that are music vocabulary but also everyday English ("the house", "what
# country", "a rock", "run a script", "track my order").  The planner reads them as usual;
# the validator counts them as weaker evidence that a prompt is about music.
EVERYDAY_WORDS: frozenset[str] = frozenset({
    # genres
    "house", "country", "rock", "metal", "pop", "soul", "swing", "folk", "dance", "trap",
    "drill", "garage", "industrial", "alternative", "electronic", "dub", "jungle", "christian",
    "worship", "kids", "children", "comedy", "afro", "latin", "grime", "glitch", "hardcore",
    "blues", "classical", "opera", "gothic", "acoustic",
    # music words
    "track", "tracks", "record", "records", "single", "singles", "sound", "sounds", "noise",
    "audio", "bass", "mix", "mixes", "band", "bands", "beat", "jam", "hits", "chorus", "ep",
    "eps", "lp", "radio", "organ", "strings", "harmony", "rhythm", "drum", "drums", "stars",
    # moods, activities and scenes
    "work", "working", "office", "workday", "run", "runs", "cook", "kitchen", "bath", "shower",
    "travel", "traveling", "travelling", "focus", "focused", "productive", "productivity",
    "concentrate", "creative", "painting", "drawing", "breakfast", "lunch", "dinner",
    "restaurant", "coffee", "morning", "mornings", "energy", "fast", "slow", "soft", "quiet",
    "warm", "cold", "bright", "positive", "fun", "heavy", "raw", "wild", "crazy", "smooth",
    "moving", "touching", "dark", "intense", "sunny", "memories", "celebrate", "birthday",
    "festival", "sea", "lake", "river", "forest", "woods", "mountains", "nature", "outdoors",
    "space", "city", "urban", "downtown", "car", "night", "nights", "evening", "tonight",
    "afternoon", "winter", "summer", "spring", "snow", "weekend", "saturday", "sunday",
    "sundays", "walk", "walking", "hike", "hiking", "picnic", "backyard", "pool", "beach",
    "holiday", "vacation", "anger", "angry", "happiness", "exercise", "exercising", "sprint",
    "marathon", "5k", "10k", "spinning", "gaming", "writing", "breathing", "massage", "spa",
    "study", "studies", "hopeful", "confident", "motivation", "experimental",
    "reflective", "moody", "heartache", "grief", "tears", "rain", "storm", "cry",
    "reading", "commute", "play", "playing", "spin", "queue", "blast", "crank",
    "cozy", "cosy", "comfy", "gentle", "tender", "epic", "calm", "weird", "loud",
})  # fmt: skip

# Words that turn the next term into an exclusion ("no metal", "anything but country").
NEGATORS: frozenset[str] = frozenset({
    "no", "not", "without", "except", "minus", "excluding", "exclude", "avoid", "hate",
    "dont", "never", "nothing", "less", "fewer", "skip", "drop", "remove", "nor",
})  # fmt: skip
# Between two negated terms these keep the negation going ("no sad or slow songs").
_NEGATION_CHAIN: frozenset[str] = frozenset({"or", "and", "nor"})
_YEAR = re.compile(r"^(19[5-9]\d|20[0-2]\d)$")


@dataclass(frozen=True, slots=True)
class Match:
    """A lexicon term found in a text: token span ``[start, end)`` and negation."""

    term: Term
    start: int
    end: int
    negated: bool = False


def _negated(tokens: list[str], start: int, gap_start: int, previous: Match | None) -> bool:
    """Whether a term starting at ``start`` sits under a negation word."""
    gap = tokens[gap_start:start]
    if CLAUSE_BREAK in gap:
        gap = gap[len(gap) - gap[::-1].index(CLAUSE_BREAK) :]  # only this clause counts
    elif previous is not None and previous.negated and all(t in _NEGATION_CHAIN for t in gap):
        return True  # "no sad or slow songs": the "or" carries the "no"
    window = gap[-3:]
    if window and window[-1] == "but":
        # "chill but upbeat" is no negation; "anything but country" is
        return len(window) >= 2 and window[-2] in {"anything", "everything"}
    return any(t in NEGATORS for t in window)


def scan(text: str) -> list[Match]:
    """Longest-first, left-to-right lexicon matches in ``text``, with negation marked.

    Match spans index ``clause_tokens(text)``.  A four-digit year between 1950 and
    2029 is an era term too ("from 1995").
    """
    tokens = clause_tokens(text)
    found: list[Match] = []
    i = 0
    gap_start = 0
    while i < len(tokens):
        term: Term | None = None
        length = 0
        for size in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
            candidate = LEXICON.get(tuple(tokens[i : i + size]))
            if candidate is not None:
                term, length = candidate, size
                break
        if term is None and _YEAR.match(tokens[i]):
            year = int(tokens[i])
            term, length = Term(key=tokens[i], kind="era", label=tokens[i], years=(year, year)), 1
        if term is None:
            i += 1
            continue
        previous = found[-1] if found else None
        found.append(Match(term, i, i + length, _negated(tokens, i, gap_start, previous)))
        i += length
        gap_start = i
    return found


def lookup(phrase: str) -> Term | None:
    """The term a phrase stands for, if it is in the lexicon ("house party" -> activity)."""
    return LEXICON.get(_phrase_key(phrase))


def canonical_genres(name: str) -> tuple[str, ...]:
    """Catalogue genres for a genre as a person writes it ("Hip Hop" -> ("hip-hop",)).

    Used for profile genres: an exact catalogue name wins, then the first genre or
    region phrase found; words the catalogue does not know give ``()``.
    """
    exact = name.strip().lower()
    if exact in CATALOGUE_GENRE_SET:
        return (exact,)
    for match in scan(name):
        if match.term.kind in ("genre", "region"):
            return match.term.genres[:1]
    return ()


# --------------------------------------------------------------------------------------
# Artist names
# --------------------------------------------------------------------------------------

# Phrases after which a person usually names artists.
_ARTIST_TRIGGERS = (
    r"artists? such as", r"bands? such as", r"such as", r"artists? like", r"bands? like",
    r"sounds? like", r"similar to", r"in the style of", r"reminiscent of", r"inspired by",
    r"the likes of", r"fans? of", r"more like", r"like", r"by", r"listen(?:ing)? to",
)  # fmt: skip
_EXCLUDE_TRIGGERS = (
    r"nothing by", r"nothing from", r"no more", r"anything but", r"except", r"excluding",
    r"without", r"avoid", r"minus", r"no", r"not", r"less", r"fewer", r"skip", r"drop",
    r"remove",
)  # fmt: skip
# "play X" names an artist only when X is capitalised ("play Fleetwood Mac", not "play
# football").
_CAPITALISED_TRIGGERS = (r"play(?: some)?", r"put on(?: some)?")

# Where a name ends: punctuation or a word that starts the next part of the sentence.
_NAME_END = (
    r"(?=$|[.;:!?()\[\]\"\n]|\s(?:for|to|with|while|when|during|that|which|who|please|"
    r"but|without|except|from|in|on|at|into|so|because|if|or something|instead)\b)"
)
_NAME_SPLIT = re.compile(r"\s*,\s*|\s+and\s+|\s+or\s+|\s+nor\s+", re.IGNORECASE)

# Words that cannot start an artist name in this position ("like a rainy day", "by myself").
_NOT_A_NAME_START: frozenset[str] = frozenset({
    "a", "an", "some", "something", "somethin", "this", "that", "these", "those", "it", "its",
    "them", "they", "my", "your", "our", "his", "her", "their", "me", "us", "you", "i", "we",
    "he", "she", "myself", "yourself", "ourselves", "to", "what", "when", "how", "why",
    "where", "which", "who", "one", "ones", "anything", "everything", "any", "all", "each",
    "other", "more", "less", "much", "many", "too", "very", "so", "just", "only", "really",
    "the", "of", "for", "with", "and", "or", "in", "on", "at", "is", "are", "be", "was",
    "being", "having", "have", "do", "did", "doing", "get", "getting", "go", "going", "make",
    "making", "feel", "feeling", "feels", "sound", "sounding", "way", "kind", "sort", "type",
    "stuff", "things", "thing", "ever", "now", "today", "tonight", "before", "after",
    "usual", "normal", "always", "if", "as", "maybe", "please", "lot", "lots", "bit",
    "little", "same", "different", "similar", "previous", "last", "first", "next", "again",
    "fast", "slow", "new", "old", "good", "great", "nice", "better", "best", "slower",
    "faster", "louder", "softer", "ballads", "yes", "ok", "okay", "thanks", "thank",
    "while", "during", "without", "except", "from", "into", "because", "instead", "there",
    "here", "people", "someone", "somebody", "everyone", "no", "not", "nothing", "fewer",
    "skip", "drop", "remove", "avoid", "minus", "excluding", "never", "dont",
})  # fmt: skip
# Filler words allowed inside a name-like span that still is not a name ("the 80s").
_FILLER: frozenset[str] = frozenset({
    "the", "a", "an", "of", "and", "or", "some", "my", "more", "less", "very", "really",
    "kind", "sort", "type", "style", "stuff", "things", "ones", "that", "this", "vibe",
    "vibes", "era", "decade", "time", "times", "day", "days", "i", "me", "to", "it", "be",
    "with", "for", "in", "on", "at", "is", "am", "are", "was", "do", "dont", "not", "no",
    "please", "good", "great", "nice", "best", "top", "new", "old", "classic", "modern",
    "popular", "famous", "underground", "obscure", "mainstream", "like", "repeats", "repeat",
    "duplicates", "explicit", "swearing", "cursing", "clean", "covers", "cover", "live",
    "versions", "version", "features", "skits", "intros", "interludes", "english",
    "variety", "diversity", "same", "artist", "artists", "song", "songs", "much", "lot",
    "lots", "too", "so", "bit", "all", "any",
})  # fmt: skip
# Words that trail a name without being part of it ("Radiohead songs", "Muse-type stuff").
_TRAILING_WORDS: frozenset[str] = frozenset({
    "song", "songs", "music", "track", "tracks", "tune", "tunes", "stuff", "vibe", "vibes",
    "album", "albums", "beats", "sound", "sounds", "type", "style", "era", "please", "ones",
    "etc", "too", "instead",
})  # fmt: skip
_MAX_NAME_WORDS = 6
_MAX_NAME_CHARS = 60


def is_vocabulary(text: str) -> bool:
    """Whether every word of ``text`` is a lexicon phrase or filler ("the 80s", "sad songs")."""
    tokens = clause_tokens(text)
    covered = [t == CLAUSE_BREAK for t in tokens]
    for match in scan(text):
        for k in range(match.start, match.end):
            covered[k] = True
    return all(covered[k] or tok in _FILLER or tok.isdigit() for k, tok in enumerate(tokens))


def _tidy_name(raw: str) -> str | None:
    """A cleaned artist name, or None when the span is not a name."""
    words = raw.strip(" \t'\"-–—,").replace('"', "").split()
    # drop trailing music words: "Radiohead songs" -> "Radiohead"
    while words and "".join(tokenize(words[-1])) in _TRAILING_WORDS:
        words.pop()
    name = " ".join(words)
    tokens = tokenize(name)
    if not tokens or len(words) > _MAX_NAME_WORDS or len(name) > _MAX_NAME_CHARS:
        return None
    if tokens[0] in _NOT_A_NAME_START and not (tokens[0] == "the" and len(tokens) > 1):
        return None
    if is_vocabulary(name):
        return None
    if not any(ch.isupper() for ch in name):
        # typed in lower case: capitalise each word for display ("radiohead" -> "Radiohead")
        name = " ".join(w[:1].upper() + w[1:] for w in words)
    return name


def extract_names(text: str, triggers: Iterable[str], *, capitalised: bool = False) -> list[str]:
    """Names that follow any of ``triggers`` (regex fragments, tried in order) in ``text``.

    A span runs to punctuation or a word that starts the next clause ("for", "but",
    "with"...) and is split on commas, "and", "or".  ``capitalised`` keeps only spans
    written with a capital letter.
    """
    pattern = re.compile(r"\b(?:" + "|".join(triggers) + r")\s+(?P<span>.+?)" + _NAME_END, re.IGNORECASE)
    names: list[str] = []
    for match in pattern.finditer(text):
        span = match.group("span")
        for part in _NAME_SPLIT.split(span):
            if capitalised:
                part = re.sub(r"^(?:some|the music of)\s+", "", part.strip(), flags=re.I)
                if not part[:1].isupper():
                    continue
            name = _tidy_name(part)
            if name is None:
                # a part may hold the next trigger: "nothing by Drake, more like Kendrick"
                candidates = extract_names(part, triggers, capitalised=capitalised)
            else:
                candidates = [name]
            for candidate in candidates:
                if candidate.casefold() not in {n.casefold() for n in names}:
                    names.append(candidate)
    return names


def extract_excluded_artists(text: str) -> tuple[str, ...]:
    """Artist names a text rules out ("no Drake", "nothing by Coldplay", "except Muse")."""
    return tuple(extract_names(text, _EXCLUDE_TRIGGERS))


def extract_artists(text: str) -> tuple[str, ...]:
    """Artist names a text asks for: "like Radiohead", "by Miles Davis and Coltrane",
    "artists such as Björk, Portishead", "play Fleetwood Mac".

    Spans made only of vocabulary ("like a rainy day", "by the 80s") are not names,
    and names the text also rules out ("nothing by Drake") are left out.
    """
    excluded = {n.casefold() for n in extract_excluded_artists(text)}
    names = extract_names(text, _ARTIST_TRIGGERS)
    names += extract_names(text, _CAPITALISED_TRIGGERS, capitalised=True)
    out: list[str] = []
    for name in names:
        folded = name.casefold()
        if folded not in excluded and folded not in {n.casefold() for n in out}:
            out.append(name)
    return tuple(out)


# A bare, capitalised prompt ("Taylor Swift", "Radiohead") is probably an artist in a
# music bot; greetings and one-word commands are not.
_NAME_CONNECTORS: frozenset[str] = frozenset({"the", "of", "and", "&", "n", "de", "la", "y"})
_NOT_NAMES: frozenset[str] = frozenset({
    "hello", "hi", "hey", "thanks", "thank", "test", "testing", "help", "start", "stop",
    "yes", "no", "ok", "okay", "please", "what", "why", "how", "who", "good", "morning",
    "bye", "goodbye", "cheers", "sorry", "lol", "idk", "nothing", "anything", "something",
})  # fmt: skip


def looks_like_a_name(prompt: str) -> bool:
    """Whether a whole prompt reads like a bare name: 1-4 capitalised words, no question."""
    words = prompt.strip().split()
    if not 1 <= len(words) <= 4 or "?" in prompt:
        return False
    if any(word.casefold().strip(".,!") in _NOT_NAMES for word in words):
        return False
    return all(
        word[:1].isupper() or word[:1].isdigit() or word.casefold() in _NAME_CONNECTORS for word in words
    ) and any(ch.isalpha() for ch in prompt)

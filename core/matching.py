"""Text normalisation and the rules for "is this hit really that song?".

Used to drop invented songs (a search hit only counts when title and artist
really match) and to de-duplicate remasters, live takes and "feat." variants.
"""

from __future__ import annotations

import re

from core.text import normalise

# Bracketed or dash-separated suffixes that name a version of the same song.
_VERSION_WORDS = (
    "remaster",
    "remastered",
    "live",
    "version",
    "edit",
    "mix",
    "remix",
    "mono",
    "stereo",
    "acoustic",
    "demo",
    "feat",
    "ft",
    "featuring",
    "with",
    "from",
    "radio",
    "single",
    "album",
    "deluxe",
    "bonus",
    "explicit",
    "clean",
    "instrumental",
    "extended",
    "original",
    "anniversary",
    "take",
    "session",
)
_BRACKETED = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]")
_DASH_SUFFIX = re.compile(r"\s+-\s+.*$")
_FEAT = re.compile(r"\s+(feat\.?|ft\.?|featuring)\s+.*$", re.IGNORECASE)


def _looks_like_version(fragment: str) -> bool:
    words = normalise(fragment).split()
    return any(w in _VERSION_WORDS or w.isdigit() for w in words)


def core_title(title: str) -> str:
    """The title without version suffixes: "Song - Remastered 2011" -> "song"."""
    text = _FEAT.sub("", title)
    for bracket in _BRACKETED.findall(text):
        if _looks_like_version(bracket):
            text = text.replace(bracket, "")
    dash = _DASH_SUFFIX.search(text)
    if dash and _looks_like_version(dash.group(0)):
        text = text[: dash.start()]
    return normalise(text) or normalise(title)


def artist_key(artist: str) -> str:
    """A normalised artist name; a leading "the" is ignored ("The Beatles" = "Beatles")."""
    key = normalise(artist)
    return key[4:] if key.startswith("the ") else key


def title_matches(wanted: str, actual: str) -> bool:
    """True when ``actual`` is the song ``wanted`` names, or a version of it."""
    want, got = core_title(wanted), core_title(actual)
    if not want or not got:
        return False
    return want == got or normalise(wanted) == normalise(actual)


def artist_matches(wanted: str, actual_artists: tuple[str, ...]) -> bool:
    """True when ``wanted`` is one of the track's artists (or all of a duo's names)."""
    want = artist_key(wanted)
    if not want:
        return False
    keys = [artist_key(a) for a in actual_artists]
    if want in keys:
        return True
    # "Simon & Garfunkel" style credits, or a model naming "A and B" for two artists.
    joined = " and ".join(keys)
    return want == joined or (len(want) > 3 and any(k and k in want.split(" and ") for k in keys))


def dedup_key(title: str, primary_artist: str) -> tuple[str, str]:
    """Two tracks with the same key are the same song for a playlist."""
    return core_title(title), artist_key(primary_artist)


_SEASONAL = re.compile(
    r"\b(christmas|xmas|santa|jingle|noel|navidad|weihnacht\w*|rudolph|mistletoe|sleigh|"
    r"winter wonderland|let it snow|holly jolly|feliz navidad|halloween|joy to the world|"
    r"silent night|deck the halls|o holy night|little drummer boy|auld lang syne)\b",
    re.IGNORECASE,
)


def is_seasonal(*texts: str) -> bool:
    """True for holiday songs, which belong in a playlist only when someone asks for them."""
    return any(_SEASONAL.search(t) for t in texts if t)


_TRACK_ID = re.compile(r"[0-9A-Za-z]{22}")


def is_track_id(text: str) -> bool:
    """Spotify ids are 22 base62 characters; anything else from outside is refused."""
    return bool(_TRACK_ID.fullmatch(text))


# Words that mark a track as something other than the original studio recording.
_NOT_ORIGINAL = frozenset(
    "live remix mix demo acoustic karaoke instrumental edit version session sessions take "
    "rehearsal unplugged cover tribute rerecorded re-recorded orchestral symphonic".split()
)
_REMASTER = frozenset({"remaster", "remastered", "mono", "stereo", "deluxe", "anniversary"})
_COMPILATION = frozenset(
    "greatest hits best collection anthology essential essentials karaoke tribute".split()
)


def _version_words(title: str) -> set[str]:
    """The words of a title's version suffixes: "Song - Live at X (Remastered)" -> live, at, x..."""
    words: set[str] = set()
    feat_free = _FEAT.sub("", title)
    for bracket in _BRACKETED.findall(feat_free):
        words.update(normalise(bracket).split())
    dash = _DASH_SUFFIX.search(feat_free)
    if dash:
        words.update(normalise(dash.group(0)).split())
    return words


def version_penalty(wanted_title: str, title: str, album: str = "") -> int:
    """How far a hit is from the original studio recording of ``wanted_title`` (0 = it is).

    Live takes, remixes, demos and the like cost most, compilations next, remasters
    least; a marker the wanted title itself names ("Song (Live)") costs nothing.
    """
    wanted = _version_words(wanted_title) | set(normalise(wanted_title).split())
    words = _version_words(title) - wanted
    album_words = set(normalise(album).split()) - wanted
    penalty = 0
    if words & _NOT_ORIGINAL or album_words & {"live", "karaoke", "unplugged", "tribute"}:
        penalty += 4
    if album_words & _COMPILATION or {"hits"} <= album_words:
        penalty += 2
    if words & _REMASTER:
        penalty += 1
    return penalty

"""General music words, words of asking for music, and era (decade) terms."""

from __future__ import annotations

from collections.abc import Mapping

from core.vocabulary.terms import Term

# --- general music words ---------------------------------------------------------------
# The value is the genres an instrument word hints at, used only when a prompt names
# no genre ("sax" -> jazz); most music words hint at nothing.
MUSIC_WORDS: Mapping[str, tuple[str, ...]] = {
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
REQUEST_WORDS: tuple[str, ...] = (
    "play", "playing", "recommend", "recommendations", "suggest", "suggestions", "queue",
    "shuffle", "put on", "blast", "crank", "spin", "curate", "curated",
)  # fmt: skip


def decade_terms() -> dict[str, Term]:
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

"""Regional and language scenes: which catalogue labels make one, which words ask for it.

The bundled dataset (114 genres x 1,000 tracks, collected by genre from Spotify) has a
few dozen labels that name a place or a language rather than a sound.  An artist whose
tracks mostly carry such a label (or whose titles are in that language) belongs to that
*scene*, whatever other label one of their tracks also has: Sertab Erener under "jazz"
is Turkish pop, AP Dhillon under "hip-hop" is Punjabi (Indian) pop.  The ranking keeps
a scene out of a playlist unless the request asks for it; the prompt reader and the
ranking share these names.

How the list was decided, from the 114 genres:

* Language or country labels are scenes: turkish, indian (with pop-film, Bollywood and
  other Indian film music), iranian, malay (Malaysian and Indonesian pop: the dataset's
  "malay" holds both), brazil (brazil, mpb, sertanejo, pagode, forro, samba: all
  Portuguese-language Brazilian music), k-pop, j-pop (j-pop, j-rock, j-idol, j-dance and
  anime: Japanese-language music), mandopop, cantopop, french, german, swedish, spanish.
* latin (latin, latino, reggaeton, salsa, tango) is a scene too: Spanish-language music
  from the Americas, heard as its own world by a listener who asked for "r&b" or "pop".
* Not scenes: "british" (English-language rock and pop, what most prompts expect),
  "world-music" (mostly Christian worship in English), afrobeat, dancehall and reggae
  (genres heard worldwide, asked for by name), "party" and "romance" (German Schlager
  and Russian romance: named after moods, handled by the vocabulary as such).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Scene -> the catalogue genres that mark it.  The scene's name is its main label.
SCENE_LABELS: Mapping[str, tuple[str, ...]] = {
    "turkish": ("turkish",),
    "indian": ("indian", "pop-film"),
    "iranian": ("iranian",),
    "malay": ("malay",),
    "brazil": ("brazil", "mpb", "sertanejo", "pagode", "forro", "samba"),
    "k-pop": ("k-pop",),
    "j-pop": ("j-pop", "j-rock", "j-idol", "j-dance", "anime"),
    "mandopop": ("mandopop",),
    "cantopop": ("cantopop",),
    "french": ("french",),
    "german": ("german",),
    "swedish": ("swedish",),
    "spanish": ("spanish",),
    "latin": ("latin", "latino", "reggaeton", "salsa", "tango"),
}
SCENES: tuple[str, ...] = tuple(SCENE_LABELS)

# The region words of ``genre_phrases.REGION_PHRASES`` (and a few more people write)
# that ask for each scene.
SCENE_REGIONS: Mapping[str, tuple[str, ...]] = {
    "turkish": ("turkish",),
    "indian": ("indian", "hindi", "bollywood", "punjabi", "tamil"),
    "iranian": ("iranian", "persian"),
    "malay": ("malay", "malaysian", "indonesian"),
    "brazil": ("brazil", "brazilian"),
    "k-pop": ("korean",),
    "j-pop": ("japanese",),
    "mandopop": ("chinese", "mandarin", "taiwanese"),
    "cantopop": ("chinese", "cantonese"),
    "french": ("french",),
    "german": ("german",),
    "swedish": ("swedish",),
    "spanish": ("spanish",),
    "latin": ("mexican", "colombian", "cuban", "argentinian", "latin", "latino"),
}

_SCENE_OF_LABEL: dict[str, str] = {label: scene for scene, labels in SCENE_LABELS.items() for label in labels}


def scene_of_genre(genre: str) -> str | None:
    """The scene a catalogue genre marks ("pop-film" -> "indian"), None for a sound genre."""
    return _SCENE_OF_LABEL.get(genre)


def scenes_of_genres(genres: Iterable[str]) -> frozenset[str]:
    """The scenes a set of asked catalogue genres asks for ("samba", "rock" -> {"brazil"})."""
    return frozenset(s for s in (scene_of_genre(g) for g in genres) if s is not None)


def scenes_of_region(word: str) -> tuple[str, ...]:
    """The scenes a region word asks for ("chinese" -> mandopop, cantopop)."""
    return tuple(scene for scene, words in SCENE_REGIONS.items() if word in words)

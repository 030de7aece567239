"""The evaluation set of ``tests/bench/relevance.py``: prompts as a new user types them.

Written by hand, as a careful listener would judge each prompt; nothing here is read
from the bot.  For every prompt:

* ``genres``: the dataset labels the prompt asks for (``track_genre`` values of
  ``spotify_tracks.csv``).  The feature percentiles are taken within the dataset's
  tracks carrying one of them (the whole dataset when empty), and artist coherence is
  judged against them and their close labels (``CLOSE`` in relevance.py).
* ``features``: the audio features the prompt implies, each toward ``"high"`` or
  ``"low"`` (energy, valence, danceability, acousticness, instrumentalness, tempo).
* ``scenes``: the regional/language scenes the prompt asks for (``SCENES`` in
  relevance.py); empty means none is asked, so every scene is unasked.
* ``expect``: what must be true for a named artist or an era (``Expect``).

Refinements name one feature (or ``popularity``) and the direction the feedback asks;
the refined playlist's median of it must move that way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Expect:
    """One expectation about the artists of a playlist.

    ``kind``:
    * ``"deep_cuts"``: ``artist`` has at least ``min_tracks`` tracks (fewer when the
      catalogue has fewer) and their median popularity is below the median of the
      artist's tracks in the dataset;
    * ``"includes"``: ``artist`` has at least ``min_tracks`` tracks (or all the
      catalogue has);
    * ``"like"``: a playlist is made, ``artist`` has at most 3 of its tracks, and the
      rest is by other artists;
    * ``"era"``: at least ``min_share`` of the tracks are by ``artists`` and none by
      ``avoid``;
    * ``"missing"``: ``artist`` is not in the catalogue, and the answer (the refusal or
      the playlist's note) names it.
    """

    kind: str
    artist: str = ""
    artists: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    min_tracks: int = 1
    min_share: float = 0.0


@dataclass(frozen=True)
class Case:
    """One prompt and what a listener expects of it."""

    name: str
    prompt: str
    genres: tuple[str, ...]
    features: tuple[tuple[str, str], ...] = ()
    scenes: tuple[str, ...] = ()
    expect: tuple[Expect, ...] = ()
    group: str = "mood"


@dataclass(frozen=True)
class Refinement:
    """A prompt, the feedback a user gives on its playlist, and the move it asks for."""

    name: str
    prompt: str
    feedback: str
    feature: str
    direction: str  # "high" (up) or "low" (down)
    genres: tuple[str, ...]  # the prompt's; the refined playlist must keep them
    scenes: tuple[str, ...] = ()


HIGH, LOW = "high", "low"

# The 1990s hip-hop artists the catalogue holds (checked against the dataset), and the
# ones the issue saw instead.
NINETIES_HIP_HOP = (
    "Nas", "The Notorious B.I.G.", "2Pac", "Wu-Tang Clan", "Dr. Dre", "Snoop Dogg",
    "Mobb Deep", "A Tribe Called Quest", "Gang Starr", "Ice Cube", "DMX", "Method Man",
    "Cypress Hill", "Coolio", "Busta Rhymes", "Bone Thugs-N-Harmony", "JAY-Z", "Warren G",
    "Nate Dogg", "Naughty By Nature", "House Of Pain", "The Pharcyde", "Lil' Kim",
    "Eazy-E", "N.W.A.", "Big Pun", "Mase", "Puff Daddy", "Missy Elliott", "Redman",
    "Xzibit", "Ol' Dirty Bastard", "Ghostface Killah", "Raekwon", "GZA", "Mos Def",
    "Talib Kweli", "Black Star", "Common", "The Roots", "Dj Quik", "Onyx", "Das EFX",
    "EPMD", "KRS-One", "Big L", "Pete Rock & C.L. Smooth", "Souls Of Mischief",
)

CASES: tuple[Case, ...] = (
    # --- the gap's own prompts (issue 17) ---------------------------------------------
    Case("jazz_study", "relaxing jazz for studying", ("jazz",), (("energy", LOW),), group="gap"),
    Case("soul_dinner", "soul and r&b for a dinner party", ("soul", "r-n-b"),
         (("energy", LOW),), group="gap"),
    Case("hiphop_workout", "hip hop workout mix", ("hip-hop",),
         (("energy", HIGH), ("danceability", HIGH)), group="gap"),
    Case("classical_sleep", "calm classical music for falling asleep", ("classical",),
         (("energy", LOW), ("instrumentalness", HIGH), ("acousticness", HIGH)), group="gap"),
    Case("deep_focus", "instrumental music for deep focus", ("ambient", "classical", "piano", "study"),
         (("instrumentalness", HIGH), ("energy", LOW)), group="gap"),
    Case("code_electronic", "chill electronic music to code to", ("electronic", "chill"),
         (("energy", LOW), ("instrumentalness", HIGH)), group="gap"),
    Case("techno_rave", "techno for a warehouse rave", ("techno", "minimal-techno", "detroit-techno"),
         (("energy", HIGH), ("instrumentalness", HIGH), ("danceability", HIGH)), group="gap"),
    Case("taylor_deep", "Taylor Swift deep cuts", ("pop", "country", "singer-songwriter", "folk"),
         expect=(Expect("deep_cuts", artist="Taylor Swift", min_tracks=2),), group="artist"),
    Case("like_radiohead", "songs like Radiohead's OK Computer", ("alt-rock", "alternative"),
         expect=(Expect("like", artist="Radiohead"),), group="artist"),
    Case("nineties_hiphop", "90s hip hop classics", ("hip-hop",),
         expect=(Expect("era", artists=NINETIES_HIP_HOP, min_share=0.5,
                        avoid=("Kendrick Lamar", "AP Dhillon", "Masked Wolf")),), group="era"),
    # --- moods and activities --------------------------------------------------------
    Case("pop_workout", "upbeat pop songs for a workout", ("pop",),
         (("energy", HIGH), ("tempo", HIGH), ("valence", HIGH))),
    Case("party_dance", "party music to get everyone dancing", ("dance", "pop"),
         (("danceability", HIGH), ("energy", HIGH))),
    Case("sad_rainy", "sad acoustic songs for a rainy day", ("acoustic", "singer-songwriter", "folk"),
         (("valence", LOW), ("acousticness", HIGH), ("energy", LOW))),
    Case("happy_morning", "happy songs for a sunny morning", (),
         (("valence", HIGH), ("energy", HIGH))),
    Case("rock_roadtrip", "road trip rock anthems", ("rock", "alt-rock", "hard-rock"),
         (("energy", HIGH),)),
    Case("indie_late", "melancholic indie for late nights", ("indie", "indie-pop", "alternative"),
         (("valence", LOW), ("energy", LOW))),
    Case("metal_gym", "gym motivation metal", ("metal", "heavy-metal"),
         (("energy", HIGH), ("tempo", HIGH))),
    Case("folk_sunday", "acoustic folk for a sunday morning", ("folk", "acoustic"),
         (("acousticness", HIGH), ("energy", LOW))),
    Case("jazz_romantic", "romantic dinner jazz", ("jazz",), (("energy", LOW),)),
    Case("house_pool", "house music for a summer pool party", ("house", "deep-house"),
         (("danceability", HIGH), ("valence", HIGH))),
    Case("lofi_study", "lofi beats to study to", ("study", "chill"),
         (("instrumentalness", HIGH), ("energy", LOW))),
    Case("dnb_running", "energetic drum and bass for running", ("drum-and-bass",),
         (("energy", HIGH), ("tempo", HIGH))),
    Case("ambient_meditation", "ambient music for meditation", ("ambient", "new-age"),
         (("energy", LOW), ("instrumentalness", HIGH))),
    Case("country_roadtrip", "country songs for a road trip", ("country",),
         (("energy", HIGH), ("valence", HIGH))),
    Case("funk_disco", "feel-good funk and disco", ("funk", "disco"),
         (("danceability", HIGH), ("valence", HIGH))),
    Case("punk_angry", "angry punk rock", ("punk", "punk-rock"), (("energy", HIGH), ("valence", LOW))),
    Case("blues_evening", "slow blues for a quiet evening", ("blues",),
         (("energy", LOW), ("tempo", LOW))),
    Case("reggae_beach", "reggae vibes for the beach", ("reggae",),
         (("valence", HIGH), ("danceability", HIGH))),
    Case("piano_cry", "piano ballads to cry to", ("piano",),
         (("valence", LOW), ("energy", LOW), ("acousticness", HIGH))),
    # --- eras -------------------------------------------------------------------------
    Case("synthpop_80s", "80s synth pop to dance to", ("synth-pop",), (("danceability", HIGH),),
         group="era"),
    Case("classic_rock_70s", "classic rock from the 70s", ("rock", "hard-rock", "psych-rock", "rock-n-roll"),
         group="era"),
    # --- scenes asked explicitly --------------------------------------------------------
    Case("turkish_pop", "turkish pop", ("turkish",), scenes=("turkish",), group="scene"),
    Case("bollywood", "bollywood songs", ("indian", "pop-film"), scenes=("indian",), group="scene"),
    Case("kpop_dance", "k-pop for dancing", ("k-pop",), (("danceability", HIGH),),
         scenes=("korean",), group="scene"),
    Case("brazil_funk", "brazilian funk for a party", ("funk", "brazil"),
         (("danceability", HIGH),), scenes=("brazilian",), group="scene"),
    Case("reggaeton_party", "reggaeton party hits", ("reggaeton", "latino", "latin"),
         (("danceability", HIGH),), scenes=("latin",), group="scene"),
    Case("french_cafe", "french chanson for a cafe", ("french",), (("energy", LOW),),
         scenes=("french",), group="scene"),
    Case("jrock_pumped", "j-rock to get pumped", ("j-rock",), (("energy", HIGH),),
         scenes=("japanese",), group="scene"),
    # --- named artists ------------------------------------------------------------------
    Case("songs_by_nas", "songs by nas", ("hip-hop", "hardcore"),
         expect=(Expect("includes", artist="Nas", min_tracks=2),), group="artist"),
    Case("like_daft_punk", "something like Daft Punk", ("electro", "house", "electronic"),
         expect=(Expect("like", artist="Daft Punk"),), group="artist"),
    Case("billie_night", "Billie Eilish vibes for a late night drive", ("electro", "pop"),
         (("energy", LOW),), expect=(Expect("like", artist="Billie Eilish"),), group="artist"),
    Case("missing_beastie", "songs by Beastie Boys", ("hip-hop",),
         expect=(Expect("missing", artist="Beastie Boys"),), group="artist"),
)

REFINEMENTS: tuple[Refinement, ...] = (
    Refinement("jazz_no_vocals", "relaxing jazz for studying",
               "no vocals please, only instrumental tracks", "instrumentalness", HIGH, ("jazz",)),
    Refinement("hiphop_danceable", "hip hop for a party", "more danceable", "danceability", HIGH,
               ("hip-hop",)),
    Refinement("pop_slower", "upbeat pop songs for a workout", "slower", "tempo", LOW, ("pop",)),
    Refinement("indie_sadder", "indie rock for a road trip", "sadder", "valence", LOW,
               ("indie", "alt-rock", "rock")),
    Refinement("pop_acoustic", "chill pop for the evening", "more acoustic", "acousticness", HIGH,
               ("pop",)),
    Refinement("rock_underground", "rock classics", "less mainstream", "popularity", LOW, ("rock",)),
    Refinement("jazz_energetic", "smooth jazz for dinner", "more energetic, no ballads", "energy", HIGH,
               ("jazz",)),
    Refinement("electronic_happier", "electronic music for focus", "happier please", "valence", HIGH,
               ("electronic",)),
    Refinement("piano_calmer", "calm piano music", "even calmer", "energy", LOW, ("piano", "classical")),
    Refinement("house_faster", "house music for a party", "faster", "tempo", HIGH, ("house",)),
    Refinement("country_hits", "country songs", "more mainstream hits", "popularity", HIGH,
               ("country",)),
)

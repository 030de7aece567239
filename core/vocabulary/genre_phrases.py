"""Genre and region phrases as people write them, mapped to catalogue genres."""

from __future__ import annotations

from collections.abc import Mapping

# --- genres: phrase -> catalogue genres ------------------------------------------------
# Catalogue names that are everyday words ("happy", "sad", "party", "sleep", "study",
# "chill", "romance", "club", "groove") are deliberately absent: they are moods or
# activities, which then point at sensible genres.
GENRE_PHRASES: Mapping[str, tuple[str, ...]] = {
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
REGION_PHRASES: Mapping[str, tuple[str, ...]] = {
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

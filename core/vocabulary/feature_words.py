"""Words that imply audio-feature targets beyond energy and valence (``core.targets``).

``FEATURE_PHRASES`` name a feature outright ("instrumental", "no vocals", "acoustic",
"danceable", "slow"): a strong target.  ``TERM_TARGETS`` add the features a mood or an
activity of ``moods_and_activities`` implies, keyed by its term key (focus wants
instrumental music, a party danceable music, the gym a quick tempo, sleep a slow,
quiet, acoustic one).  Each entry is (feature, value, strength); tempo is in BPM.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.targets import TargetFeature

FeatureGoal = tuple[TargetFeature, float, float]

_INSTRUMENTAL: tuple[FeatureGoal, ...] = (("instrumentalness", 0.8, 0.9),)
_ACOUSTIC: tuple[FeatureGoal, ...] = (("acousticness", 0.75, 0.8),)
_DANCEABLE: tuple[FeatureGoal, ...] = (("danceability", 0.75, 0.8),)
_SLOW: tuple[FeatureGoal, ...] = (("tempo", 95.0, 0.6),)
_FAST: tuple[FeatureGoal, ...] = (("tempo", 135.0, 0.6),)
_VOCAL: tuple[FeatureGoal, ...] = (("instrumentalness", 0.05, 0.7),)

# Phrases (normalised words) that name a feature; matched as whole words.
FEATURE_PHRASES: Mapping[str, tuple[FeatureGoal, ...]] = {
    "instrumental": _INSTRUMENTAL, "instrumentals": _INSTRUMENTAL, "no vocals": _INSTRUMENTAL,
    "without vocals": _INSTRUMENTAL, "no singing": _INSTRUMENTAL, "no lyrics": _INSTRUMENTAL,
    "without lyrics": _INSTRUMENTAL, "wordless": _INSTRUMENTAL, "no words": _INSTRUMENTAL,
    "vocals": _VOCAL, "with lyrics": _VOCAL, "sung": _VOCAL, "singalong": _VOCAL,
    "acoustic": _ACOUSTIC, "unplugged": _ACOUSTIC,
    "danceable": _DANCEABLE, "dancey": _DANCEABLE, "dancy": _DANCEABLE,
    "slow": _SLOW, "slower": _SLOW, "slow it down": _SLOW,
    "fast": _FAST, "faster": _FAST, "uptempo": _FAST, "up tempo": _FAST, "quicker": _FAST,
}  # fmt: skip

# What an activity or mood implies besides energy and valence (by term key).
TERM_TARGETS: Mapping[str, tuple[FeatureGoal, ...]] = {
    "studying": (("instrumentalness", 0.6, 0.5),),
    "focus": (("instrumentalness", 0.7, 0.6),),
    "coding": (("instrumentalness", 0.5, 0.4),),
    "reading": (("instrumentalness", 0.6, 0.5),),
    "writing": (("instrumentalness", 0.6, 0.5),),
    "sleep": (("instrumentalness", 0.6, 0.5), ("acousticness", 0.7, 0.4), ("tempo", 90.0, 0.3)),
    "meditation": (("instrumentalness", 0.7, 0.5), ("acousticness", 0.6, 0.3)),
    "yoga": (("instrumentalness", 0.5, 0.3),),
    "workout": (("tempo", 125.0, 0.5), ("danceability", 0.65, 0.55)),
    "gym": (("tempo", 125.0, 0.5), ("danceability", 0.65, 0.4)),
    "running": (("tempo", 140.0, 0.6),),
    "cycling": (("tempo", 130.0, 0.5),),
    "party": (("danceability", 0.7, 0.6),),
    "house party": (("danceability", 0.7, 0.6),),
    "pool party": (("danceability", 0.7, 0.6),),
    "club": (("danceability", 0.72, 0.6), ("instrumentalness", 0.6, 0.6)),
    "sad": (("acousticness", 0.6, 0.4),),
    "ballad": (("acousticness", 0.6, 0.5),),
    "happy": (("danceability", 0.65, 0.45),),
    "upbeat": (("danceability", 0.65, 0.4),),
    "summery": (("danceability", 0.65, 0.5),),
    "beach": (("danceability", 0.65, 0.55),),
    "barbecue": (("danceability", 0.65, 0.45),),
    "dancing": (("danceability", 0.75, 0.7),),
    "getting ready": (("danceability", 0.68, 0.5),),
    "danceable": _DANCEABLE,
    "groovy": (("danceability", 0.7, 0.5),),
    "campfire": (("acousticness", 0.7, 0.5),),
    "mellow": (("tempo", 100.0, 0.3),),
    "energetic": (("tempo", 125.0, 0.3),),
}  # fmt: skip

# Words that make a request's feature clearer ("very calm").
INTENSIFIERS: frozenset[str] = frozenset(
    {"very", "really", "super", "extremely", "totally", "only", "purely", "just", "deep"}
)

# How listeners ask for familiar or unfamiliar tracks.
DEEP_PHRASES: tuple[str, ...] = (
    "deep cuts", "deep cut", "b sides", "hidden gems", "lesser known", "less known",
    "underrated", "obscure", "less mainstream", "not mainstream", "less popular",
    "underground", "rarities",
)  # fmt: skip
POPULAR_PHRASES: tuple[str, ...] = (
    "greatest hits", "biggest hits", "top hits", "the hits", "classics", "most popular",
    "more mainstream", "more popular", "best known", "best of", "essentials", "anthems",
)  # fmt: skip

# Activities whose playlist follows a shaped arc (``core.arc``).
ARC_BY_TERM: Mapping[str, str] = {
    "workout": "workout", "gym": "workout", "running": "workout", "cycling": "workout",
    "party": "party", "house party": "party", "pool party": "party", "club": "party",
    "dancing": "party", "getting ready": "party",
    "sleep": "wind-down", "meditation": "wind-down", "studying": "wind-down",
    "focus": "wind-down", "reading": "wind-down", "writing": "wind-down", "yoga": "wind-down",
}  # fmt: skip

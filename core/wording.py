"""Every sentence the conversation layer says, in one place.

Front ends format these (bold, links, buttons) but write no sentence of their own,
so a wording changes once and a translation (gettext, later) has one catalogue.
"""

from __future__ import annotations

HELP = """\
Commands:
  /playlist <prompt> [count]   make a playlist, e.g. /playlist relaxing jazz for studying 20
  /refine <feedback>           change your latest playlist, e.g. /refine more energetic, no ballads
  /profile                     show your taste profile
  /profile set key=value ...   genres=jazz,soul artists="Nina Simone" disliked=Nickelback
                               energy=0.4 discovery=popular|balanced|deep explicit=yes|no
  /profile reset               forget your taste profile
  /limits                      playlists and refinements left today
  /status                      health of the model, the catalogue and the database
  /help                        this text
Anything else you type is taken as a playlist prompt."""

LINK_HELP = """
  /link                        connect your Spotify account (the link comes privately)
  /save [number]               put your latest playlist (or that one) in your Spotify
  /taste                       import your top artists and genres into your profile
  /unlink                      disconnect your Spotify account"""

# --- the one error policy -------------------------------------------------------------
SORRY = "Something went wrong on our side; nothing was charged. Please try again."
RESTARTING = (
    "EchoTuner is restarting, so this was stopped; nothing was charged. Please try again in a minute."
)


def undelivered(platform: str) -> str:
    """The chat refused our answer: nothing was charged."""
    return f"{platform} didn't take my answer, so nothing was charged. Please send it again."


# Telegram or Discord failed mid-answer: the work may have been done (and counted).
DELIVERY_FAULT = "Something went wrong on our side while answering. Please try again."

# --- commands ---------------------------------------------------------------------------
EMPTY_LINE = "Type a prompt, or /help."
PROFILE_USAGE = "Use /profile, /profile set key=value ..., or /profile reset."
PROFILE_NOTHING_TO_CHANGE = "Give at least one option to change, e.g. genres:jazz, soul."
SAVE_USAGE = "Use /save, or /save <playlist number>."


def unknown_command(command: str) -> str:
    return f"Unknown command /{command[:30]}. Type /help."


PROFILE_SHOWN = "Your taste profile"
PROFILE_SAVED = "Profile saved"
PROFILE_RESET = "Profile reset"
TASTE_IMPORTED = "Imported from Spotify"

# --- buttons ----------------------------------------------------------------------------
BUTTON_EXPIRED = "This button has expired. Make a new playlist with /playlist."
NOT_YOUR_PLAYLIST = "That's not your playlist: make your own with /playlist."
WORKING = "⏳ Working on it…"
REFINING = "⏳ Refining…"
REGENERATING = "⏳ Regenerating…"

# --- Spotify accounts -------------------------------------------------------------------
SPOTIFY_NOT_SET_UP = (
    "Spotify accounts aren't set up on this bot. Every playlist still comes with Spotify "
    "links and its spotify:track: lines (Show URIs) to paste into Spotify's desktop app."
)
SAVE_NOT_SET_UP = (
    "Saving to Spotify isn't set up on this bot. Paste these into a playlist in the Spotify "
    "desktop app instead:"
)
LINK_PRIVATE_ONLY = (
    "For your safety, sign-in links only go to private chats: send me /link directly."
)
LINK_LABEL = "Open Spotify to link"
LINK_SENT_BY_DM = "I've sent you a direct message with the link."
LINK_DMS_CLOSED = "Your direct messages are closed, so here is your link (only you can see it)."
UNLINKED = "Your Spotify account is unlinked; its tokens are deleted."
NOTHING_TO_UNLINK = "No Spotify account was linked."
# The page the browser lands on after Spotify's sign-in (the web side's OAuth callback).
SIGN_IN_FAILED = (
    "Something went wrong on our side, so nothing was linked. Send /link in the chat to try again."
)


def sign_in_limited(minutes: int) -> str:
    """Too many failed sign-ins from one address: when the next one may come."""
    return (f"Too many sign-in attempts from your address. Try again in {minutes} "
            f"minute{'s' if minutes != 1 else ''}.")


def link_invitation(minutes: int) -> str:
    """The text beside a sign-in link."""
    return (
        f"Open this link to connect your Spotify account. It works once, for you, within "
        f"{minutes} minutes; I'll tell you here when it's done."
    )


def saved(title: str) -> str:
    return f"Saved {title} to your Spotify."


__all__ = [
    "BUTTON_EXPIRED",
    "DELIVERY_FAULT",
    "EMPTY_LINE",
    "HELP",
    "LINK_DMS_CLOSED",
    "LINK_HELP",
    "LINK_LABEL",
    "LINK_PRIVATE_ONLY",
    "LINK_SENT_BY_DM",
    "NOTHING_TO_UNLINK",
    "NOT_YOUR_PLAYLIST",
    "PROFILE_NOTHING_TO_CHANGE",
    "PROFILE_RESET",
    "PROFILE_SAVED",
    "PROFILE_SHOWN",
    "PROFILE_USAGE",
    "REFINING",
    "REGENERATING",
    "RESTARTING",
    "SAVE_NOT_SET_UP",
    "SAVE_USAGE",
    "SIGN_IN_FAILED",
    "SORRY",
    "SPOTIFY_NOT_SET_UP",
    "TASTE_IMPORTED",
    "UNLINKED",
    "WORKING",
    "link_invitation",
    "saved",
    "sign_in_limited",
    "undelivered",
    "unknown_command",
]

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


# --- Discord ------------------------------------------------------------------------------
# Said when an interaction arrives that the command tree cannot run as registered.
OPTIONS_UNREADABLE = "I couldn't read that command's options; please check them and try again."
COMMAND_CHANGED = "That command has changed; please try again in a minute."
LATE_ANSWER = "This took longer than Discord lets a reply wait, so here it is."
URIS_HINT = "Copy the block, then paste it into a playlist in the Spotify desktop app."
PROFILE_FOOTER = "Change it with /profile set; /profile reset forgets it."
LIMITS_TITLE = "Your limits here"
SETTINGS_FOOTER = "Change with /admin limits; options left out keep their value."
REFINE_FORM_TITLE = "Refine this playlist"
REFINE_FORM_QUESTION = "What should change?"
REFINE_FORM_EXAMPLE = "more energetic, no ballads, add some 80s synth-pop"
BUTTON_REFINE = "Refine"
BUTTON_REGENERATE = "Regenerate"
BUTTON_SAVE = "Save to Spotify"
BUTTON_URIS = "Show URIs"
OPEN_PLAYLIST_PAGE = "Open the playlist page"
PLAYLIST_PAGE_BLURB = "album art, Copy all, Open in Spotify"
UNTITLED_PLAYLIST = "Your playlist"
UNKNOWN_ARTIST = "unknown artist"
THIS_SERVER = "this server"
NEEDS_MANAGE_SERVER = (
    "Only members with the Manage Server permission can change EchoTuner's settings here."
)
SERVER_ONLY = "Server settings can only be changed in a server."
SERVER_APP_NOT_SET_UP = (
    "Spotify accounts are not set up on this bot, so a server app would not be used."
)


def working(stage: str) -> str:
    """A progress line: what the engine is doing now."""
    return f"⏳ Working on it: {stage}…"


def refined_with(feedback: str) -> str:
    return f"Refined with: {feedback}"


def continued(title: str) -> str:
    """The title of the second and later parts of a long playlist."""
    return f"{title} (continued)"


def uris_title(title: str) -> str:
    return f"Spotify URIs: {title}"


def tracks_label(first: int, last: int) -> str:
    return f"Tracks {first}–{last}" if first != last else f"Track {first}"


def draft_footer(
    draft_id: int, version: int, tracks: int, provider: str, catalogue: str, kept_until: str
) -> list[str]:
    """The facts under a playlist, one phrase each (a front end joins them)."""
    parts = [f"Draft {draft_id}"]
    if version > 1:
        parts.append(f"version {version}")
    return [*parts, f"{tracks} tracks", f"planned by {provider}", f"{catalogue} catalogue",
            f"kept until {kept_until} UTC"]


def status_title(ok: bool) -> str:
    return "EchoTuner status: " + ("all good" if ok else "degraded")


def dependency_state(ok: bool) -> str:
    return "✅ ok" if ok else "❌ down"


SETTING_DAILY_PLAYLISTS = "Daily playlists per user"
SETTING_REFINEMENTS = "Refinements per playlist"
SETTING_MAX_SONGS = "Max songs per playlist"
PER_DAY = "per day"
PER_PLAYLIST = "per playlist"


def limit_state(enabled: bool, value: int, unit: str) -> str:
    """One limit as an admin sees it: ``10 per day``, or what it would be when switched on."""
    return f"{value} {unit}" if enabled else f"off ({value} {unit} when switched on)"


def settings_title(where: str, saved: bool) -> str:
    return f"Limits for {where}" + (" (saved)" if saved else "")


def server_app_saved(where: str, client_id_end: str) -> str:
    """An admin set their server's own Spotify app; ``client_id_end`` is its id's last characters."""
    return (
        f"Saved. Spotify links made in {where} now use the app whose client ID ends in "
        f"…{client_id_end}."
    )


__all__ = [
    "BUTTON_EXPIRED",
    "BUTTON_REFINE",
    "BUTTON_REGENERATE",
    "BUTTON_SAVE",
    "BUTTON_URIS",
    "COMMAND_CHANGED",
    "DELIVERY_FAULT",
    "EMPTY_LINE",
    "HELP",
    "LATE_ANSWER",
    "LIMITS_TITLE",
    "LINK_DMS_CLOSED",
    "LINK_HELP",
    "LINK_LABEL",
    "LINK_PRIVATE_ONLY",
    "LINK_SENT_BY_DM",
    "NEEDS_MANAGE_SERVER",
    "NOTHING_TO_UNLINK",
    "NOT_YOUR_PLAYLIST",
    "OPEN_PLAYLIST_PAGE",
    "OPTIONS_UNREADABLE",
    "PER_DAY",
    "PER_PLAYLIST",
    "PLAYLIST_PAGE_BLURB",
    "PROFILE_FOOTER",
    "PROFILE_NOTHING_TO_CHANGE",
    "PROFILE_RESET",
    "PROFILE_SAVED",
    "PROFILE_SHOWN",
    "PROFILE_USAGE",
    "REFINE_FORM_EXAMPLE",
    "REFINE_FORM_QUESTION",
    "REFINE_FORM_TITLE",
    "REFINING",
    "REGENERATING",
    "RESTARTING",
    "SAVE_NOT_SET_UP",
    "SAVE_USAGE",
    "SERVER_APP_NOT_SET_UP",
    "SERVER_ONLY",
    "SETTINGS_FOOTER",
    "SETTING_DAILY_PLAYLISTS",
    "SETTING_MAX_SONGS",
    "SETTING_REFINEMENTS",
    "SIGN_IN_FAILED",
    "SORRY",
    "SPOTIFY_NOT_SET_UP",
    "TASTE_IMPORTED",
    "THIS_SERVER",
    "UNKNOWN_ARTIST",
    "UNLINKED",
    "UNTITLED_PLAYLIST",
    "URIS_HINT",
    "WORKING",
    "continued",
    "dependency_state",
    "draft_footer",
    "limit_state",
    "link_invitation",
    "refined_with",
    "saved",
    "server_app_saved",
    "settings_title",
    "sign_in_limited",
    "status_title",
    "tracks_label",
    "undelivered",
    "unknown_command",
    "uris_title",
    "working",
]

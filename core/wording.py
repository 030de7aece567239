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


# --- Telegram ---------------------------------------------------------------------------
# Telegram's own dialogues (deep links, a group's settings and Spotify app).  Formatting
# (bold, code, links, emoji) is the adapter's; the sentences are here.
#: The command menu chat clients show (command, what it does).
COMMAND_MENU: tuple[tuple[str, str], ...] = (
    ("playlist", "Make a playlist: /playlist <prompt> [count]"),
    ("refine", "Change your latest playlist: /refine <feedback>"),
    ("profile", "Your taste profile (show, set, reset)"),
    ("limits", "Playlists and refinements left today"),
    ("link", "Link your Spotify account (in a private chat)"),
    ("save", "Save your latest playlist to your Spotify"),
    ("taste", "Import your top artists and genres from Spotify"),
    ("unlink", "Unlink your Spotify account"),
    ("status", "Health of the model, catalogue and database"),
    ("help", "What I can do"),
)
SETTINGS_MENU_ENTRY = ("settings", "Group admins: this group's limits and Spotify app")
TELEGRAM_HELP_LINES = (
    "  /settings                    group admins: the group's limits and Spotify app",
    "In groups I answer commands, mentions of me and replies to my questions.",
)
WELCOME = "I turn a sentence into a real Spotify playlist."
WELCOME_EXAMPLE = "/playlist upbeat indie rock for a morning run 15"


def welcome_try(example: str, *, private: bool) -> str:
    """After ``WELCOME``: ``example`` is the example command, formatted by the front end."""
    if private:
        return f"Try {example} or just type what you want to hear."
    return f"Try {example}."


def mention_hint(example: str) -> str:
    """A bare mention of the bot in a group; ``example`` shows a mention with a prompt."""
    return f"Tell me what to play, e.g. {example}."


MENTION_EXAMPLE = "calm jazz for a rainy evening"
DEEP_LINK_EXPIRED = (
    "That link has expired, was already used, or was made for someone else. Ask again in the group."
)
ACCOUNT_LINKS_PRIVATE = (
    "Account links are private: tap the button to continue in a chat with me "
    "(the button works once, for you, for ten minutes)."
)
LINK_PRIVATELY = "Link Spotify privately"
UNLINK_PRIVATELY = "Unlink Spotify privately"
SET_GROUP_APP = "Set the group's Spotify app"
# Telegram lays four buttons in two rows of two: the short label fits a phone's width.
BUTTON_URIS_SHORT = "URIs"
BUTTON_SAVING = "Saving…"
BUTTON_REGENERATING = "Making a fresh version…"
REFINE_PLACEHOLDER = "e.g. more energetic, no ballads"


def refine_question(title: str, who: str = "") -> str:
    """Asks what to change; ``who`` (a group member's name, formatted) is addressed first."""
    return f"{who}, what should change in {title}? Reply to this message." if who else (
        f"What should change in {title}? Reply to this message."
    )


def playlist_page(label: str) -> str:
    """The line under a playlist linking its page; ``label`` is ``PLAYLIST_PAGE_LABEL`` as a link."""
    return f"{label} (covers, Copy all, Open in Spotify)"


PLAYLIST_PAGE_LABEL = "Open the playlist page"


def uris_heading(title: str) -> str:
    return f"{title}: copy these and paste them into a playlist in the Spotify desktop app."


# --- a group's settings -----------------------------------------------------------------
SETTINGS_IN_GROUP_ONLY = (
    "Group settings are changed in the group: send /settings there (you need to be one of "
    "its admins)."
)
SETTINGS_ADMINS_ONLY = "Only this group's admins can change its settings."
SETTINGS_SAVED = "Saved."
SETTINGS_RESET = "Limits reset to the bot's defaults."
THIS_GROUP = "this group"


def settings_heading(where: str) -> str:
    return f"Limits in {where}"


def on_off(on: bool) -> str:
    return "on" if on else "off"


def settings_playlist_limit(on: bool, per_day: int, keys: str) -> str:
    """``keys`` names the settings that change it, formatted by the front end."""
    return f"Daily playlist limit: {on_off(on)}, {per_day} per user ({keys})"


def settings_refinement_limit(on: bool, per_playlist: int, keys: str) -> str:
    return f"Refinement limit: {on_off(on)}, {per_playlist} per playlist ({keys})"


def settings_max_songs(songs: int, key: str) -> str:
    return f"Max songs per playlist: {songs} ({key})"


def settings_how_to_change(example: str, reset: str, spotify: str) -> str:
    """The commands are formatted by the front end."""
    return (
        f"Change with e.g. {example}, {reset}, or {spotify} to give this group its own "
        "Spotify app (in a private chat)."
    )


def setting_not_a_number(key: str, raw: str) -> str:
    return f"{key} must be a whole number, not '{raw[:20]}'."


def setting_not_a_switch(key: str, raw: str) -> str:
    return f"{key} must be on or off, not '{raw[:20]}'."


def unknown_setting(key: str, known: str) -> str:
    return f"Unknown setting '{key[:30]}'. Use {known}."


GROUP_APP_NOT_SET_UP = "Spotify isn't set up on this bot, so a group can't have its own Spotify app yet."
GROUP_APP_ANONYMOUS = (
    "You're posting as the group (anonymous admin), so I can't send you a private link. Turn off "
    "“Remain anonymous” for a moment and send /settings spotify again."
)
GROUP_APP_PRIVATE = (
    "Spotify app credentials are secret: tap the button and send them to me in a private chat "
    "(the button works once, for you, for ten minutes)."
)
NO_LONGER_ADMIN = "You're no longer an admin of that group."


def group_app_question(client_id: str, client_secret: str) -> str:
    """``client_id`` and ``client_secret`` are the two words, formatted by the front end."""
    return (
        f"Reply to this message with the group's Spotify app {client_id} and {client_secret}, "
        "separated by a space. I'll delete your message once I've read it and never show the "
        "secret again."
    )


GROUP_APP_CLIENT_ID = "client id"
GROUP_APP_CLIENT_SECRET = "client secret"
GROUP_APP_MALFORMED = (
    "That doesn't look like a client id and a client secret (two strings of letters and digits, "
    "separated by a space). Send /settings spotify in the group to try again."
)
GROUP_APP_SAVED = (
    "Saved: that group now uses its own Spotify app. (Your message with the secret has been "
    "deleted.)"
)


__all__ = [
    "ACCOUNT_LINKS_PRIVATE",
    "BUTTON_EXPIRED",
    "BUTTON_REFINE",
    "BUTTON_REGENERATE",
    "BUTTON_REGENERATING",
    "BUTTON_SAVE",
    "BUTTON_SAVING",
    "BUTTON_URIS",
    "BUTTON_URIS_SHORT",
    "COMMAND_CHANGED",
    "COMMAND_MENU",
    "DEEP_LINK_EXPIRED",
    "DELIVERY_FAULT",
    "EMPTY_LINE",
    "GROUP_APP_ANONYMOUS",
    "GROUP_APP_CLIENT_ID",
    "GROUP_APP_CLIENT_SECRET",
    "GROUP_APP_MALFORMED",
    "GROUP_APP_NOT_SET_UP",
    "GROUP_APP_PRIVATE",
    "GROUP_APP_SAVED",
    "HELP",
    "LATE_ANSWER",
    "LIMITS_TITLE",
    "LINK_DMS_CLOSED",
    "LINK_HELP",
    "LINK_LABEL",
    "LINK_PRIVATELY",
    "LINK_PRIVATE_ONLY",
    "LINK_SENT_BY_DM",
    "MENTION_EXAMPLE",
    "NEEDS_MANAGE_SERVER",
    "NOTHING_TO_UNLINK",
    "NOT_YOUR_PLAYLIST",
    "NO_LONGER_ADMIN",
    "OPTIONS_UNREADABLE",
    "PER_DAY",
    "PER_PLAYLIST",
    "PLAYLIST_PAGE_BLURB",
    "PLAYLIST_PAGE_LABEL",
    "PROFILE_FOOTER",
    "PROFILE_NOTHING_TO_CHANGE",
    "PROFILE_RESET",
    "PROFILE_SAVED",
    "PROFILE_SHOWN",
    "PROFILE_USAGE",
    "REFINE_FORM_EXAMPLE",
    "REFINE_FORM_QUESTION",
    "REFINE_FORM_TITLE",
    "REFINE_PLACEHOLDER",
    "REFINING",
    "REGENERATING",
    "RESTARTING",
    "SAVE_NOT_SET_UP",
    "SAVE_USAGE",
    "SERVER_APP_NOT_SET_UP",
    "SERVER_ONLY",
    "SETTINGS_ADMINS_ONLY",
    "SETTINGS_FOOTER",
    "SETTINGS_IN_GROUP_ONLY",
    "SETTINGS_MENU_ENTRY",
    "SETTINGS_RESET",
    "SETTINGS_SAVED",
    "SETTING_DAILY_PLAYLISTS",
    "SETTING_MAX_SONGS",
    "SETTING_REFINEMENTS",
    "SET_GROUP_APP",
    "SIGN_IN_FAILED",
    "SORRY",
    "SPOTIFY_NOT_SET_UP",
    "TASTE_IMPORTED",
    "TELEGRAM_HELP_LINES",
    "THIS_GROUP",
    "THIS_SERVER",
    "UNKNOWN_ARTIST",
    "UNLINKED",
    "UNLINK_PRIVATELY",
    "UNTITLED_PLAYLIST",
    "URIS_HINT",
    "WELCOME",
    "WELCOME_EXAMPLE",
    "WORKING",
    "continued",
    "dependency_state",
    "draft_footer",
    "group_app_question",
    "limit_state",
    "link_invitation",
    "mention_hint",
    "on_off",
    "playlist_page",
    "refine_question",
    "refined_with",
    "saved",
    "server_app_saved",
    "setting_not_a_number",
    "setting_not_a_switch",
    "settings_heading",
    "settings_how_to_change",
    "settings_max_songs",
    "settings_playlist_limit",
    "settings_refinement_limit",
    "settings_title",
    "sign_in_limited",
    "status_title",
    "tracks_label",
    "undelivered",
    "unknown_command",
    "unknown_setting",
    "uris_heading",
    "uris_title",
    "welcome_try",
    "working",
]


# --- blend ------------------------------------------------------------------------------
# Playlists made from several members' tastes (/blend); see core/blend_invites.py.
BUTTON_JOIN = "Join"
BUTTON_START = "Start"
BLEND_GROUP_ONLY = "A blend is made with other people: start it in a server channel or a group."
BLEND_OFF = "Blends are switched off here by the admins."
BLEND_MEMBERS_RANGE = "Members per blend must be from 2 to 10."
BLEND_NO_PLAYLISTS_LEFT = (
    "You have no playlists left today, and a blend counts as one of yours. Try again after "
    "the daily reset."
)
BLEND_GONE = "That blend no longer exists; start a new one with /blend."
BLEND_JOINED = "You're in! Your taste profile goes into the mix."
BLEND_JOINED_NO_PROFILE = (
    "You're in! You have no taste profile yet, so you count with a neutral taste. Set your "
    "favourite genres and artists with /profile (for example: /profile set genres=jazz,soul) "
    "before the blend starts."
)
BLEND_NO_PROFILE_NOTICE = (
    "You were added to a blend. You have no taste profile yet, so you count with a neutral "
    "taste; set one with /profile (for example: /profile set genres=jazz,soul) before it starts."
)
BLEND_ALREADY_IN = "You're already in this blend."
BLEND_ALREADY_STARTED = "This blend has already started; join the next one."
BLEND_EXPIRED = "This invitation has expired; start a new blend with /blend."
BLEND_NEEDS_MEMBERS = "Nobody has joined yet: a blend needs at least two people."
BLEND_DEFAULT_OCCASION = "a mix of everyone's favourite music"
BLEND_EXPIRED_NOTICE = "⌛ This blend invitation has expired. Start a new one with /blend."
BLEND_STARTED_NOTICE = "▶️ This blend has started: the playlist is on its way."
BLEND_MENU_ENTRY = ("blend", "One playlist from the tastes of everyone who joins (groups)")
BLEND_HELP = """
  /blend [occasion]            in a group: one playlist from the tastes of everyone who joins"""


def blend_member(number: int) -> str:
    """A member the REST API was given no name for."""
    return f"Member {number}"


def blend_too_many(cap: int) -> str:
    return f"A blend here has at most {cap} members, you included."


def blend_full(cap: int) -> str:
    return f"This blend is full ({cap} members)."


def blend_not_yours(starter: str) -> str:
    """Someone else pressed Start (or another starter-only button)."""
    return f"Only {starter}, who started this blend, can start it."


def blend_invitation(starter: str, occasion: str, minutes: int) -> str:
    """The invitation's first line; ``starter`` and ``occasion`` are formatted by the front end."""
    what = f" for {occasion}" if occasion else ""
    return (
        f"🎛️ {starter} is making a blend{what}: one playlist from everyone's taste. "
        f"Press Join within {minutes} minutes to put yours in it."
    )


def blend_members(names: str, count: int, cap: int) -> str:
    """Who is in so far; ``names`` is formatted by the front end."""
    return f"In so far ({count}/{cap}): {names}"


def blend_left(names: str) -> str:
    """Members who left the group before Start; ``names`` formatted by the front end."""
    return f"Left out, no longer in this group: {names}."


def blend_title(names: list[str]) -> str:
    return "Blend: " + blend_credit(names)


def blend_credit(names: list[str]) -> str:
    """Whose taste a track serves: ``Alice``, ``Alice & Bob``, ``Alice, Bob & Carol``."""
    if len(names) <= 1:
        return names[0] if names else ""
    return ", ".join(names[:-1]) + " & " + names[-1]


def blend_summary(people: int, shared_percent: int) -> str:
    return f"{people} people · {shared_percent}% shared favourites"


SETTING_BLENDS = "Blends"


def blend_state(on: bool, members: int) -> str:
    """Blends as an admin sees them: ``on, up to 10 members``."""
    return f"{on_off(on)}, up to {members} members"


def settings_blends(on: bool, members: int, keys: str) -> str:
    """``keys`` names the settings that change it, formatted by the front end."""
    return f"Blends: {on_off(on)}, up to {members} members ({keys})"


__all__ += [
    "BLEND_ALREADY_IN",
    "BLEND_ALREADY_STARTED",
    "BLEND_DEFAULT_OCCASION",
    "BLEND_EXPIRED",
    "BLEND_EXPIRED_NOTICE",
    "BLEND_GONE",
    "BLEND_GROUP_ONLY",
    "BLEND_HELP",
    "BLEND_JOINED",
    "BLEND_JOINED_NO_PROFILE",
    "BLEND_MEMBERS_RANGE",
    "BLEND_MENU_ENTRY",
    "BLEND_NEEDS_MEMBERS",
    "BLEND_NO_PLAYLISTS_LEFT",
    "BLEND_NO_PROFILE_NOTICE",
    "BLEND_OFF",
    "BLEND_STARTED_NOTICE",
    "BUTTON_JOIN",
    "BUTTON_START",
    "SETTING_BLENDS",
    "blend_credit",
    "blend_full",
    "blend_invitation",
    "blend_left",
    "blend_member",
    "blend_members",
    "blend_not_yours",
    "blend_state",
    "blend_summary",
    "blend_title",
    "blend_too_many",
    "settings_blends",
]

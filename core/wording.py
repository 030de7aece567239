"""Every sentence the bot says, in one place, under gettext.

Front ends format these (bold, links, buttons) but write no sentence of their own, so
a wording changes once and every language has one catalogue (``data/locales``).  The
English text is the message id: ``pybabel extract`` (see the README) collects it into
``data/locales/messages.pot``.

One pattern throughout: a sentence is said in the language of the request being served
(``core.i18n``), so nothing here is a plain ``str`` evaluated at import.  A sentence
without placeholders is a ``Message`` constant, said by calling it (``SORRY()``); one with
placeholders is a function whose ``{name}`` placeholders are filled after translation
(``saved(title)``); counts go through ``ngettext`` and numbers through ``number``.  A
front end that passes formatted parts (bold, links) passes them as the placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.i18n import Message, ngettext, number
from core.i18n import gettext as _

# TRANSLATORS: keep the commands, option names (genres=, energy=...) and their values as they
# are (people type them); translate the explanations and keep the columns aligned.
HELP = Message("""\
Commands:
  /playlist <prompt> [count]   make a playlist, e.g. /playlist relaxing jazz for studying 20
  /refine <feedback>           change your latest playlist, e.g. /refine more energetic, no ballads
  /profile                     show your taste profile
  /profile set key=value ...   genres=jazz,soul artists="Nina Simone" disliked=Nickelback
                               energy=0.4 discovery=popular|balanced|deep explicit=yes|no
                               language=en|es|pt_BR|fr|de|it|ru|uk|tr|id|hi|ja|ko|zh_Hans|ar
  /profile reset               forget your taste profile
  /limits                      playlists and refinements left today
  /status                      health of the model, the catalogue and the database
  /help                        this text
Anything else you type is taken as a playlist prompt.""")

# TRANSLATORS: as HELP: commands stay, explanations are translated, columns aligned.
LINK_HELP = Message("""
  /link                        connect your Spotify account (the link comes privately)
  /save [number]               put your latest playlist (or that one) in your Spotify
  /taste                       import your top artists and genres into your profile
  /unlink                      disconnect your Spotify account""")

# --- the one error policy -------------------------------------------------------------
SORRY = Message("Something went wrong on our side; nothing was charged. Please try again.")
RESTARTING = Message(
    "EchoTuner is restarting, so this was stopped; nothing was charged. Please try again in a minute."
)


def undelivered(platform: str) -> str:
    """The chat refused our answer: nothing was charged."""
    return _("{platform} didn't take my answer, so nothing was charged. Please send it again.").format(
        platform=platform)


# Telegram or Discord failed mid-answer: the work may have been done (and counted).
DELIVERY_FAULT = Message("Something went wrong on our side while answering. Please try again.")

# --- commands ---------------------------------------------------------------------------
EMPTY_LINE = Message("Type a prompt, or /help.")
PROFILE_USAGE = Message("Use /profile, /profile set key=value ..., or /profile reset.")
PROFILE_NOTHING_TO_CHANGE = Message("Give at least one option to change, e.g. genres:jazz, soul.")
SAVE_USAGE = Message("Use /save, or /save <playlist number>.")


def unknown_command(command: str) -> str:
    return _("Unknown command /{command}. Type /help.").format(command=command[:30])


PROFILE_SHOWN = Message("Your taste profile")
PROFILE_SAVED = Message("Profile saved")
PROFILE_RESET = Message("Profile reset")
TASTE_IMPORTED = Message("Imported from Spotify")

# --- buttons ----------------------------------------------------------------------------
BUTTON_EXPIRED = Message("This button has expired. Make a new playlist with /playlist.")
NOT_YOUR_PLAYLIST = Message("That's not your playlist: make your own with /playlist.")
WORKING = Message("⏳ Working on it…")
REFINING = Message("⏳ Refining…")
REGENERATING = Message("⏳ Regenerating…")

# --- Spotify accounts -------------------------------------------------------------------
SPOTIFY_NOT_SET_UP = Message(
    "Spotify accounts aren't set up on this bot. Every playlist still comes with Spotify "
    "links and its spotify:track: lines (Show URIs) to paste into Spotify's desktop app."
)
SAVE_NOT_SET_UP = Message(
    "Saving to Spotify isn't set up on this bot. Paste these into a playlist in the Spotify "
    "desktop app instead:"
)
LINK_PRIVATE_ONLY = Message(
    "For your safety, sign-in links only go to private chats: send me /link directly."
)
LINK_LABEL = Message("Open Spotify to link")
LINK_SENT_BY_DM = Message("I've sent you a direct message with the link.")
LINK_DMS_CLOSED = Message("Your direct messages are closed, so here is your link (only you can see it).")
UNLINKED = Message("Your Spotify account is unlinked; its tokens are deleted.")
NOTHING_TO_UNLINK = Message("No Spotify account was linked.")
# The page the browser lands on after Spotify's sign-in (the web side's OAuth callback).
SIGN_IN_FAILED = Message(
    "Something went wrong on our side, so nothing was linked. Send /link in the chat to try again."
)


def sign_in_limited(minutes: int) -> str:
    """Too many failed sign-ins from one address: when the next one may come."""
    return ngettext(
        "Too many sign-in attempts from your address. Try again in {minutes} minute.",
        "Too many sign-in attempts from your address. Try again in {minutes} minutes.",
        minutes,
    ).format(minutes=number(minutes))


def link_invitation(minutes: int) -> str:
    """The text beside a sign-in link."""
    return ngettext(
        "Open this link to connect your Spotify account. It works once, for you, within "
        "{minutes} minute; I'll tell you here when it's done.",
        "Open this link to connect your Spotify account. It works once, for you, within "
        "{minutes} minutes; I'll tell you here when it's done.",
        minutes,
    ).format(minutes=number(minutes))


def saved(title: str) -> str:
    return _("Saved {title} to your Spotify.").format(title=title)


# --- Discord ------------------------------------------------------------------------------
# Said when an interaction arrives that the command tree cannot run as registered.
OPTIONS_UNREADABLE = Message("I couldn't read that command's options; please check them and try again.")
COMMAND_CHANGED = Message("That command has changed; please try again in a minute.")
LATE_ANSWER = Message("This took longer than Discord lets a reply wait, so here it is.")
URIS_HINT = Message("Copy the block, then paste it into a playlist in the Spotify desktop app.")
PROFILE_FOOTER = Message("Change it with /profile set; /profile reset forgets it.")
LIMITS_TITLE = Message("Your limits here")
SETTINGS_FOOTER = Message("Change with /admin limits; options left out keep their value.")
REFINE_FORM_TITLE = Message("Refine this playlist")
REFINE_FORM_QUESTION = Message("What should change?")
REFINE_FORM_EXAMPLE = Message("more energetic, no ballads, add some 80s synth-pop")
# TRANSLATORS: button labels: short (a phone shows two side by side).
BUTTON_REFINE = Message("Refine")
BUTTON_REGENERATE = Message("Regenerate")
BUTTON_SAVE = Message("Save to Spotify")
BUTTON_URIS = Message("Show URIs")
PLAYLIST_PAGE_BLURB = Message("album art, Copy all, Open in Spotify")
UNTITLED_PLAYLIST = Message("Your playlist")
UNKNOWN_ARTIST = Message("unknown artist")
THIS_SERVER = Message("this server")
NEEDS_MANAGE_SERVER = Message(
    "Only members with the Manage Server permission can change EchoTuner's settings here."
)
SERVER_ONLY = Message("Server settings can only be changed in a server.")
SERVER_APP_NOT_SET_UP = Message(
    "Spotify accounts are not set up on this bot, so a server app would not be used."
)


def working(stage: str) -> str:
    """A progress line: what the engine is doing now (``stage`` is ``progress_stage``'s)."""
    return _("⏳ Working on it: {stage}…").format(stage=stage)


def refined_with(feedback: str) -> str:
    return _("Refined with: {feedback}").format(feedback=feedback)


def continued(title: str) -> str:
    """The title of the second and later parts of a long playlist."""
    return _("{title} (continued)").format(title=title)


def uris_title(title: str) -> str:
    return _("Spotify URIs: {title}").format(title=title)


def tracks_label(first: int, last: int) -> str:
    if first == last:
        return _("Track {first}").format(first=first)
    return _("Tracks {first}–{last}").format(first=first, last=last)


def draft_footer(
    draft_id: int, version: int, tracks: int, provider: str, catalogue: str, kept_until: str
) -> list[str]:
    """The facts under a playlist, one phrase each (a front end joins them)."""
    parts = [_("Draft {draft_id}").format(draft_id=draft_id)]
    if version > 1:
        parts.append(_("version {version}").format(version=version))
    return [
        *parts,
        ngettext("{count} track", "{count} tracks", tracks).format(count=number(tracks)),
        _("planned by {provider}").format(provider=provider),
        _("{catalogue} catalogue").format(catalogue=catalogue),
        _("kept until {moment} UTC").format(moment=kept_until),
    ]


def status_title(ok: bool) -> str:
    return _("EchoTuner status: all good") if ok else _("EchoTuner status: degraded")


def dependency_state(ok: bool) -> str:
    return _("✅ ok") if ok else _("❌ down")


SETTING_DAILY_PLAYLISTS = Message("Daily playlists per user")
SETTING_REFINEMENTS = Message("Refinements per playlist")
SETTING_MAX_SONGS = Message("Max songs per playlist")
PER_DAY = Message("per day")
PER_PLAYLIST = Message("per playlist")


def limit_state(enabled: bool, value: int, unit: str) -> str:
    """One limit as an admin sees it: ``10 per day``, or what it would be when switched on."""
    if enabled:
        # TRANSLATORS: a number and its unit (PER_DAY, PER_PLAYLIST): "10 per day".
        return _("{value} {unit}").format(value=value, unit=unit)
    return _("off ({value} {unit} when switched on)").format(value=value, unit=unit)


def settings_title(where: str, saved: bool) -> str:
    if saved:
        return _("Limits for {where} (saved)").format(where=where)
    return _("Limits for {where}").format(where=where)


def server_app_saved(where: str, client_id_end: str) -> str:
    """An admin set their server's own Spotify app; ``client_id_end`` is its id's last characters."""
    return _(
        "Saved. Spotify links made in {where} now use the app whose client ID ends in "
        "…{client_id_end}."
    ).format(where=where, client_id_end=client_id_end)


# --- Telegram ---------------------------------------------------------------------------
# Telegram's own dialogues (deep links, a group's settings and Spotify app).  Formatting
# (bold, code, links, emoji) is the adapter's; the sentences are here.
#: The command menu chat clients show (command, what it does).
COMMAND_MENU: tuple[tuple[str, Message], ...] = (
    # TRANSLATORS: Telegram's command menu: short (at most 256 characters); commands stay.
    ("playlist", Message("Make a playlist: /playlist <prompt> [count]")),
    ("refine", Message("Change your latest playlist: /refine <feedback>")),
    ("profile", Message("Your taste profile (show, set, reset)")),
    ("limits", Message("Playlists and refinements left today")),
    ("link", Message("Link your Spotify account (in a private chat)")),
    ("save", Message("Save your latest playlist to your Spotify")),
    ("taste", Message("Import your top artists and genres from Spotify")),
    ("unlink", Message("Unlink your Spotify account")),
    ("status", Message("Health of the model, catalogue and database")),
    ("help", Message("What I can do")),
)
SETTINGS_MENU_ENTRY = ("settings", Message("Group admins: this group's limits and Spotify app"))
TELEGRAM_HELP_LINES = (
    Message("  /settings                    group admins: the group's limits and Spotify app"),
    Message("In groups I answer commands, mentions of me and replies to my questions."),
)
WELCOME = Message("I turn a sentence into a real Spotify playlist.")
WELCOME_EXAMPLE = Message("/playlist upbeat indie rock for a morning run 15")


def welcome_try(example: str, *, private: bool) -> str:
    """After ``WELCOME``: ``example`` is the example command, formatted by the front end."""
    if private:
        return _("Try {example} or just type what you want to hear.").format(example=example)
    return _("Try {example}.").format(example=example)


def mention_hint(example: str) -> str:
    """A bare mention of the bot in a group; ``example`` shows a mention with a prompt."""
    return _("Tell me what to play, e.g. {example}.").format(example=example)


MENTION_EXAMPLE = Message("calm jazz for a rainy evening")
DEEP_LINK_EXPIRED = Message(
    "That link has expired, was already used, or was made for someone else. Ask again in the group."
)
ACCOUNT_LINKS_PRIVATE = Message(
    "Account links are private: tap the button to continue in a chat with me "
    "(the button works once, for you, for ten minutes)."
)
LINK_PRIVATELY = Message("Link Spotify privately")
UNLINK_PRIVATELY = Message("Unlink Spotify privately")
SET_GROUP_APP = Message("Set the group's Spotify app")
# Telegram lays four buttons in two rows of two: the short label fits a phone's width.
BUTTON_URIS_SHORT = Message("URIs")
BUTTON_SAVING = Message("Saving…")
BUTTON_REGENERATING = Message("Making a fresh version…")
REFINE_PLACEHOLDER = Message("e.g. more energetic, no ballads")


def refine_question(title: str, who: str = "") -> str:
    """Asks what to change; ``who`` (a group member's name, formatted) is addressed first."""
    if who:
        return _("{who}, what should change in {title}? Reply to this message.").format(
            who=who, title=title)
    return _("What should change in {title}? Reply to this message.").format(title=title)


def playlist_page(label: str) -> str:
    """The line under a playlist linking its page; ``label`` is ``PLAYLIST_PAGE_LABEL`` as a link."""
    return _("{label} (covers, Copy all, Open in Spotify)").format(label=label)


PLAYLIST_PAGE_LABEL = Message("Open the playlist page")


def uris_heading(title: str) -> str:
    return _("{title}: copy these and paste them into a playlist in the Spotify desktop app.").format(
        title=title)


# --- a group's settings -----------------------------------------------------------------
SETTINGS_IN_GROUP_ONLY = Message(
    "Group settings are changed in the group: send /settings there (you need to be one of "
    "its admins)."
)
SETTINGS_ADMINS_ONLY = Message("Only this group's admins can change its settings.")
SETTINGS_SAVED = Message("Saved.")
SETTINGS_RESET = Message("Limits reset to the bot's defaults.")
THIS_GROUP = Message("this group")


def settings_heading(where: str) -> str:
    return _("Limits in {where}").format(where=where)


def on_off(on: bool) -> str:
    return _("on") if on else _("off")


def settings_playlist_limit(on: bool, per_day: int, keys: str) -> str:
    """``keys`` names the settings that change it, formatted by the front end."""
    return _("Daily playlist limit: {state}, {per_day} per user ({keys})").format(
        state=on_off(on), per_day=per_day, keys=keys)


def settings_refinement_limit(on: bool, per_playlist: int, keys: str) -> str:
    return _("Refinement limit: {state}, {per_playlist} per playlist ({keys})").format(
        state=on_off(on), per_playlist=per_playlist, keys=keys)


def settings_max_songs(songs: int, key: str) -> str:
    return _("Max songs per playlist: {songs} ({key})").format(songs=songs, key=key)


def settings_how_to_change(example: str, reset: str, spotify: str) -> str:
    """The commands are formatted by the front end."""
    return _(
        "Change with e.g. {example}, {reset}, or {spotify} to give this group its own "
        "Spotify app (in a private chat)."
    ).format(example=example, reset=reset, spotify=spotify)


def setting_not_a_number(key: str, raw: str) -> str:
    return _("{key} must be a whole number, not '{raw}'.").format(key=key, raw=raw[:20])


def setting_not_a_switch(key: str, raw: str) -> str:
    return _("{key} must be on or off, not '{raw}'.").format(key=key, raw=raw[:20])


def unknown_setting(key: str, known: str) -> str:
    return _("Unknown setting '{key}'. Use {known}.").format(key=key[:30], known=known)


GROUP_APP_NOT_SET_UP = Message(
    "Spotify isn't set up on this bot, so a group can't have its own Spotify app yet.")
GROUP_APP_ANONYMOUS = Message(
    "You're posting as the group (anonymous admin), so I can't send you a private link. Turn off "
    "“Remain anonymous” for a moment and send /settings spotify again."
)
GROUP_APP_PRIVATE = Message(
    "Spotify app credentials are secret: tap the button and send them to me in a private chat "
    "(the button works once, for you, for ten minutes)."
)
NO_LONGER_ADMIN = Message("You're no longer an admin of that group.")


def group_app_question(client_id: str, client_secret: str) -> str:
    """``client_id`` and ``client_secret`` are the two words, formatted by the front end."""
    return _(
        "Reply to this message with the group's Spotify app {client_id} and {client_secret}, "
        "separated by a space. I'll delete your message once I've read it and never show the "
        "secret again."
    ).format(client_id=client_id, client_secret=client_secret)


GROUP_APP_CLIENT_ID = Message("client id")
GROUP_APP_CLIENT_SECRET = Message("client secret")
GROUP_APP_MALFORMED = Message(
    "That doesn't look like a client id and a client secret (two strings of letters and digits, "
    "separated by a space). Send /settings spotify in the group to try again."
)
GROUP_APP_SAVED = Message(
    "Saved: that group now uses its own Spotify app. (Your message with the secret has been "
    "deleted.)"
)


# --- the input guard (core.guard) and the profile editor (core.profile_edit) ---------------
PROMPT_MISSING = Message(
    "Tell me what to play, for example: /playlist upbeat indie rock for a morning run"
)


def input_not_text(what: str) -> str:
    """``what`` is ``PROMPT``, ``FEEDBACK`` or another noun of this catalogue, said."""
    return _("The {what} must be text.").format(what=what)


def input_empty(what: str) -> str:
    return _("The {what} is empty.").format(what=what)


def input_too_long(what: str, length: int, limit: int) -> str:
    return _("That {what} is {length} characters long; please keep it under {limit}.").format(
        what=what, length=number(length), limit=limit)


PROMPT = Message("prompt")
FEEDBACK = Message("feedback")


def count_not_a_number(raw: str, min_songs: int, max_songs: int | None) -> str:
    if max_songs is None:
        return _("'{raw}' is not a number of songs: use a whole number of {min_songs} or more.").format(
            raw=raw[:20], min_songs=min_songs)
    return _("'{raw}' is not a number of songs: use a whole number from {min_songs} to {max_songs}.").format(
        raw=raw[:20], min_songs=min_songs, max_songs=max_songs)


def count_not_whole(min_songs: int, max_songs: int) -> str:
    return _("The number of songs must be a whole number from {min_songs} to {max_songs}.").format(
        min_songs=min_songs, max_songs=max_songs)


def count_out_of_range(min_songs: int, max_songs: int, asked: int) -> str:
    return _("A playlist can have {min_songs} to {max_songs} songs; you asked for {asked}.").format(
        min_songs=min_songs, max_songs=max_songs, asked=asked)


def profile_line_too_long(length: int, limit: int) -> str:
    return _("That's {length} characters; a profile change fits in {limit}.").format(
        length=number(length), limit=limit)


PROFILE_PAIRS_USAGE = Message(
    'Use key=value pairs, e.g. genres=jazz,soul artists="Nina Simone" energy=0.4 '
    "discovery=deep explicit=no"
)


def profile_too_many_items(limit: int) -> str:
    return _("Up to {limit} entries per list, please.").format(limit=limit)


def unknown_profile_field(key: str, known: str) -> str:
    return _("Unknown profile field '{key}'. Fields: {known}.").format(key=key[:30], known=known)


ENERGY_INVALID = Message("energy must be a number from 0 (calm) to 1 (intense).")
DISCOVERY_INVALID = Message("discovery must be popular, balanced or deep.")
EXPLICIT_INVALID = Message("explicit must be yes or no.")


def language_invalid(choices: str) -> str:
    """``/profile set language=xx`` with a language the bot does not speak."""
    return _("language must be one of {choices} (or none for your app's language).").format(
        choices=choices)


def profile_summary(
    genres: str, artists: str, disliked: str, energy: str, discovery: str, explicit_ok: bool,
    language: str,
) -> str:
    """A plain-text profile for any front end; empty lists arrive as ``NONE()``."""
    lines = [
        _("Favourite genres: {genres}").format(genres=genres),
        _("Favourite artists: {artists}").format(artists=artists),
        _("Disliked artists: {disliked}").format(disliked=disliked),
        _("Energy: {energy}").format(energy=energy),
        _("Discovery: {discovery}").format(discovery=discovery),
        _("Explicit tracks: allowed") if explicit_ok else _("Explicit tracks: filtered out"),
    ]
    if language:
        lines.append(_("Language: {language}").format(language=language))
    return "\n".join(lines)


NONE = Message("none")
ANY_ENERGY = Message("any")


# --- limits (core.profile_edit.describe_limits / describe_settings) ----------------------
def playlists_made_today(used: int) -> str:
    return ngettext("{used} playlist made today (no daily limit)",
                    "{used} playlists made today (no daily limit)", used).format(used=number(used))


def playlists_left_today(left: str, limit: int) -> str:
    """``left`` is the number left, formatted (bold) by the front end."""
    return ngettext("{left} of {limit} playlist left today", "{left} of {limit} playlists left today",
                    limit).format(left=left, limit=number(limit))


NO_PLAYLIST_TO_REFINE = Message("no current playlist to refine")
REFINEMENTS_UNLIMITED = Message("refinements unlimited")


def refinements_left(left: str, limit: int) -> str:
    return ngettext("{left} of {limit} refinement left on your latest playlist",
                    "{left} of {limit} refinements left on your latest playlist",
                    limit).format(left=left, limit=number(limit))


def limits_summary(playlists: str, refinements: str, max_songs: int, resets_at: str) -> str:
    return _(
        "{playlists}; {refinements}.\nUp to {max_songs} songs per playlist. Daily limits reset at "
        "{resets_at}."
    ).format(playlists=playlists, refinements=refinements, max_songs=max_songs, resets_at=resets_at)


def settings_summary(playlists: str, refinements: str, max_songs: int) -> str:
    """A server's or group's limits in one line; the first two are ``limit_state``'s."""
    return _(
        "daily playlists per user: {playlists}; refinements: {refinements}; "
        "max songs per playlist: {max_songs}."
    ).format(playlists=playlists, refinements=refinements, max_songs=max_songs)


# --- progress (core.models.Progress) -----------------------------------------------------
STAGE_VALIDATING = Message("validating")
STAGE_ASKING_MODEL = Message("asking the model")
STAGE_SEARCHING = Message("searching")
STAGE_SELECTING = Message("selecting")
STAGE_DONE = Message("done")


def stage_searching(done: int, total: int) -> str:
    return _("searching {done}/{total}").format(done=done, total=total)


# --- the engine's refusals (core.engine, core.resolve, core.validation) --------------------
def max_songs_out_of_range(low: int, high: int) -> str:
    return _("Max songs must be from {low} to {high}.").format(low=low, high=high)


DAILY_PLAYLISTS_OUT_OF_RANGE = Message("Daily playlists per user must be from 0 to 10000.")
REFINEMENTS_OUT_OF_RANGE = Message("Refinements per playlist must be from 0 to 1000.")


def quota_used(limit: int, resets_at: str) -> str:
    """``resets_at`` is the time of day (HH:MM, UTC) the daily count starts again."""
    return ngettext(
        "You have used your {limit} playlist for today; the limit resets at {resets_at} UTC.",
        "You have used all {limit} playlists for today; the limit resets at {resets_at} UTC.",
        limit,
    ).format(limit=number(limit), resets_at=resets_at)


#: The lexical and semantic checks' refusal (core.validation, core.semantic_validation).
REJECTION_REASON = Message(
    "That doesn't look like a music request — try describing a mood, genre, activity or artist."
)
NOT_ABOUT_MUSIC = Message(
    "That doesn't look like a music request. Describe a mood, genre, activity or artist."
)


def refinements_used_up(limit: int) -> str:
    return ngettext(
        "This playlist has used its {limit} refinement. Start a new one with /playlist.",
        "This playlist has used all {limit} refinements. Start a new one with /playlist.",
        limit,
    ).format(limit=number(limit))


def send_songs(max_songs: int) -> str:
    return _("Send 1 to {max_songs} songs.").format(max_songs=max_songs)


def not_a_track_id(raw: str) -> str:
    return _("'{raw}' is not a Spotify track id (22 letters and digits).").format(raw=raw[:40])


SONG_NEEDS_TITLE_AND_ARTIST = Message("Each song needs a title and an artist.")


def draft_not_found(hours: int) -> str:
    return ngettext(
        "I can't find that playlist (drafts are kept for {hours} hour). Make one with /playlist first.",
        "I can't find that playlist (drafts are kept for {hours} hours). Make one with /playlist first.",
        hours,
    ).format(hours=number(hours))


SOMEONE_ELSES_PLAYLIST = Message("That playlist belongs to someone else; you can only refine yours.")
VERSION_NOT_FOUND = Message("I can't find that version of the playlist. Make a new one with /playlist.")
NO_NEW_MATCHES = Message(
    "The catalogue ran short of new matches: it has no songs for this request beyond those of "
    "the earlier versions. Refine it with other words instead; nothing was charged."
)
NOTHING_FOUND = Message(
    "I couldn't find songs for that in the catalogue. Try a broader description; nothing was "
    "charged."
)


def short_of_new_songs(new: int, found: int, reused: int, wanted: int) -> str:
    """A fresh take that had to reuse songs of earlier versions."""
    if found == wanted:
        text = ngettext(
            "The catalogue ran short of new matches: {new} of these {found} songs are new and "
            "{reused} was in an earlier version.",
            "The catalogue ran short of new matches: {new} of these {found} songs are new and "
            "{reused} were in an earlier version.",
            reused,
        )
    else:
        text = ngettext(
            "The catalogue ran short of new matches: {new} of these {found} songs are new and "
            "{reused} was in an earlier version (you asked for {wanted}).",
            "The catalogue ran short of new matches: {new} of these {found} songs are new and "
            "{reused} were in an earlier version (you asked for {wanted}).",
            reused,
        )
    return text.format(new=new, found=found, reused=reused, wanted=wanted)


def fewer_new_songs(new: int, wanted: int) -> str:
    return ngettext(
        "The catalogue ran short of new matches: I found {new} new song, not the {wanted} you "
        "asked for.",
        "The catalogue ran short of new matches: I found {new} new songs, not the {wanted} you "
        "asked for.",
        new,
    ).format(new=new, wanted=wanted)


def fewer_songs(found: int, wanted: int) -> str:
    return ngettext(
        "I found {found} song that fits, not the {wanted} you asked for.",
        "I found {found} songs that fit, not the {wanted} you asked for.",
        found,
    ).format(found=found, wanted=wanted)


CATALOGUE_NOT_ANSWERING = Message(
    "The music catalogue is not answering right now; nothing was charged. Please try again in a "
    "minute."
)


def no_model_answered(problems: str) -> str:
    """Every model in the chain failed; ``problems`` names each with its error (not translated)."""
    return _(
        "No language model could plan this playlist right now ({problems}). Nothing was charged; "
        "please try again in a little while."
    ).format(problems=problems)


def catalogue_quota(minutes: int) -> str:
    return ngettext(
        "Spotify's request quota for this bot is used up; searching works again in about "
        "{minutes} minute. Nothing was charged.",
        "Spotify's request quota for this bot is used up; searching works again in about "
        "{minutes} minutes. Nothing was charged.",
        minutes,
    ).format(minutes=number(minutes))


# --- linking a Spotify account (core.linking, adapters.music.spotify_account) -------------
NOT_LINKED = Message(
    "You haven't linked a Spotify account yet. Send /link to connect one. (Without a link you "
    "can still paste the spotify:track: lines into a playlist in Spotify's desktop app.)"
)
BAD_STATE = Message(
    "This sign-in link is incomplete or not one of ours, so nothing was linked. Send /link in "
    "the chat to get a new one."
)
USED_STATE = Message(
    "This sign-in link has expired or was already used, so nothing was linked. Send /link in "
    "the chat to get a new one."
)
EXPIRED_STATE = Message(
    "This sign-in link has expired (they last ten minutes), so nothing was linked. Send /link "
    "in the chat to get a new one."
)
REPLAYED_STATE = Message(
    "This sign-in link was already used; opening it again links nothing. If your account isn't "
    "linked yet, send /link in the chat to get a new one."
)
ACCESS_DENIED = Message("You didn't allow access on Spotify, so nothing was linked.")
SIGN_IN_INCOMPLETE = Message(
    "Spotify didn't complete the sign-in, so nothing was linked. Send /link to try again."
)


def linking_failed(reason: str) -> str:
    return _("Linking didn't work: {reason}").format(reason=reason)


NEW_SIGN_IN_REFUSED = Message(
    "Linking didn't work: Spotify refused the new sign-in. Send /link to try again.")


def account_linked(name: str) -> str:
    """Said in the chat once the browser's sign-in has linked ``name``."""
    return _(
        "Your Spotify account {name} is linked. /save puts your latest playlist in it; /taste "
        "imports your top artists into your profile; /unlink removes the link."
    ).format(name=name)


def linked_as(name: str) -> str:
    """Said on the page the browser lands on."""
    return _("Linked to Spotify as {name}. You can close this page and go back to the chat.").format(
        name=name)


NO_SPOTIFY_IDS = Message("This playlist has no tracks with a Spotify id, so nothing was saved.")
DEFAULT_PLAYLIST_NAME = Message("EchoTuner playlist")
NO_TOP_ARTISTS = Message(
    "Spotify has no top artists for you yet (it needs some listening history). Your profile is "
    "unchanged."
)
APP_NEEDS_A_GROUP = Message("A Spotify app can be set for a server or group, not a private chat.")
APP_CREDENTIALS_MALFORMED = Message(
    "That doesn't look like a Spotify client id and secret (letters and digits, 32 of each); "
    "copy them from your app's page on developer.spotify.com."
)
LINK_UNREADABLE = Message("Your Spotify link can no longer be read.")
LINK_SIX_MONTHS = Message("Spotify links last six months and yours has expired.")
LINK_REVOKED = Message("Your Spotify link has expired or was revoked.")
ACCESS_WITHDRAWN = Message("Spotify no longer accepts this bot's access to your account.")
TOP_ARTISTS_NOT_ALLOWED = Message("The link doesn't allow reading your top artists.")


def link_again(problem: str) -> str:
    """``problem`` (one of the sentences above, said) and how to fix it."""
    return _("{problem} Send /link to connect your Spotify account again.").format(problem=problem)


SPOTIFY_SIGN_IN_UNEXPECTED = Message("Spotify answered the sign-in with something unexpected.")
SPOTIFY_NO_REFRESH_TOKEN = Message("Spotify did not hand out a refresh token; try /link again.")
SPOTIFY_UNEXPECTED_PROFILE = Message("Spotify answered with an unexpected profile.")
SPOTIFY_UNEXPECTED_PLAYLIST = Message("Spotify answered with an unexpected playlist.")
SPOTIFY_GRANT_REFUSED = Message(
    "Spotify refused the sign-in (the link was already used, expired, or belongs to another "
    "sign-in). Send /link to try again."
)
SPOTIFY_APP_REFUSED = Message("Spotify doesn't accept this bot's app settings; tell whoever runs the bot.")
SPOTIFY_DEVELOPMENT_MODE = Message(
    "Spotify didn't let this bot use your account: its Spotify app is in development mode, which "
    "allows at most five listed users. Ask the bot's operator (or your server admin, who can set "
    "a server app) to add you."
)


def spotify_slow_down(seconds: int) -> str:
    return _("Spotify asks the bot to slow down; try again in {seconds} s.").format(seconds=seconds)


SPOTIFY_QUOTA_USED = Message("Spotify's request quota for this bot is used up; try again later.")
SPOTIFY_NOT_ANSWERING = Message("Spotify isn't answering properly right now; try again in a minute.")

# --- playlists as text (console, CLI, Telegram) ---------------------------------------------
def playlist_heading_draft(title: str, draft_id: int, version: int) -> str:
    """The console's first line of a playlist."""
    if version > 1:
        return _("{title}  (draft {draft_id}, version {version})").format(
            title=title, draft_id=draft_id, version=version)
    return _("{title}  (draft {draft_id})").format(title=title, draft_id=draft_id)


def version_tag(version: int) -> str:
    return _("(version {version})").format(version=version)


def prompt_line(prompt: str) -> str:
    return _("Prompt: {prompt}").format(prompt=prompt)


def console_playlist_footer(tracks: int, provider: str, catalogue: str) -> str:
    return ngettext(
        "{count} track - planned by {provider}, found on the {catalogue} catalogue.",
        "{count} tracks - planned by {provider}, found on the {catalogue} catalogue.",
        tracks,
    ).format(count=number(tracks), provider=provider, catalogue=catalogue)


def chat_playlist_footer(tracks: int, provider: str, catalogue: str) -> str:
    return ngettext(
        "{count} track · planned by {provider} · found in the {catalogue} catalogue",
        "{count} tracks · planned by {provider} · found in the {catalogue} catalogue",
        tracks,
    ).format(count=number(tracks), provider=provider, catalogue=catalogue)


REFINE_IT_WITH = Message("Refine it with: /refine <what to change>")


#: The first line of /status as text, before ``overall_state``.
OVERALL = Message("Overall:")


def overall_state(ok: bool) -> str:
    return _("ok") if ok else _("degraded")


def dependency_word(ok: bool) -> str:
    return _("ok") if ok else _("DOWN")


def playlist_page_line(url: str) -> str:
    return _("Playlist page: {url}").format(url=url)


def limits_where(where: str, summary: str) -> str:
    return _("Limits in {where}: {summary}").format(where=where, summary=summary)


# TRANSLATORS: the setting names (DISCORD_TOKEN=...) and provider names stay as they are.
CONSOLE_BANNER = Message("""\
EchoTuner is running in the console on the bundled demo catalogue (real Spotify tracks).
Type a prompt such as "relaxing jazz for studying", or /help. Ctrl-D or /quit leaves.
To connect more, put these in .env (see .env.sample):
  DISCORD_TOKEN=...        a Discord bot
  TELEGRAM_TOKEN=...       a Telegram bot
  AI_PROVIDERS=ollama,...  a language model (ollama, openai, anthropic, custom)
  SPOTIFY_CLIENT_ID/SECRET live Spotify search, account linking and saving""")


def page_line(url: str) -> str:
    """The CLI's line after a playlist printed by ``generate``."""
    return _("Page: {url}").format(url=url)


def not_a_draft_id(raw: str) -> str:
    return _("'{raw}' is not a draft id (a number printed by generate).").format(raw=raw)


def configuration_error(problem: str) -> str:
    return _("Configuration error: {problem}").format(problem=problem)


# --- the REST API (adapters.web.rest_api) ---------------------------------------------------
CLIENT_GONE = Message("The client went away.")
API_KEY_REQUIRED = Message("A valid API key is required (X-API-Key header).")
BODY_NOT_JSON = Message("The request body is not valid JSON.")
BODY_NOT_OBJECT = Message("The request body must be a JSON object.")


def body_too_large(limit: int) -> str:
    return _("Request bodies are limited to {limit} bytes.").format(limit=limit)


DEVICE_ID_INVALID = Message("device_id must be 1-128 letters, digits or . _ : -")


def device_secret_needed(header: str) -> str:
    return _(
        "This device needs its {header} header: register with POST /register-device and send the "
        "secret it returns."
    ).format(header=header)


def too_many_from_address(what: str) -> str:
    """``what`` is ``API_PLAYLISTS`` or ``API_SIGN_INS``, said."""
    return _("Too many {what} from your address today; try again later.").format(what=what)


API_PLAYLISTS = Message("playlists")
API_SIGN_INS = Message("device registrations and sign-ins")


def field_required(field: str) -> str:
    return _("{field} is required and must be a string.").format(field=field)


NO_SUCH_PLAYLIST = Message("No such playlist for this device.")
SEND_PLAYLIST_OR_SONGS = Message("Send playlist_id, or current_songs as a list of songs.")
PLATFORM_INVALID = Message("platform must be a short word, e.g. android.")
API_SPOTIFY_NOT_SET_UP = Message("Spotify accounts are not set up on this server.")
USER_CONTEXT_INVALID = Message("user_context must be an object.")
SONG_NOT_OBJECT = Message("Each song must be an object.")
SONG_FIELDS_MISSING = Message("Each song needs title, artist and spotify_id strings.")


# --- the web pages (adapters.web.pages) ------------------------------------------------------
# Parts a page wraps in markup (a <time>, a link) are passed in as placeholders, like a chat's.
SKIP_TO_CONTENT = Message("Skip to the content")
LINKED_ELSEWHERE_HINT = Message(
    "Not your chat account? Then remove this app under Apps in your Spotify account settings.")
LANDING_LINKED = Message("Spotify is linked")
LANDING_LINKED_NEXT = Message(
    "In the chat, /save puts a playlist in your Spotify and /taste imports your top artists.")
LANDING_EXPIRED = Message("This sign-in link has expired")
LANDING_EXPIRED_NEXT = Message("Sign-in links last ten minutes. Send /link in the chat for a new one.")
LANDING_USED = Message("This sign-in link was already used")
LANDING_USED_NEXT = Message(
    "Each sign-in link works once. If your account isn't linked, send /link in the chat for a new "
    "one.")
LANDING_DENIED = Message("You didn't allow access")
LANDING_DENIED_NEXT = Message("Nothing was linked. If you change your mind, send /link in the chat.")
LANDING_ERROR = Message("Spotify couldn't complete the sign-in")
LANDING_ERROR_NEXT = Message("Nothing was linked. Send /link in the chat to try again.")
LANDING_INVALID = Message("This sign-in link isn't valid")
LANDING_INVALID_NEXT = Message("Nothing was linked. Send /link in the chat for a new link.")
LANDING_LIMITED = Message("Too many sign-in attempts")
LANDING_LIMITED_NEXT = Message("Wait a few minutes, then send /link in the chat for a new link.")
LANDING_UNAVAILABLE = Message("Spotify linking isn't set up")
LANDING_UNAVAILABLE_NEXT = Message(
    "This bot's operator hasn't connected it to Spotify, so accounts can't be linked. Playlists "
    "still work, with links to open in Spotify.")


def open_platform(name: str) -> str:
    return _("Open {name}").format(name=name)


def back_to_platform(name: str) -> str:
    return _("Go back to {name}").format(name=name)


BACK_TO_TERMINAL = Message("Go back to your terminal")
BACK_TO_APP = Message("Go back to the app you came from")
BACK_TO_CHATS = Message("Go back to Discord or Telegram")


def linked_to(account: str, platform: str) -> str:
    """Whose chat account got the Spotify account (``platform`` may be empty)."""
    if platform:
        return _("Linked to {account} on {platform}.").format(account=account, platform=platform)
    return _("Linked to {account}.").format(account=account)


PAGE_NOT_FOUND_TITLE = Message("Playlist not found")
PAGE_NOT_FOUND = Message("This playlist page isn't here")


def page_expired_hint(hours: int | None) -> str:
    if hours:
        return ngettext(
            "The link may be mistyped, or the playlist has expired: pages last as long as the "
            "playlist does ({hours} hour after it was made or last refined).",
            "The link may be mistyped, or the playlist has expired: pages last as long as the "
            "playlist does ({hours} hours after it was made or last refined).",
            hours,
        ).format(hours=number(hours))
    return _("The link may be mistyped, or the playlist has expired: pages last as long as the "
             "playlist does.")


PAGE_ASK_AGAIN = Message(
    "Ask the bot for a new playlist in Discord or Telegram and it will come with a fresh link.")
OPERATOR_ONLY_TITLE = Message("For the operator only")
OPERATOR_ONLY = Message("This page is for the bot's operator")
OPERATOR_ONLY_HINT = Message(
    "It shows how the bot is running. Operators: open it with the status token, or from the "
    "machine the bot runs on.")
#: The word "Playlist" alone: a page's eyebrow, a title when nothing else fits.
PLAYLIST_WORD = Message("Playlist")


def page_version_of(version: int, versions: int) -> str:
    return _("version {version} of {versions}").format(version=version, versions=versions)


PAGE_ASKED_FOR = Message("Asked for")
PAGE_REFINED_WITH = Message("Refined with")


def page_tracks(count: int) -> str:
    return ngettext("{count} track", "{count} tracks", count).format(count=number(count))


def page_planned_by(provider: str) -> str:
    return _("planned by {provider}").format(provider=provider)


def page_from_catalogue(catalogue: str) -> str:
    return _("from the {catalogue} catalogue").format(catalogue=catalogue)


def page_made(moment: str) -> str:
    return _("made {moment}").format(moment=moment)


PAGE_VERSIONS = Message("Versions of this playlist")


def page_version(version: int, latest: bool) -> str:
    if latest:
        return _("Version {version} (latest)").format(version=version)
    return _("Version {version}").format(version=version)


def page_copy_all(count: int) -> str:
    return ngettext("Copy {count} track link", "Copy all {count} track links", count).format(
        count=number(count))


PAGE_LINKS_AS_TEXT = Message("Track links as text")
PAGE_TRACKS = Message("Tracks")


def page_cover_of(album: str) -> str:
    return _("Cover of {album}").format(album=album)


def page_open_in_spotify(title: str) -> str:
    """``title`` is the track's title, visually hidden by the page (for screen readers)."""
    return _("Open{title} in Spotify").format(title=title)


PAGE_PUT_IN_SPOTIFY = Message("Put it in Spotify")
PAGE_PASTE_HINT = Message(
    "Copy these lines and paste them into a playlist in the Spotify desktop app: each line "
    "becomes a track.")


def page_links_label(count: int) -> str:
    return ngettext("Spotify track link ({count}), one per line",
                    "Spotify track links ({count}), one per line", count).format(count=number(count))


def page_links_copied(count: int) -> str:
    return ngettext("Copied {count} track link. Paste it into a playlist in Spotify.",
                    "Copied {count} track links. Paste them into a playlist in Spotify.",
                    count).format(count=number(count))


PAGE_LINKS_SELECTED = Message("The links are selected below: press Ctrl+C (or ⌘C) to copy them.")


def page_works_until(moment: str, latest: str = "") -> str:
    """``latest`` is empty, or ``page_see_latest``'s link, formatted by the page."""
    if latest:
        return _("This page works until {moment} · {latest}. Made with EchoTuner.").format(
            moment=moment, latest=latest)
    return _("This page works until {moment}. Made with EchoTuner.").format(moment=moment)


PAGE_SEE_LATEST = Message("see the latest version")


A_PLAYLIST = Message("A playlist")


def playlist_length(minutes: int) -> str:
    """A playlist's total length: ``1 h 12 min`` or ``48 min``."""
    if minutes >= 60:
        return _("{hours} h {minutes} min").format(hours=minutes // 60, minutes=minutes % 60)
    return _("{minutes} min").format(minutes=minutes)


# --- Discord's command and option descriptions ---------------------------------------------
#: Every slash command's and option's description, keyed by its path ("profile set genres");
#: discord.py sends the English and our ``app_commands.Translator`` the rest.  Placeholders
#: are filled with ``core.engine``'s bounds by the adapter.
DISCORD_COMMANDS: Mapping[str, Message] = {
    # TRANSLATORS: Discord allows at most 100 characters in each of these descriptions.
    "playlist": Message("Make a Spotify playlist from a sentence"),
    "playlist prompt": Message("What to play, e.g. upbeat indie rock for a morning run"),
    "playlist count": Message("How many songs ({min_songs} to the server's maximum)"),
    "refine": Message("Change your latest playlist here"),
    "refine feedback": Message("What to change, e.g. more energetic, no ballads"),
    "link": Message("Connect your Spotify account (the link comes by DM)"),
    "unlink": Message("Disconnect your Spotify account"),
    "save": Message("Save your latest playlist here to your Spotify"),
    "taste": Message("Import your top Spotify artists into your profile"),
    "profile": Message("Your taste profile"),
    "profile show": Message("Show your taste profile"),
    "profile set": Message("Change your taste profile (options left out stay)"),
    "profile set genres": Message("Favourite genres, comma separated (none clears)"),
    "profile set artists": Message("Favourite artists, comma separated (none clears)"),
    "profile set disliked": Message("Artists to leave out, comma separated (none clears)"),
    "profile set energy": Message("0 calm ... 1 intense"),
    "profile set discovery": Message("Popular hits, a balance, or deep cuts"),
    "profile set explicit": Message("Allow explicit tracks"),
    "profile set language": Message("The language I answer you in (default: your Discord's)"),
    "profile reset": Message("Forget your taste profile"),
    "limits": Message("Playlists and refinements you have left"),
    "status": Message("Health of the model, the catalogue and the database"),
    "admin": Message("EchoTuner settings for this server (Manage Server)"),
    "admin limits": Message("Show or change this server's limits"),
    "admin limits daily_playlists": Message("Playlists per user per day (UTC)"),
    "admin limits refinements": Message("Refinements per playlist"),
    "admin limits max_songs": Message("Most songs in a playlist ({min_songs}-{max_songs})"),
    "admin limits playlist_limit": Message("Switch the daily playlist limit on or off"),
    "admin limits refinement_limit": Message("Switch the refinement limit on or off"),
    "blend": Message("One playlist from the tastes of everyone who joins"),
    "blend occasion": Message("What it is for, e.g. road trip (optional)"),
    "blend count": Message("How many songs ({min_songs} to the server's maximum)"),
    "blend member1": Message(
        "Someone to put in the blend at once (or leave empty: everyone who joins)"
    ),
    "admin limits blends": Message("Let members make /blend playlists together"),
    "admin limits blend_members": Message("Most members in one blend (2-10)"),
    "admin spotify-app": Message("Use this server's own Spotify app for linking"),
    "admin spotify-app client_id": Message("Client ID from your app on developer.spotify.com"),
    "admin spotify-app client_secret": Message(
        "Client secret of that app (stored encrypted, never shown)"),
}



# --- playlist titles the offline planner builds (adapters.ai.offline) ------------------------
# TRANSLATORS: title words, capitalised as a title in your language: "Chill Jazz Hits".
TITLE_NOUNS: Mapping[str, Message] = {
    "hits": Message("Hits"),
    "bangers": Message("Bangers"),
    "anthems": Message("Anthems"),
    "classics": Message("Classics"),
    "jams": Message("Jams"),
    "beats": Message("Beats"),
    "vibes": Message("Vibes"),
    "bops": Message("Bops"),
    "instrumentals": Message("Instrumentals"),
    "melodies": Message("Melodies"),
    "tunes": Message("Tunes"),
    "grooves": Message("Grooves"),
    "songs": Message("Songs"),
    "music": Message("Music"),
    "tracks": Message("Tracks"),
    "playlist": PLAYLIST_WORD,
    "mix": Message("Mix"),
    "mixtape": Message("Mixtape"),
}


def title_for(title: str, occasion: str) -> str:
    """A title and what it is for: "Upbeat Pop for Running"."""
    # TRANSLATORS: a playlist title: {title} is what it plays, {occasion} an activity or place.
    return _("{title} for {occasion}").format(title=title, occasion=occasion)


def title_like(title: str, artists: str) -> str:
    """A title and the artists it sounds like: "Indie Rock Like Arctic Monkeys"."""
    return _("{title} Like {artists}").format(title=title, artists=artists)


def title_and(first: str, second: str) -> str:
    """Two names in a title that already hold an "&": "Drum & Bass and Jungle"."""
    return _("{first} and {second}").format(first=first, second=second)


__all__ = [
    "ACCESS_DENIED",
    "ACCESS_WITHDRAWN",
    "ACCOUNT_LINKS_PRIVATE",
    "ANY_ENERGY",
    "API_KEY_REQUIRED",
    "API_PLAYLISTS",
    "API_SIGN_INS",
    "API_SPOTIFY_NOT_SET_UP",
    "APP_CREDENTIALS_MALFORMED",
    "APP_NEEDS_A_GROUP",
    "A_PLAYLIST",
    "BACK_TO_APP",
    "BACK_TO_CHATS",
    "BACK_TO_TERMINAL",
    "BAD_STATE",
    "BODY_NOT_JSON",
    "BODY_NOT_OBJECT",
    "BUTTON_EXPIRED",
    "BUTTON_REFINE",
    "BUTTON_REGENERATE",
    "BUTTON_REGENERATING",
    "BUTTON_SAVE",
    "BUTTON_SAVING",
    "BUTTON_URIS",
    "BUTTON_URIS_SHORT",
    "CATALOGUE_NOT_ANSWERING",
    "CLIENT_GONE",
    "COMMAND_CHANGED",
    "COMMAND_MENU",
    "CONSOLE_BANNER",
    "DAILY_PLAYLISTS_OUT_OF_RANGE",
    "DEEP_LINK_EXPIRED",
    "DEFAULT_PLAYLIST_NAME",
    "DELIVERY_FAULT",
    "DEVICE_ID_INVALID",
    "DISCORD_COMMANDS",
    "DISCOVERY_INVALID",
    "EMPTY_LINE",
    "ENERGY_INVALID",
    "EXPIRED_STATE",
    "EXPLICIT_INVALID",
    "FEEDBACK",
    "GROUP_APP_ANONYMOUS",
    "GROUP_APP_CLIENT_ID",
    "GROUP_APP_CLIENT_SECRET",
    "GROUP_APP_MALFORMED",
    "GROUP_APP_NOT_SET_UP",
    "GROUP_APP_PRIVATE",
    "GROUP_APP_SAVED",
    "HELP",
    "LANDING_DENIED",
    "LANDING_DENIED_NEXT",
    "LANDING_ERROR",
    "LANDING_ERROR_NEXT",
    "LANDING_EXPIRED",
    "LANDING_EXPIRED_NEXT",
    "LANDING_INVALID",
    "LANDING_INVALID_NEXT",
    "LANDING_LIMITED",
    "LANDING_LIMITED_NEXT",
    "LANDING_LINKED",
    "LANDING_LINKED_NEXT",
    "LANDING_UNAVAILABLE",
    "LANDING_UNAVAILABLE_NEXT",
    "LANDING_USED",
    "LANDING_USED_NEXT",
    "LATE_ANSWER",
    "LIMITS_TITLE",
    "LINKED_ELSEWHERE_HINT",
    "LINK_DMS_CLOSED",
    "LINK_HELP",
    "LINK_LABEL",
    "LINK_PRIVATELY",
    "LINK_PRIVATE_ONLY",
    "LINK_REVOKED",
    "LINK_SENT_BY_DM",
    "LINK_SIX_MONTHS",
    "LINK_UNREADABLE",
    "MENTION_EXAMPLE",
    "NEEDS_MANAGE_SERVER",
    "NEW_SIGN_IN_REFUSED",
    "NONE",
    "NOTHING_FOUND",
    "NOTHING_TO_UNLINK",
    "NOT_ABOUT_MUSIC",
    "NOT_LINKED",
    "NOT_YOUR_PLAYLIST",
    "NO_LONGER_ADMIN",
    "NO_NEW_MATCHES",
    "NO_PLAYLIST_TO_REFINE",
    "NO_SPOTIFY_IDS",
    "NO_SUCH_PLAYLIST",
    "NO_TOP_ARTISTS",
    "OPERATOR_ONLY",
    "OPERATOR_ONLY_HINT",
    "OPERATOR_ONLY_TITLE",
    "OPTIONS_UNREADABLE",
    "OVERALL",
    "PAGE_ASKED_FOR",
    "PAGE_ASK_AGAIN",
    "PAGE_LINKS_AS_TEXT",
    "PAGE_LINKS_SELECTED",
    "PAGE_NOT_FOUND",
    "PAGE_NOT_FOUND_TITLE",
    "PAGE_PASTE_HINT",
    "PAGE_PUT_IN_SPOTIFY",
    "PAGE_REFINED_WITH",
    "PAGE_SEE_LATEST",
    "PAGE_TRACKS",
    "PAGE_VERSIONS",
    "PER_DAY",
    "PER_PLAYLIST",
    "PLATFORM_INVALID",
    "PLAYLIST_PAGE_BLURB",
    "PLAYLIST_PAGE_LABEL",
    "PLAYLIST_WORD",
    "PROFILE_FOOTER",
    "PROFILE_NOTHING_TO_CHANGE",
    "PROFILE_PAIRS_USAGE",
    "PROFILE_RESET",
    "PROFILE_SAVED",
    "PROFILE_SHOWN",
    "PROFILE_USAGE",
    "PROMPT",
    "PROMPT_MISSING",
    "REFINEMENTS_OUT_OF_RANGE",
    "REFINEMENTS_UNLIMITED",
    "REFINE_FORM_EXAMPLE",
    "REFINE_FORM_QUESTION",
    "REFINE_FORM_TITLE",
    "REFINE_IT_WITH",
    "REFINE_PLACEHOLDER",
    "REFINING",
    "REGENERATING",
    "REJECTION_REASON",
    "REPLAYED_STATE",
    "RESTARTING",
    "SAVE_NOT_SET_UP",
    "SAVE_USAGE",
    "SEND_PLAYLIST_OR_SONGS",
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
    "SIGN_IN_INCOMPLETE",
    "SKIP_TO_CONTENT",
    "SOMEONE_ELSES_PLAYLIST",
    "SONG_FIELDS_MISSING",
    "SONG_NEEDS_TITLE_AND_ARTIST",
    "SONG_NOT_OBJECT",
    "SORRY",
    "SPOTIFY_APP_REFUSED",
    "SPOTIFY_DEVELOPMENT_MODE",
    "SPOTIFY_GRANT_REFUSED",
    "SPOTIFY_NOT_ANSWERING",
    "SPOTIFY_NOT_SET_UP",
    "SPOTIFY_NO_REFRESH_TOKEN",
    "SPOTIFY_QUOTA_USED",
    "SPOTIFY_SIGN_IN_UNEXPECTED",
    "SPOTIFY_UNEXPECTED_PLAYLIST",
    "SPOTIFY_UNEXPECTED_PROFILE",
    "STAGE_ASKING_MODEL",
    "STAGE_DONE",
    "STAGE_SEARCHING",
    "STAGE_SELECTING",
    "STAGE_VALIDATING",
    "TASTE_IMPORTED",
    "TELEGRAM_HELP_LINES",
    "THIS_GROUP",
    "THIS_SERVER",
    "TITLE_NOUNS",
    "TOP_ARTISTS_NOT_ALLOWED",
    "UNKNOWN_ARTIST",
    "UNLINKED",
    "UNLINK_PRIVATELY",
    "UNTITLED_PLAYLIST",
    "URIS_HINT",
    "USED_STATE",
    "USER_CONTEXT_INVALID",
    "VERSION_NOT_FOUND",
    "WELCOME",
    "WELCOME_EXAMPLE",
    "WORKING",
    "account_linked",
    "back_to_platform",
    "body_too_large",
    "catalogue_quota",
    "chat_playlist_footer",
    "configuration_error",
    "console_playlist_footer",
    "continued",
    "count_not_a_number",
    "count_not_whole",
    "count_out_of_range",
    "dependency_state",
    "dependency_word",
    "device_secret_needed",
    "draft_footer",
    "draft_not_found",
    "fewer_new_songs",
    "fewer_songs",
    "field_required",
    "group_app_question",
    "input_empty",
    "input_not_text",
    "input_too_long",
    "language_invalid",
    "limit_state",
    "limits_summary",
    "limits_where",
    "link_again",
    "link_invitation",
    "linked_as",
    "linked_to",
    "linking_failed",
    "max_songs_out_of_range",
    "mention_hint",
    "no_model_answered",
    "not_a_draft_id",
    "not_a_track_id",
    "on_off",
    "open_platform",
    "overall_state",
    "page_copy_all",
    "page_cover_of",
    "page_expired_hint",
    "page_from_catalogue",
    "page_line",
    "page_links_copied",
    "page_links_label",
    "page_made",
    "page_open_in_spotify",
    "page_planned_by",
    "page_tracks",
    "page_version",
    "page_version_of",
    "page_works_until",
    "playlist_heading_draft",
    "playlist_length",
    "playlist_page",
    "playlist_page_line",
    "playlists_left_today",
    "playlists_made_today",
    "profile_line_too_long",
    "profile_summary",
    "profile_too_many_items",
    "prompt_line",
    "quota_used",
    "refine_question",
    "refined_with",
    "refinements_left",
    "refinements_used_up",
    "saved",
    "send_songs",
    "server_app_saved",
    "setting_not_a_number",
    "setting_not_a_switch",
    "settings_heading",
    "settings_how_to_change",
    "settings_max_songs",
    "settings_playlist_limit",
    "settings_refinement_limit",
    "settings_summary",
    "settings_title",
    "short_of_new_songs",
    "sign_in_limited",
    "spotify_slow_down",
    "stage_searching",
    "status_title",
    "title_and",
    "title_for",
    "title_like",
    "too_many_from_address",
    "tracks_label",
    "undelivered",
    "unknown_command",
    "unknown_profile_field",
    "unknown_setting",
    "uris_heading",
    "uris_title",
    "version_tag",
    "welcome_try",
    "working",
]


# --- artists named in a prompt (issue 17) ----------------------------------------------
def _either(names: list[str]) -> str:
    """"A", "A or B", "A, B or C"."""
    if len(names) == 1:
        return names[0]
    return _("{rest} or {last}").format(rest=", ".join(names[:-1]), last=names[-1])


def artists_not_in_catalogue(names: list[str]) -> str:
    """The note when artists the prompt named have no songs in the catalogue."""
    return _(
        "The catalogue has no songs by {names}, so these come from the rest of your request."
    ).format(names=_either(names))


def no_songs_by(names: list[str]) -> str:
    """The refusal when a request named only artists the catalogue has no songs by."""
    return _(
        "The catalogue has no songs by {names}. Try another artist, or describe the music "
        "you want; nothing was charged."
    ).format(names=_either(names))


__all__ += ["artists_not_in_catalogue", "no_songs_by"]


# --- blend ------------------------------------------------------------------------------
# Playlists made from several members' tastes (/blend); see core/blend_invites.py.
BUTTON_JOIN = Message("Join")
BUTTON_START = Message("Start")
BLEND_GROUP_ONLY = Message(
    "A blend is made with other people: start it in a server channel or a group."
)
BLEND_OFF = Message("Blends are switched off here by the admins.")
BLEND_MEMBERS_RANGE = Message("Members per blend must be from 2 to 10.")
BLEND_NO_PLAYLISTS_LEFT = Message(
    "You have no playlists left today, and a blend counts as one of yours. Try again after "
    "the daily reset."
)
BLEND_GONE = Message("That blend no longer exists; start a new one with /blend.")
BLEND_JOINED = Message("You're in! Your taste profile goes into the mix.")
BLEND_JOINED_NO_PROFILE = Message(
    "You're in! You have no taste profile yet, so you count with a neutral taste. Set your "
    "favourite genres and artists with /profile (for example: /profile set genres=jazz,soul) "
    "before the blend starts."
)
BLEND_NO_PROFILE_NOTICE = Message(
    "You were added to a blend. You have no taste profile yet, so you count with a neutral "
    "taste; set one with /profile (for example: /profile set genres=jazz,soul) before it starts."
)
BLEND_ALREADY_IN = Message("You're already in this blend.")
BLEND_ALREADY_STARTED = Message("This blend has already started; join the next one.")
BLEND_EXPIRED = Message("This invitation has expired; start a new blend with /blend.")
BLEND_NEEDS_MEMBERS = Message("Nobody has joined yet: a blend needs at least two people.")
BLEND_DEFAULT_OCCASION = Message("a mix of everyone's favourite music")
BLEND_EXPIRED_NOTICE = Message("⌛ This blend invitation has expired. Start a new one with /blend.")
BLEND_STARTED_NOTICE = Message("▶️ This blend has started: the playlist is on its way.")
BLEND_MENU_ENTRY = ("blend", Message("One playlist from the tastes of everyone who joins (groups)"))
BLEND_HELP = Message("""
  /blend [occasion]            in a group: one playlist from the tastes of everyone who joins""")


BLEND_MEMBER_SHAPE = Message(
    "Each member must be an object with a device_id (and its device_secret)."
)
BLENDS_UNAVAILABLE = Message("Blends are not available on this server.")


def blend_member(number: int) -> str:
    """A member the REST API was given no name for."""
    return _("Member {number}").format(number=number)


def blend_too_many(cap: int) -> str:
    return ngettext("A blend here has at most {cap} member, you included.",
                    "A blend here has at most {cap} members, you included.", cap).format(cap=number(cap))


def blend_full(cap: int) -> str:
    return ngettext("This blend is full ({cap} member).",
                    "This blend is full ({cap} members).", cap).format(cap=number(cap))


def blend_not_yours(starter: str) -> str:
    """Someone else pressed Start (or another starter-only button)."""
    return _("Only {starter}, who started this blend, can start it.").format(starter=starter)


def blend_invitation(starter: str, occasion: str, minutes: int) -> str:
    """The invitation's first line; ``starter`` and ``occasion`` are formatted by the front end."""
    if occasion:
        text = ngettext(
            "🎛️ {starter} is making a blend for {occasion}: one playlist from everyone's taste. "
            "Press Join within {minutes} minute to put yours in it.",
            "🎛️ {starter} is making a blend for {occasion}: one playlist from everyone's taste. "
            "Press Join within {minutes} minutes to put yours in it.", minutes)
    else:
        text = ngettext(
            "🎛️ {starter} is making a blend: one playlist from everyone's taste. "
            "Press Join within {minutes} minute to put yours in it.",
            "🎛️ {starter} is making a blend: one playlist from everyone's taste. "
            "Press Join within {minutes} minutes to put yours in it.", minutes)
    return text.format(starter=starter, occasion=occasion, minutes=number(minutes))


def blend_members(names: str, count: int, cap: int) -> str:
    """Who is in so far; ``names`` is formatted by the front end."""
    return _("In so far ({count}/{cap}): {names}").format(
        count=number(count), cap=number(cap), names=names)


def blend_left(names: str) -> str:
    """Members who left the group before Start; ``names`` formatted by the front end."""
    return _("Left out, no longer in this group: {names}.").format(names=names)


def blend_title(names: list[str]) -> str:
    return _("Blend: {names}").format(names=blend_credit(names))


def blend_credit(names: list[str]) -> str:
    """Whose taste a track serves: ``Alice``, ``Alice & Bob``, ``Alice, Bob & Carol``."""
    if len(names) <= 1:
        return names[0] if names else ""
    return ", ".join(names[:-1]) + " & " + names[-1]


def blend_summary(people: int, shared_percent: int) -> str:
    return ngettext("{people} person · {shared}% shared favourites",
                    "{people} people · {shared}% shared favourites", people).format(
        people=number(people), shared=number(shared_percent))


SETTING_BLENDS = Message("Blends")


def blend_state(on: bool, members: int) -> str:
    """Blends as an admin sees them: ``on, up to 10 members``."""
    return ngettext("{state}, up to {members} member", "{state}, up to {members} members",
                    members).format(state=on_off(on), members=number(members))


def settings_blends(on: bool, members: int, keys: str) -> str:
    """``keys`` names the settings that change it, formatted by the front end."""
    return ngettext("Blends: {state}, up to {members} member ({keys})",
                    "Blends: {state}, up to {members} members ({keys})", members).format(
        state=on_off(on), members=number(members), keys=keys)


__all__ += [
    "BLENDS_UNAVAILABLE",
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
    "BLEND_MEMBER_SHAPE",
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

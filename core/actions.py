"""The conversation layer: the verbs every front end calls, each returning one ``Reply``.

Console, Telegram, Discord and the REST API parse their own input onto these verbs
and render the reply natively; the wording and the one error policy live here:

* a refusal the user can act on (an ``EchoTunerError``) is answered with its message;
* anything unexpected is logged once and answered with one apology;
* ``DeliveryFailed`` (the chat refused the answer itself) propagates: no reply could
  reach the user through that chat either, and the adapter says so its own way.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Concatenate, ParamSpec

from core import i18n, wording
from core.engine import Deliver, Engine
from core.errors import DeliveryFailed, EchoTunerError, InvalidInput
from core.models import Conversation, LimitSettings, Playlist, Profile, ProgressCallback, UserRef
from core.profile_edit import apply_changes
from core.replies import (
    HealthReply,
    LimitsReply,
    PlaylistReply,
    ProfileReply,
    Reply,
    SettingsReply,
    TextReply,
    UrisReply,
)

if TYPE_CHECKING:
    from core.blend_invites import Blends
    from core.linking import Linking
    from core.sharing import Sharing

log = logging.getLogger(__name__)

P = ParamSpec("P")

Verb = Callable[Concatenate["Actions", P], Awaitable[Reply]]
#: Sends a finished playlist inside the engine's charge: if it raises, nothing is charged.
SendPlaylist = Callable[[PlaylistReply], Awaitable[None]]


def error_reply(exc: BaseException, what: str) -> TextReply:
    """The one error policy, for a failure that did not come through a verb.

    ``DeliveryFailed`` is not a reply: callers let it propagate.
    """
    if isinstance(exc, EchoTunerError):
        return TextReply(exc.user_message, error=True, code=exc.code)
    log.error("%s failed", what, exc_info=exc)
    return TextReply(wording.SORRY(), error=True, code="internal")


def verb(name: str) -> Callable[[Verb[P]], Verb[P]]:
    """Wraps a verb in the one error policy; ``name`` is what the log calls it."""

    def wrap(method: Verb[P]) -> Verb[P]:
        @functools.wraps(method)
        async def run(self: Actions, /, *args: P.args, **kwargs: P.kwargs) -> Reply:
            try:
                return await method(self, *args, **kwargs)
            except DeliveryFailed:
                raise
            except Exception as exc:  # the engine refunded whatever it had reserved
                return error_reply(exc, name)

        return run

    return wrap


class Actions:
    """Typed verbs over the engine, the account linking and the playlist pages."""

    def __init__(
        self, engine: Engine, linking: Linking | None = None, sharing: Sharing | None = None,
        blends: Blends | None = None,
    ) -> None:
        self.engine = engine
        self.linking = linking
        self.sharing = sharing
        self.blends = blends
        if blends is not None:  # a blend's members may open and save its playlist
            engine.shared_with = blends.is_member

    @property
    def accounts_enabled(self) -> bool:
        """Whether Spotify accounts can be linked (and playlists saved) on this bot."""
        return self.linking is not None

    async def language(self, user: UserRef, *platform: str | None) -> str:
        """The locale to answer ``user`` in: the language pinned in their profile, else the
        first of the platform's tags (``interaction.locale``, ``language_code``,
        ``Accept-Language``, ``LANG``) the bot speaks, else English.  Front ends call it
        once where a request enters and serve it inside ``core.i18n.speaking``."""
        try:
            pinned = (await self.engine.get_profile(user)).language
        except Exception:  # the store is down: the platform's language still answers
            log.warning("could not read %s's pinned language", user.platform, exc_info=True)
            pinned = ""
        return i18n.negotiate(pinned, *platform)

    def help_text(self) -> str:
        return (wording.HELP() + (wording.LINK_HELP() if self.linking is not None else "")
                + (wording.BLEND_HELP() if self.blends is not None else ""))

    # --- playlists ----------------------------------------------------------------------
    async def _shown(self, playlist: Playlist) -> PlaylistReply:
        share = await self.sharing.share_url(playlist.draft_id) if self.sharing else None
        reply = PlaylistReply(playlist, share_url=share)
        return await self.blends.decorate(reply) if self.blends is not None else reply

    @verb("playlist")
    async def playlist(
        self, user: UserRef, prompt: str, count: int | None = None, *,
        progress: ProgressCallback | None = None, deliver: SendPlaylist | None = None,
    ) -> Reply:
        """A new playlist; charged only once ``deliver`` (when given) has sent it."""
        return await self._shown(await self.engine.generate(
            user, prompt, count, progress, deliver=self._with_share(deliver)))

    @verb("refine")
    async def refine(
        self, user: UserRef, feedback: str, draft_id: int | None = None, *,
        version: int | None = None, progress: ProgressCallback | None = None,
        deliver: SendPlaylist | None = None,
    ) -> Reply:
        """A new version of one of the user's playlists (their latest when no id), built
        from ``version`` when given: the one the user was looking at."""
        return await self._shown(await self.engine.refine(
            user, feedback, draft_id, progress, deliver=self._with_share(deliver), version=version))

    @verb("regenerate")
    async def regenerate(
        self, user: UserRef, draft_id: int | None = None, *,
        version: int | None = None, progress: ProgressCallback | None = None,
        deliver: SendPlaylist | None = None,
    ) -> Reply:
        """A fresh take on the same prompt, new against every earlier version; costs a refinement."""
        return await self._shown(await self.engine.regenerate(
            user, draft_id, progress, deliver=self._with_share(deliver), version=version))

    def _with_share(self, deliver: SendPlaylist | None) -> Deliver | None:
        """The engine's ``deliver``: the front end is handed the reply it would render."""
        if deliver is None:
            return None
        send = deliver

        async def hand_over(playlist: Playlist) -> None:
            await send(await self._shown(playlist))

        return hand_over

    @verb("show")
    async def show(
        self, user: UserRef, draft_id: int, version: int | None = None, *, shared: bool = False
    ) -> Reply:
        """One of the user's playlists: its latest version, or ``version``.  ``shared``: one
        shared with the user (a blend they are in) too."""
        return await self._shown(await self.engine.get_playlist(user, draft_id, version,
                                                                shared=shared))

    @verb("uris")
    async def uris(self, user: UserRef, draft_id: int, version: int | None = None) -> Reply:
        """A playlist's spotify:track: lines (of ``version`` when given: what a message shows)."""
        return UrisReply(await self.engine.get_playlist(user, draft_id, version))

    # --- Spotify accounts -------------------------------------------------------------------
    @verb("save")
    async def save(
        self, user: UserRef, draft_id: int | None = None, version: int | None = None
    ) -> Reply:
        """Puts a playlist (``version`` of it, when given) in the user's Spotify; without
        Spotify accounts on this bot, its URIs to paste instead.  Any member of a blend may
        save its playlist to their own account."""
        draft = await self.engine.own_draft(user, draft_id, shared=True)
        playlist = await self.engine.get_playlist(user, draft.id, version, shared=True)
        if self.linking is None:
            return UrisReply(playlist, note=wording.SAVE_NOT_SET_UP())
        url = await self.linking.save(user, draft.id, playlist.version)
        return TextReply(wording.saved(playlist.title), link=url, link_label=playlist.title)

    @verb("link")
    async def link(
        self, user: UserRef, notify: Conversation, *, private: bool, chat_account: str = ""
    ) -> Reply:
        """A sign-in link; ``private`` says the answer reaches this user alone.
        ``chat_account`` is how the chat shows the user ("@alice"), for the landing page."""
        if self.linking is None:
            return TextReply(wording.SPOTIFY_NOT_SET_UP(), error=True, code="not_configured")
        if not private:
            raise InvalidInput(wording.LINK_PRIVATE_ONLY())
        url = await self.linking.link_start(user, notify, chat_account=chat_account)
        minutes = int(self.linking.state_ttl.total_seconds() // 60)
        return TextReply(wording.link_invitation(minutes), link=url, link_label=wording.LINK_LABEL())

    @verb("unlink")
    async def unlink(self, user: UserRef) -> Reply:
        if self.linking is None:
            return TextReply(wording.SPOTIFY_NOT_SET_UP(), error=True, code="not_configured")
        removed = await self.linking.unlink(user)
        return TextReply(wording.UNLINKED() if removed else wording.NOTHING_TO_UNLINK())

    @verb("set group app")
    async def set_group_app(self, scope: str, client_id: str, client_secret: str) -> Reply:
        """A group's own Spotify app (the caller has checked its admin and kept the secret
        out of every log and chat)."""
        if self.linking is None:
            return TextReply(wording.GROUP_APP_NOT_SET_UP(), error=True, code="not_configured")
        await self.linking.set_scope_app(scope, client_id, client_secret)
        return TextReply(wording.GROUP_APP_SAVED())

    @verb("import_taste")
    async def import_taste(self, user: UserRef) -> Reply:
        if self.linking is None:
            return TextReply(wording.SPOTIFY_NOT_SET_UP(), error=True, code="not_configured")
        return ProfileReply(await self.linking.import_taste(user), wording.TASTE_IMPORTED())

    # --- profile, limits, status --------------------------------------------------------------
    @verb("profile")
    async def profile_show(self, user: UserRef) -> Reply:
        return ProfileReply(await self.engine.get_profile(user), wording.PROFILE_SHOWN())

    @verb("profile set")
    async def profile_set(self, user: UserRef, changes: Mapping[str, str]) -> Reply:
        """Applies ``key=value`` changes (see ``core.profile_edit``); others stay."""
        if not changes:
            raise InvalidInput(wording.PROFILE_NOTHING_TO_CHANGE())
        profile = apply_changes(await self.engine.get_profile(user), dict(changes))
        return ProfileReply(await self.engine.set_profile(user, profile), wording.PROFILE_SAVED())

    @verb("profile reset")
    async def profile_reset(self, user: UserRef) -> Reply:
        return ProfileReply(await self.engine.set_profile(user, Profile()), wording.PROFILE_RESET())

    @verb("limits")
    async def limits(self, user: UserRef) -> Reply:
        return LimitsReply(await self.engine.limits_status(user))

    @verb("status")
    async def status(self) -> Reply:
        return HealthReply(await self.engine.health())

    # --- admins (the caller has checked the platform's permission) ----------------------
    @verb("settings")
    async def settings_show(self, scope: str, where: str) -> Reply:
        return SettingsReply(await self.engine.limit_settings(scope), where)

    @verb("settings set")
    async def settings_set(self, scope: str, where: str, settings: LimitSettings) -> Reply:
        return SettingsReply(await self.engine.set_limits(scope, settings), where, changed=True)

    @verb("settings reset")
    async def settings_reset(self, scope: str, where: str) -> Reply:
        defaults = self.engine.config.defaults
        return SettingsReply(await self.engine.set_limits(scope, defaults), where, changed=True)


__all__ = ["Actions", "SendPlaylist", "error_reply", "verb"]

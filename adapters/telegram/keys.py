"""Short opaque keys kept in scratch space: button callbacks, pending replies, deep-link nonces.

Telegram gives a button 64 bytes of ``callback_data`` and a deep link 64 characters
of payload, and both are visible to every client, so neither carries meaning: they
carry a random key that the ``Scratch`` port resolves.  Nothing here keeps a raw Telegram
id: owners are the engine's HMAC user keys, and lookups by chat/message are HMAC'd too.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from core.identity import UserKeys
from core.models import UserRef
from core.ports import Scratch

Action = Literal["refine", "regenerate", "save", "uris"]
ACTIONS: tuple[Action, ...] = ("refine", "regenerate", "save", "uris")
PendingKind = Literal["refine", "app_credentials"]
DeepLinkKind = Literal["link", "unlink", "app"]
DEEP_LINK_KINDS: tuple[DeepLinkKind, ...] = ("link", "unlink", "app")
_DEEP_LINK_BY_NAME: dict[str, DeepLinkKind] = {k: k for k in DEEP_LINK_KINDS}

# The scratch namespaces ``bot/`` gives the key book (the names buttons were stored under
# before the Scratch port, so buttons already in chats keep working).
CALLBACK_NAMESPACE = "telegram:callback"
PENDING_NAMESPACE = "telegram:pending"
DEEP_LINK_NAMESPACE = "telegram:deeplink"
CALLBACK_PREFIX = "k:"
DEEP_LINK_TTL = timedelta(minutes=10)
PENDING_TTL = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class ButtonTarget:
    """What a pressed button means: which draft (and version of it), which action, whose.

    ``version`` is the version the button's message shows; None (keys made before
    versions were kept) means the draft's latest.
    """

    draft_id: int
    action: Action
    owner_key: str
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Pending:
    """A question the bot asked with ForceReply, waiting for its answer."""

    kind: PendingKind
    owner_key: str
    draft_id: int | None = None
    scope: str | None = None  # the group whose Spotify app an admin is setting
    version: int | None = None  # the version to refine (None: the latest)


@dataclass(frozen=True, slots=True)
class DeepLink:
    """A consumed deep-link nonce: what the private chat should now do."""

    kind: DeepLinkKind
    chat_id: int | None = None  # the group, for "app"


@dataclass(frozen=True, slots=True)
class KeySpaces:
    """Where the key book keeps each kind of key: one scratch namespace each."""

    buttons: Scratch
    questions: Scratch
    deep_links: Scratch


class KeyBook:
    """Creates and resolves the keys above in scratch space (``core.ports.Scratch``)."""

    def __init__(
        self, spaces: KeySpaces, keys: UserKeys, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._spaces = spaces
        self._keys = keys
        self._clock = clock or (lambda: datetime.now(UTC))  # the scratch space's clock

    def owner(self, user: UserRef) -> str:
        return self._keys.key(user)

    # --- buttons ----------------------------------------------------------------
    async def button(
        self, user: UserRef, draft_id: int, action: Action, expires_at: datetime,
        version: int | None = None,
    ) -> str:
        """A ``callback_data`` value (26 bytes) for one button, valid as long as the draft.

        ``version`` is the version of the draft the button's message shows: the button acts
        on that one, whatever was made since.
        """
        key = secrets.token_urlsafe(18)
        fields: dict[str, object] = {"d": draft_id, "a": action, "o": self.owner(user)}
        if version is not None:
            fields["v"] = version
        ttl = max(expires_at - self._clock(), timedelta(0))
        await self._spaces.buttons.put(key, json.dumps(fields), ttl)
        return CALLBACK_PREFIX + key

    async def resolve_button(self, data: str | None) -> ButtonTarget | None:
        if not data or not data.startswith(CALLBACK_PREFIX):
            return None
        raw = await self._spaces.buttons.get(data[len(CALLBACK_PREFIX):])
        if raw is None:
            return None
        try:
            value = json.loads(raw)
            action = value["a"]
            if action not in ACTIONS:
                return None
            version = value.get("v")  # absent in keys made before versions were kept
            return ButtonTarget(draft_id=int(value["d"]), action=action, owner_key=str(value["o"]),
                                version=int(version) if version is not None else None)
        except (ValueError, KeyError, TypeError):
            return None

    # --- ForceReply questions -------------------------------------------------------
    def _message_key(self, chat_id: int, message_id: int) -> str:
        return self._keys.scope_key(f"telegram-message:{chat_id}:{message_id}")

    async def expect_reply(self, chat_id: int, message_id: int, pending: Pending) -> None:
        """Remembers that the answer to this bot message is ``pending``."""
        value = json.dumps({"k": pending.kind, "o": pending.owner_key, "d": pending.draft_id,
                            "s": pending.scope, "v": pending.version})
        await self._spaces.questions.put(self._message_key(chat_id, message_id), value, PENDING_TTL)

    async def pending(self, chat_id: int, message_id: int) -> Pending | None:
        raw = await self._spaces.questions.get(self._message_key(chat_id, message_id))
        if raw is None:
            return None
        try:
            value = json.loads(raw)
            kind = value["k"]
            if kind not in ("refine", "app_credentials"):
                return None
            draft, version = value.get("d"), value.get("v")
            return Pending(kind=kind, owner_key=str(value["o"]),
                           draft_id=int(draft) if draft is not None else None, scope=value.get("s"),
                           version=int(version) if version is not None else None)
        except (ValueError, KeyError, TypeError):
            return None

    async def answered(self, chat_id: int, message_id: int) -> None:
        """Retires a question once answered."""
        await self._spaces.questions.take(self._message_key(chat_id, message_id))

    # --- deep links -------------------------------------------------------------
    def _nonce_state(self, nonce: str, user: UserRef, kind: DeepLinkKind, chat_id: int | None) -> str:
        # The stored state is an HMAC of the nonce *and* the user it was made for, so a
        # group member who taps someone else's button finds nothing and consumes nothing.
        where = "" if chat_id is None else str(chat_id)
        return self._keys.scope_key(f"deeplink:{kind}:{where}:{nonce}:{user.user_id}")

    async def deep_link(self, user: UserRef, kind: DeepLinkKind, chat_id: int | None = None) -> str:
        """A one-time ``/start`` payload for ``user``, valid for ten minutes."""
        nonce = secrets.token_hex(12)
        await self._spaces.deep_links.put(
            self._nonce_state(nonce, user, kind, chat_id), self.owner(user), DEEP_LINK_TTL
        )
        if chat_id is None:
            return f"{kind}-{nonce}"
        return f"{kind}_{chat_id}_{nonce}"

    async def consume_deep_link(self, user: UserRef, payload: str) -> DeepLink | None:
        """The deep link's meaning if ``payload`` is a live nonce made for ``user``; single use."""
        kind: str
        chat_id: int | None = None
        if "_" in payload:
            kind, _, rest = payload.partition("_")
            chat_text, _, nonce = rest.rpartition("_")
            try:
                chat_id = int(chat_text)
            except ValueError:
                return None
        else:
            kind, _, nonce = payload.partition("-")
        typed = _DEEP_LINK_BY_NAME.get(kind)
        if typed is None or len(nonce) != 24:
            return None
        owner = await self._spaces.deep_links.take(self._nonce_state(nonce, user, typed, chat_id))
        if owner is None or owner != self.owner(user):
            return None
        return DeepLink(kind=typed, chat_id=chat_id)

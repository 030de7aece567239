-- EchoTuner schema, version 5: blends, playlists made from several members' tastes.

-- A blend starts as an invitation in a server or group: members join until its starter
-- presses Start or the invitation expires.  Joining is one UPDATE of `joined` (under the
-- row's lock) and one INSERT, in one transaction, so concurrent joins from several bot
-- processes never pass `max_members`.  Once made, `draft_id` is the playlist (owned by
-- the starter) and `credits_json` says whose taste each track serves.  Members' platform
-- ids are kept sealed (Fernet, with the token key): the bot needs them to check that a
-- member is still in the group; keys are the usual HMAC user keys.
CREATE TABLE blends (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    starter_key  TEXT    NOT NULL,
    scope        TEXT    NOT NULL,            -- hashed scope key, as drafts.scope
    platform     TEXT    NOT NULL,
    prompt       TEXT    NOT NULL DEFAULT '',  -- the occasion; empty: none given
    count        INTEGER,                     -- songs asked for; NULL: the default
    max_members  INTEGER NOT NULL,
    joined       INTEGER NOT NULL DEFAULT 0,
    status       TEXT    NOT NULL CHECK (status IN ('open', 'started', 'done', 'expired')),
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,             -- end of the joining window
    draft_id     INTEGER REFERENCES drafts (id) ON DELETE SET NULL,
    credits_json TEXT    NOT NULL DEFAULT '{}'
);

CREATE INDEX blends_draft ON blends (draft_id);
CREATE INDEX blends_expires ON blends (expires_at);

CREATE TABLE blend_members (
    blend_id     INTEGER NOT NULL REFERENCES blends (id) ON DELETE CASCADE,
    member_key   TEXT    NOT NULL,
    position     INTEGER NOT NULL,            -- 0 is the starter, then in joining order
    display_name TEXT    NOT NULL,
    user_sealed  BLOB    NOT NULL,            -- Fernet token of the member's platform ref
    joined_at    TEXT    NOT NULL,
    PRIMARY KEY (blend_id, member_key)
);

-- EchoTuner schema, version 5: blends, playlists made from several members' tastes.
-- PostgreSQL dialect of data/migrations/0005_blends.sql: same tables and keys,
-- timestamptz for times, identity and bigint ids, bytea for sealed values.

-- A blend starts as an invitation in a server or group: members join until its starter
-- presses Start or the invitation expires.  Joining is one UPDATE of `joined` (under the
-- row's lock) and one INSERT, in one transaction, so concurrent joins from several bot
-- processes never pass `max_members`.  Once made, `draft_id` is the playlist (owned by
-- the starter) and `credits_json` says whose taste each track serves.  Members' platform
-- ids are kept sealed (Fernet, with the token key): the bot needs them to check that a
-- member is still in the group; keys are the usual HMAC user keys.
CREATE TABLE blends (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    starter_key  TEXT        NOT NULL,
    scope        TEXT        NOT NULL,
    platform     TEXT        NOT NULL,
    prompt       TEXT        NOT NULL DEFAULT '',
    count        INTEGER,
    max_members  INTEGER     NOT NULL,
    joined       INTEGER     NOT NULL DEFAULT 0,
    status       TEXT        NOT NULL CHECK (status IN ('open', 'started', 'done', 'expired')),
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    draft_id     BIGINT REFERENCES drafts (id) ON DELETE SET NULL,
    credits_json TEXT        NOT NULL DEFAULT '{}'
);

CREATE INDEX blends_draft ON blends (draft_id);
CREATE INDEX blends_expires ON blends (expires_at);

CREATE TABLE blend_members (
    blend_id     BIGINT      NOT NULL REFERENCES blends (id) ON DELETE CASCADE,
    member_key   TEXT        NOT NULL,
    position     INTEGER     NOT NULL,
    display_name TEXT        NOT NULL,
    user_sealed  BYTEA       NOT NULL,
    joined_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (blend_id, member_key)
);

-- EchoTuner schema, version 2: per-scope music apps and saved playlists (Spotify issue).
-- PostgreSQL dialect of data/migrations/0002_spotify.sql: same tables and keys,
-- timestamptz for times, bytea for the encrypted blob.

-- A server's or group's own Spotify app (client id and secret), encrypted by the caller,
-- so a community is not capped by the operator's development-mode app.
CREATE TABLE scope_apps (
    scope_key  TEXT        NOT NULL,
    provider   TEXT        NOT NULL,
    app_blob   BYTEA       NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope_key, provider)
);

-- Where a draft was saved, so saving it again updates that playlist instead of
-- creating a second one.  Removed with the draft.
CREATE TABLE saved_playlists (
    user_key    TEXT        NOT NULL,
    draft_id    BIGINT      NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    provider    TEXT        NOT NULL,
    account_id  TEXT        NOT NULL,
    playlist_id TEXT        NOT NULL,
    url         TEXT        NOT NULL,
    saved_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_key, draft_id, provider)
);

CREATE INDEX saved_playlists_draft ON saved_playlists (draft_id);

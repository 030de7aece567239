-- EchoTuner schema, version 1 (PostgreSQL dialect of data/migrations/0001_initial.sql).
--
-- Same tables, columns and keys as the SQLite file of the same number; only the
-- types differ: timestamps are timestamptz (stored as UTC instants), ids come from
-- an identity column (never reused), token blobs are bytea.
-- Keys are HMAC hashes of platform ids computed by the engine, never raw ids.
-- Applied by data/pg_migrate.py inside one transaction that also records the
-- version in schema_migrations, under an advisory lock.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE profiles (
    user_key     TEXT PRIMARY KEY,
    profile_json TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE quota_counters (
    user_key TEXT    NOT NULL,
    scope    TEXT    NOT NULL,
    day      TEXT    NOT NULL,              -- UTC day chosen by the engine, e.g. 2026-05-09
    used     INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
    PRIMARY KEY (user_key, scope, day)
);

CREATE TABLE limit_settings (
    scope         TEXT PRIMARY KEY,
    settings_json TEXT NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE drafts (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- ids are never reused
    owner_key        TEXT        NOT NULL,
    scope            TEXT        NOT NULL,
    prompt           TEXT        NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    expires_at       TIMESTAMPTZ NOT NULL,
    refinements_used INTEGER     NOT NULL DEFAULT 0 CHECK (refinements_used >= 0)
);

CREATE INDEX drafts_owner_scope_created ON drafts (owner_key, scope, created_at);
CREATE INDEX drafts_expires ON drafts (expires_at);

CREATE TABLE draft_versions (
    draft_id        BIGINT      NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    version         INTEGER     NOT NULL CHECK (version >= 1),
    title           TEXT        NOT NULL,
    strategy_json   TEXT        NOT NULL,
    tracks_json     TEXT        NOT NULL,
    provider        TEXT        NOT NULL,
    catalogue       TEXT        NOT NULL,
    requested_count INTEGER     NOT NULL,
    feedback        TEXT,
    note            TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (draft_id, version)
);

CREATE TABLE oauth_states (
    state      TEXT PRIMARY KEY,
    user_key   TEXT        NOT NULL,
    payload    TEXT        NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX oauth_states_expires ON oauth_states (expires_at);

CREATE TABLE linked_accounts (
    user_key     TEXT        NOT NULL,
    provider     TEXT        NOT NULL,
    account_id   TEXT        NOT NULL,
    display_name TEXT        NOT NULL,
    token_blob   BYTEA       NOT NULL,         -- encrypted by the caller before it gets here
    linked_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_key, provider)
);

CREATE TABLE cache (
    namespace  TEXT        NOT NULL,
    key        TEXT        NOT NULL,
    value      TEXT        NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (namespace, key)
);

CREATE INDEX cache_expires ON cache (expires_at);

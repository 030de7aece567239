-- EchoTuner schema, version 4: no bearer secret kept in plain text in the database.
-- PostgreSQL dialect of data/migrations/0004_secrets_at_rest.sql.

-- OAuth states were stored as the raw values users carry in their authorisation links,
-- so a copy of the database could finish someone else's pending link.  Only the
-- SHA-256 digest of a state is kept now, and the state a callback brings is looked up
-- by its digest.  Pending states (they live ten minutes) are dropped by this upgrade,
-- not converted: a user in the middle of linking asks for a new link.
DROP TABLE oauth_states;

CREATE TABLE oauth_states (
    state_digest TEXT        PRIMARY KEY,   -- hex SHA-256 of the state, never the state
    user_key     TEXT        NOT NULL,
    payload      TEXT        NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX oauth_states_expires ON oauth_states (expires_at);

-- Generated secrets (the key that hashes user ids, the Telegram webhook secret) were
-- kept in plain text in `meta`.  They are sealed now (Fernet, with TOKEN_ENCRYPTION_KEY,
-- which every process sharing the database must have).  The store moves the old plain
-- rows here, sealed, and drops `meta` when it opens with that key, since SQL alone has
-- no key (data/postgres_store.py, _seal_plain_meta).
CREATE TABLE sealed_meta (
    key   TEXT  PRIMARY KEY,
    value BYTEA NOT NULL                    -- Fernet token of the UTF-8 value
);

-- Cache keys are looked up, never listed, and some are bearer values (REST session ids,
-- Telegram button keys): they are stored as hex SHA-256 digests now, existing rows
-- included (the same digest as data.token_cipher.bearer_digest).
UPDATE cache SET key = encode(sha256(convert_to(key, 'UTF8')), 'hex');

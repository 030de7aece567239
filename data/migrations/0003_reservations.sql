-- EchoTuner schema, version 3: reservations that survive a crash, and claimed chat updates.

-- A quota reservation is a row with an expiry, not a counter bumped in advance: a
-- process killed in the middle of a generation leaves a row that stops counting once
-- it expires, and the housekeeping sweep of any process deletes it.  What counts
-- against a limit is the confirmed count (quota_counters.used, drafts.refinements_used)
-- plus the live (unexpired) reservations.  Confirming moves a reservation into the
-- confirmed count in one transaction; a failure deletes it.
CREATE TABLE quota_reservations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL CHECK (kind IN ('playlist', 'refinement')),
    user_key   TEXT,                    -- playlist: the (user, scope, UTC day) it counts for
    scope      TEXT,
    day        TEXT,
    draft_id   INTEGER REFERENCES drafts (id) ON DELETE CASCADE,  -- refinement: its draft
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    CHECK (
        (kind = 'playlist' AND user_key IS NOT NULL AND scope IS NOT NULL AND day IS NOT NULL
         AND draft_id IS NULL)
        OR (kind = 'refinement' AND draft_id IS NOT NULL AND user_key IS NULL)
    )
);

CREATE INDEX quota_reservations_counter ON quota_reservations (user_key, scope, day);
CREATE INDEX quota_reservations_draft ON quota_reservations (draft_id);
CREATE INDEX quota_reservations_expires ON quota_reservations (expires_at);

-- Chat updates already taken by some process (Telegram redelivers an update when a
-- webhook answer is slow), so a redelivery is dropped instead of answered twice.
CREATE TABLE claimed_updates (
    source     TEXT    NOT NULL,        -- whose numbering, e.g. telegram:<bot id>
    update_id  INTEGER NOT NULL,
    expires_at TEXT    NOT NULL,
    PRIMARY KEY (source, update_id)
);

CREATE INDEX claimed_updates_expires ON claimed_updates (expires_at);

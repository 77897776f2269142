//! The ledger's schema, its version and its migrations.
//!
//! The schema is part of wirefeed's interface: operators read the ledger with the `sqlite3`
//! shell, so the tables below are documented in README ("The publication ledger") and change
//! only by a numbered migration, never by rebuilding the file.

/// `PRAGMA application_id` of a wirefeed ledger ("WFLG"): tells our database from any other
/// SQLite file at a path someone mistyped.
pub(super) const APPLICATION_ID: i32 = 0x5746_4C47;

/// The schema version this wirefeed writes (`PRAGMA user_version`).
pub const VERSION: i32 = 1;

/// The schema of a new ledger, at [`VERSION`].
///
/// Times are whole seconds since the Unix epoch (UTC); `utc_offset` is the offset, in seconds,
/// of the publication time's zone. The content hash is an xxh3 of the story file and what its
/// sidecar tells readers, stored as a signed 64-bit integer (SQLite has no unsigned one).
pub(super) const CREATE: &str = "
CREATE TABLE story (
    id          TEXT PRIMARY KEY NOT NULL,   -- the story's id: its path without the extension
    path        TEXT NOT NULL,               -- its file, relative to the articles folder
    first_seen  INTEGER NOT NULL,            -- build clock of the first build that saw it
    hash        INTEGER NOT NULL,            -- content hash at the last build that saw it
    published   INTEGER NOT NULL,            -- the publication time used in the feeds…
    utc_offset  INTEGER NOT NULL,            -- …and its UTC offset
    time_from   TEXT NOT NULL CHECK (time_from IN       -- where that time came from
                    ('story', 'first-seen', 'mtime', 'midnight')),
    revised     INTEGER,                     -- when its content last changed (Atom updated)
    gone        INTEGER,                     -- when it was withdrawn or its file deleted…
    gone_reason TEXT CHECK (gone_reason IN ('withdrawn', 'deleted')) -- …and which
) STRICT, WITHOUT ROWID;

CREATE TABLE listing (
    id           TEXT NOT NULL,              -- a story id
    feed_set     TEXT NOT NULL,              -- the folder of a feed set ('' for the root)
    first_listed INTEGER NOT NULL,           -- build clock when it first was in that set's feeds
    PRIMARY KEY (id, feed_set)
) STRICT, WITHOUT ROWID;

CREATE TABLE event (
    id     TEXT NOT NULL,                    -- a story id
    at     INTEGER NOT NULL,                 -- build clock
    kind   TEXT NOT NULL CHECK (kind IN
               ('changed', 'retimed', 'withdrawn', 'deleted', 'restored')),
    detail TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX event_by_story ON event (id, at);
";

/// The migrations, in order: `MIGRATIONS[n]` takes a ledger from version `n + 1` to `n + 2`.
/// A ledger is migrated forward in the transaction of a build; one of a newer version than
/// [`VERSION`] is refused, never rewritten.
pub(super) const MIGRATIONS: &[&str] = &[];

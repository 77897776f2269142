//! The publication ledger: what wirefeed published and when, kept across builds in SQLite.
//!
//! Unlike the cache, which is a disposable speed-up, the ledger is history: when each story was
//! first seen, the publication time chosen for it, when its content changed, when it was
//! withdrawn or deleted and in which feeds it appeared. The feeds' times depend on it, so
//! wirefeed never deletes or rebuilds it: a missing ledger is created (and the build says so),
//! a damaged, foreign or newer one stops the build and is left untouched.
//!
//! A build reads the ledger before rendering and writes what it learnt in one transaction
//! after the feeds are written (SQLite's rollback journal makes that transaction all or
//! nothing, even under `kill -9`).

mod schema;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::diagnostic::shown;

pub use schema::VERSION;

/// Where a story's publication time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeSource {
    /// The story's own time: its dateline's, or its sidecar's `published`.
    Story,
    /// The first build that saw the story (its dateline gives a date only).
    FirstSeen,
    /// The file's modification time (first seen on a later day).
    Mtime,
    /// Midnight of the dateline's date: nothing better is known.
    Midnight,
}

impl TimeSource {
    /// Its name in the ledger (`time_from`).
    pub fn as_str(self) -> &'static str {
        match self {
            TimeSource::Story => "story",
            TimeSource::FirstSeen => "first-seen",
            TimeSource::Mtime => "mtime",
            TimeSource::Midnight => "midnight",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            TimeSource::Story,
            TimeSource::FirstSeen,
            TimeSource::Mtime,
            TimeSource::Midnight,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// Why a story left the feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GoneReason {
    /// Its sidecar says `status = "withdrawn"`.
    Withdrawn,
    /// Its file is no longer in the archive.
    Deleted,
}

impl GoneReason {
    /// Its name in the ledger (`gone_reason`, and the event's `kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            GoneReason::Withdrawn => "withdrawn",
            GoneReason::Deleted => "deleted",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [GoneReason::Withdrawn, GoneReason::Deleted]
            .into_iter()
            .find(|g| g.as_str() == s)
    }
}

/// One story's row of the ledger. Times are seconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// When the first build that saw it ran (build clock).
    pub first_seen: i64,
    /// The content hash at the last build that saw it.
    pub hash: u64,
    /// The publication time used in the feeds…
    pub published: i64,
    /// …its UTC offset in seconds…
    pub offset: i32,
    /// …and where it came from.
    pub source: TimeSource,
    /// When its content last changed after it was first seen.
    pub revised: Option<i64>,
    /// When and why it left the feeds, if it did.
    pub gone: Option<(i64, GoneReason)>,
}

/// Every story's record, by id, in the ids' byte order (the order [`Ledger::each_record`] reads
/// them in).
pub type Records = std::collections::BTreeMap<String, Record>;

/// A story's row as written: the record and the file it was read from.
///
/// The id is not stored beside the path: it is the path's ([`crate::article::id_of`]), and a
/// first build of a large archive holds one row per story until its commit (at a million
/// stories, a second string each was some 50 MB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Its file, relative to the articles folder.
    pub path: Box<str>,
    /// The record.
    pub record: Record,
}

impl Row {
    /// The story id.
    pub fn id(&self) -> &str {
        crate::article::id_of(&self.path)
    }
}

/// One line of a story's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Build clock.
    pub at: i64,
    /// `changed`, `retimed`, `withdrawn`, `deleted` or `restored`.
    pub kind: String,
    /// What changed, in words.
    pub detail: String,
}

/// What one build learnt, written in one transaction by [`Ledger::commit`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// The build clock.
    pub at: i64,
    /// New stories, and stories whose file, content or time changed (`gone` is ignored: see
    /// `gone` and `restored`).
    pub rows: Vec<Row>,
    /// Stories that left the feeds now, and why.
    pub gone: Vec<(String, GoneReason)>,
    /// Stories that had left and are back.
    pub restored: Vec<String>,
    /// (story id, feed set folder) pairs seen in the feeds for the first time.
    pub listed: Vec<(String, String)>,
    /// History lines: (story id, kind, detail).
    pub events: Vec<(String, &'static str, String)>,
}

impl Changes {
    /// Makes `records` what [`Ledger::records`] reads after these changes are committed over
    /// them, without reading the ledger again: a long-running watch keeps the records between
    /// builds.
    pub fn apply(&self, records: &mut Records) {
        for row in &self.rows {
            Self::apply_row(row, records);
        }
        for (id, reason) in &self.gone {
            if let Some(r) = records.get_mut(id) {
                r.gone = Some((self.at, *reason));
            }
        }
        for id in &self.restored {
            if let Some(r) = records.get_mut(id) {
                r.gone = None;
            }
        }
    }

    /// [`Changes::apply`] for one row, e.g. one of those given to [`Ledger::commit_with`]
    /// (apply them before the changes: they are the rows).
    pub fn apply_row(row: &Row, records: &mut Records) {
        match records.get_mut(row.id()) {
            // As the upsert: the first sighting and the departure are kept.
            Some(r) => {
                *r = Record {
                    first_seen: r.first_seen,
                    gone: r.gone,
                    ..row.record.clone()
                }
            }
            None => {
                let record = Record {
                    gone: None,
                    ..row.record.clone()
                };
                records.insert(row.id().to_string(), record);
            }
        }
    }

    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
            && self.gone.is_empty()
            && self.restored.is_empty()
            && self.listed.is_empty()
            && self.events.is_empty()
    }
}

/// Why the ledger cannot be used. Each leaves the file as it was.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// Not a database, or a damaged one.
    #[error("the publication ledger `{}` is damaged or not an SQLite database ({detail}); it was left untouched. Restore it from a backup, or move it away to start a new ledger (the times of date-only stories will then be chosen again)", shown(path))]
    Corrupt {
        /// The ledger file.
        path: PathBuf,
        /// What SQLite said.
        detail: String,
    },
    /// An SQLite database that is not a wirefeed ledger.
    #[error("`{}` is an SQLite database but not a wirefeed ledger; it was left untouched. Check `ledger` under [build] (or --ledger)", shown(path))]
    Foreign {
        /// The file.
        path: PathBuf,
    },
    /// A ledger written by a newer wirefeed.
    #[error("the publication ledger `{}` has schema version {found}, newer than this wirefeed's {supported}; it was left untouched. Run the newer wirefeed that wrote it", shown(path))]
    Newer {
        /// The ledger file.
        path: PathBuf,
        /// Its version.
        found: i32,
        /// Ours.
        supported: i32,
    },
    /// Its file or folder cannot be read or created.
    #[error("cannot {action} the publication ledger `{}`", shown(path))]
    Io {
        /// What was being done.
        action: &'static str,
        /// The ledger file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Any other failure (locked, disk full, permissions).
    #[error("cannot {action} the publication ledger `{}`", shown(path))]
    Sql {
        /// What was being done.
        action: &'static str,
        /// The ledger file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
}

/// An open ledger (or the place of one not yet created).
#[derive(Debug)]
pub struct Ledger {
    path: PathBuf,
    /// `None` while the file does not exist: nothing is created before [`Ledger::commit`].
    conn: Option<Connection>,
    /// Whether the file exists but has no schema yet (a creation that was interrupted).
    empty: bool,
    busy: Duration,
}

/// SQLite's page cache while every record is read, in KiB (a negative `cache_size`); SQLite's
/// default, 2,000 KiB, is set back after.
const CACHE_WHILE_READING_KIB: i64 = -256;
const DEFAULT_CACHE_KIB: i64 = -2000;

/// The columns of a story row, in the order [`record_of`] reads them.
const RECORD_COLUMNS: &str =
    "first_seen, hash, published, utc_offset, time_from, revised, gone, gone_reason";

impl Ledger {
    /// Opens the ledger at `path`, or notes that there is none yet. `writable` opens it for a
    /// build that writes; a reader (`history`, a build to stdout) never changes the file.
    /// Waits up to `busy` for another process's write.
    pub fn open(path: &Path, writable: bool, busy: Duration) -> Result<Self, LedgerError> {
        let mut ledger = Ledger {
            path: path.to_path_buf(),
            conn: None,
            empty: false,
            busy,
        };
        match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ledger),
            Err(source) => {
                return Err(LedgerError::Io {
                    action: "read",
                    path: path.to_path_buf(),
                    source,
                })
            }
            Ok(meta) if !meta.is_file() && !meta.file_type().is_symlink() => {
                return Err(LedgerError::Corrupt {
                    path: path.to_path_buf(),
                    detail: "not a regular file".into(),
                })
            }
            Ok(_) => {}
        }
        let flags = if writable {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        } else {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| ledger.error("open", e))?;
        conn.busy_timeout(busy)
            .map_err(|e| ledger.error("open", e))?;
        ledger.empty = ledger.check(&conn)?;
        ledger.conn = Some(conn);
        Ok(ledger)
    }

    /// The ledger file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file exists with its schema (else the first commit creates it).
    pub fn exists(&self) -> bool {
        self.conn.is_some() && !self.empty
    }

    /// Checks that the open file is a ledger this wirefeed can use; returns whether it is an
    /// empty database (no schema yet).
    fn check(&self, conn: &Connection) -> Result<bool, LedgerError> {
        let pragma = |name: &str| -> Result<i32, LedgerError> {
            conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
                .map_err(|e| self.error("read", e))
        };
        let app = pragma("application_id")?;
        let version = pragma("user_version")?;
        if app == 0 && version == 0 {
            let tables: i64 = conn
                .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
                .map_err(|e| self.error("read", e))?;
            if tables == 0 {
                return Ok(true);
            }
        }
        if app != schema::APPLICATION_ID {
            return Err(LedgerError::Foreign {
                path: self.path.clone(),
            });
        }
        if version > schema::VERSION {
            return Err(LedgerError::Newer {
                path: self.path.clone(),
                found: version,
                supported: schema::VERSION,
            });
        }
        if version < 1 {
            return Err(LedgerError::Corrupt {
                path: self.path.clone(),
                detail: format!("schema version {version}"),
            });
        }
        for (i, step) in schema::MIGRATIONS
            .iter()
            .enumerate()
            .skip(version as usize - 1)
        {
            let to = i32::try_from(i).unwrap_or(i32::MAX).saturating_add(2);
            conn.execute_batch(&format!(
                "BEGIN IMMEDIATE; {step}; PRAGMA user_version = {to}; COMMIT;"
            ))
            .map_err(|e| self.error("migrate", e))?;
        }
        // Preparing a statement checks that the tables and columns it names are there.
        for sql in [
            format!("SELECT id, path, {RECORD_COLUMNS} FROM story LIMIT 0"),
            "SELECT id, feed_set, first_listed FROM listing LIMIT 0".into(),
            "SELECT id, at, kind, detail FROM event LIMIT 0".into(),
        ] {
            conn.prepare(&sql).map_err(|e| LedgerError::Corrupt {
                path: self.path.clone(),
                detail: e.to_string(),
            })?;
        }
        Ok(false)
    }

    /// The error for a failed SQLite call on this ledger.
    fn error(&self, action: &'static str, e: rusqlite::Error) -> LedgerError {
        sql_error(&self.path, action, e)
    }

    /// Every story's record, by id.
    pub fn records(&self) -> Result<HashMap<String, Record>, LedgerError> {
        let Some(conn) = self.conn.as_ref().filter(|_| !self.empty) else {
            return Ok(HashMap::new());
        };
        let read = || -> rusqlite::Result<HashMap<String, Record>> {
            let mut stmt = conn.prepare(&format!("SELECT id, {RECORD_COLUMNS} FROM story"))?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, record_of(r, 1)?)))?;
            rows.collect()
        };
        read().map_err(|e| self.error("read", e))
    }

    /// Calls `each` with every story's id and record, in the byte order of the ids, one row
    /// at a time (a million rows are never in memory at once).
    pub fn each_record(&self, mut each: impl FnMut(String, Record)) -> Result<(), LedgerError> {
        let Some(conn) = self.conn.as_ref().filter(|_| !self.empty) else {
            return Ok(());
        };
        let mut read = || -> rusqlite::Result<()> {
            // One pass in the order of the table's key reads each page once: SQLite's page
            // cache (2 MB by default) would only keep pages read already, at the build's peak.
            conn.pragma_update(None, "cache_size", CACHE_WHILE_READING_KIB)?;
            // BINARY collation: the byte order of Rust's `str`, which the caller merges by.
            let mut stmt = conn.prepare(&format!(
                "SELECT id, {RECORD_COLUMNS} FROM story ORDER BY id COLLATE BINARY"
            ))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                each(r.get::<_, String>(0)?, record_of(r, 1)?);
            }
            Ok(())
        };
        let outcome = read();
        // Back to the default for what follows (lookups, and a commit of many rows).
        let restored = conn.pragma_update(None, "cache_size", DEFAULT_CACHE_KIB);
        outcome.and(restored).map_err(|e| self.error("read", e))
    }

    /// One story's row, if the ledger has it.
    pub fn row(&self, id: &str) -> Result<Option<Row>, LedgerError> {
        let Some(conn) = self.conn.as_ref().filter(|_| !self.empty) else {
            return Ok(None);
        };
        conn.query_row(
            &format!("SELECT path, {RECORD_COLUMNS} FROM story WHERE id = ?1"),
            [id],
            |r| {
                Ok(Row {
                    path: r.get::<_, String>(0)?.into(),
                    record: record_of(r, 1)?,
                })
            },
        )
        .optional()
        .map_err(|e| self.error("read", e))?
        // Only wirefeed writes the ledger, and always a story's own file: a row whose path
        // names another story is damage, not a record to show.
        .map(|row| {
            if row.id() == id {
                Ok(row)
            } else {
                Err(LedgerError::Corrupt {
                    path: self.path.clone(),
                    detail: format!(
                        "the row of story `{id}` names the file `{}`, which is another story's",
                        row.path.escape_debug()
                    ),
                })
            }
        })
        .transpose()
    }

    /// The feed sets (folders) a story appeared in, with when it first did, by folder.
    pub fn listings(&self, id: &str) -> Result<Vec<(String, i64)>, LedgerError> {
        self.query_by_id(
            "SELECT feed_set, first_listed FROM listing WHERE id = ?1 ORDER BY feed_set",
            id,
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// A story's history, oldest first.
    pub fn events(&self, id: &str) -> Result<Vec<Event>, LedgerError> {
        self.query_by_id(
            "SELECT at, kind, detail FROM event WHERE id = ?1 ORDER BY at, rowid",
            id,
            |r| {
                Ok(Event {
                    at: r.get(0)?,
                    kind: r.get(1)?,
                    detail: r.get(2)?,
                })
            },
        )
    }

    fn query_by_id<T>(
        &self,
        sql: &str,
        id: &str,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, LedgerError> {
        let Some(conn) = self.conn.as_ref().filter(|_| !self.empty) else {
            return Ok(Vec::new());
        };
        let run = || -> rusqlite::Result<Vec<T>> {
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt.query_map([id], map)?;
            rows.collect()
        };
        run().map_err(|e| self.error("read", e))
    }

    /// Writes a build's changes in one transaction, creating the ledger (folder, file and
    /// schema) if there is none yet. Returns whether it created it. Nothing is written when
    /// there is nothing to write and the ledger exists.
    pub fn commit(&mut self, changes: &Changes) -> Result<bool, LedgerError> {
        self.commit_with(changes, std::iter::empty())
    }

    /// As [`Ledger::commit`], with `more` rows, made one at a time as they are written: the
    /// first build of an archive records every story, and holding them all as rows until the
    /// transaction was, at a million stories, more than all else the build held.
    pub fn commit_with(
        &mut self,
        changes: &Changes,
        more: impl Iterator<Item = Row>,
    ) -> Result<bool, LedgerError> {
        let mut more = more.peekable();
        let create = !self.exists();
        if !create && changes.is_empty() && more.peek().is_none() {
            return Ok(false);
        }
        if self.conn.is_none() {
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| LedgerError::Io {
                    action: "create the folder of",
                    path: self.path.clone(),
                    source,
                })?;
            }
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let conn = Connection::open_with_flags(&self.path, flags)
                .map_err(|e| self.error("create", e))?;
            conn.busy_timeout(self.busy)
                .map_err(|e| self.error("create", e))?;
            self.conn = Some(conn);
        }
        let Some(conn) = self.conn.as_mut() else {
            unreachable!("opened above")
        };
        write(conn, changes, more, create).map_err(|e| sql_error(&self.path, "write", e))?;
        self.empty = false;
        Ok(create)
    }
}

/// The error for a failed SQLite call: damage is told apart from other failures.
fn sql_error(path: &Path, action: &'static str, e: rusqlite::Error) -> LedgerError {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    match e.sqlite_error_code() {
        Some(NotADatabase | DatabaseCorrupt) => LedgerError::Corrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
        _ => LedgerError::Sql {
            action,
            path: path.to_path_buf(),
            source: e,
        },
    }
}

/// Reads a [`Record`] from the columns [`RECORD_COLUMNS`], starting at column `at`.
fn record_of(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Record> {
    let bad = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unknown {what}").into(),
        )
    };
    let source: String = r.get(at + 4)?;
    let gone_at: Option<i64> = r.get(at + 6)?;
    let reason: Option<String> = r.get(at + 7)?;
    let gone = match (gone_at, reason) {
        (Some(t), Some(reason)) => Some((
            t,
            GoneReason::parse(&reason).ok_or_else(|| bad(at + 7, "gone_reason"))?,
        )),
        _ => None,
    };
    Ok(Record {
        first_seen: r.get(at)?,
        hash: r.get::<_, i64>(at + 1)? as u64,
        published: r.get(at + 2)?,
        offset: r.get(at + 3)?,
        source: TimeSource::parse(&source).ok_or_else(|| bad(at + 4, "time_from"))?,
        revised: r.get(at + 5)?,
        gone,
    })
}

/// The transaction of [`Ledger::commit`].
fn write(
    conn: &mut Connection,
    changes: &Changes,
    more: impl Iterator<Item = Row>,
    create: bool,
) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if create {
        tx.execute_batch(schema::CREATE)?;
        tx.execute_batch(&format!(
            "PRAGMA application_id = {}; PRAGMA user_version = {};",
            schema::APPLICATION_ID,
            schema::VERSION
        ))?;
    }
    {
        let mut upsert = tx.prepare(
            "INSERT INTO story (id, path, first_seen, hash, published, utc_offset, time_from, revised)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO UPDATE SET path = excluded.path, hash = excluded.hash,
                 published = excluded.published, utc_offset = excluded.utc_offset,
                 time_from = excluded.time_from, revised = excluded.revised",
        )?;
        let mut put = |row: &Row| {
            let r = &row.record;
            upsert
                .execute(params![
                    row.id(),
                    row.path,
                    r.first_seen,
                    r.hash as i64,
                    r.published,
                    r.offset,
                    r.source.as_str(),
                    r.revised
                ])
                .map(drop)
        };
        for row in &changes.rows {
            put(row)?;
        }
        for row in more {
            put(&row)?;
        }
        let mut gone = tx.prepare("UPDATE story SET gone = ?2, gone_reason = ?3 WHERE id = ?1")?;
        for (id, reason) in &changes.gone {
            gone.execute(params![id, changes.at, reason.as_str()])?;
        }
        let mut back =
            tx.prepare("UPDATE story SET gone = NULL, gone_reason = NULL WHERE id = ?1")?;
        for id in &changes.restored {
            back.execute([id])?;
        }
        let mut listed = tx.prepare(
            "INSERT OR IGNORE INTO listing (id, feed_set, first_listed) VALUES (?1, ?2, ?3)",
        )?;
        for (id, set) in &changes.listed {
            listed.execute(params![id, set, changes.at])?;
        }
        let mut event =
            tx.prepare("INSERT INTO event (id, at, kind, detail) VALUES (?1, ?2, ?3, ?4)")?;
        for (id, kind, detail) in &changes.events {
            event.execute(params![id, changes.at, kind, detail])?;
        }
    }
    pause_for_tests(conn_path(&tx).as_deref());
    tx.commit()
}

/// The file of the main database of a connection.
fn conn_path(conn: &Connection) -> Option<PathBuf> {
    conn.path().filter(|p| !p.is_empty()).map(PathBuf::from)
}

/// Debug builds only: with `WIREFEED_TEST_LEDGER_PAUSE_MS` set, creates `<ledger>.paused` and
/// waits that long inside the transaction, so a test can `kill -9` the build mid-write.
fn pause_for_tests(ledger: Option<&Path>) {
    #[cfg(debug_assertions)]
    if let (Some(ms), Some(ledger)) = (
        std::env::var("WIREFEED_TEST_LEDGER_PAUSE_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok()),
        ledger,
    ) {
        let mut marker = ledger.as_os_str().to_owned();
        marker.push(".paused");
        let _ = std::fs::write(marker, b"");
        std::thread::sleep(Duration::from_millis(ms));
    }
    #[cfg(not(debug_assertions))]
    let _ = ledger;
}

#[cfg(test)]
mod tests;

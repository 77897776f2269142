//! `wirefeed history`: one story's record in the publication ledger, as JSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use clap::Args;
use serde_json::{json, Value};

use wirefeed::config::DEFAULT_LEDGER;
use wirefeed::ledger::{Ledger, Row};

use crate::exit;

/// Print a story's record in the publication ledger, as JSON.
///
/// The record says when wirefeed first saw the story, the publication time the feeds use and
/// where it came from, when its content last changed, whether it was withdrawn or deleted,
/// which feed sets carried it, and its history.
///
/// Examples:
///   wirefeed history 2025/06/shos-ikt
///   wirefeed history articles/2025/06/shos-ikt.txt | jq .published
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct HistoryArgs {
    /// The story: its id (its path in the articles folder without the extension) or its file.
    #[arg(value_name = "ID|FILE")]
    story: String,
    /// Config file [default: ./wirefeed.toml if present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The ledger [default: the config's `ledger`, else .wirefeed/ledger.sqlite].
    #[arg(long, value_name = "FILE")]
    ledger: Option<PathBuf>,
}

/// A time as RFC 3339, in `offset` (UTC when none).
fn time(secs: i64, offset: Option<i32>) -> Value {
    let zone = offset
        .and_then(FixedOffset::east_opt)
        .unwrap_or(FixedOffset::east_opt(0).expect("UTC is an offset"));
    DateTime::from_timestamp(secs, 0)
        .map(|t| Value::String(t.with_timezone(&zone).to_rfc3339()))
        .unwrap_or(Value::Null)
}

/// The ids `story` may name: a file's (relative to the articles folder) or the text itself.
fn candidate_ids(story: &str, articles: &Path) -> Vec<String> {
    let mut ids = Vec::new();
    let path = Path::new(story);
    if path.is_file() {
        let rel = std::fs::canonicalize(path)
            .ok()
            .zip(std::fs::canonicalize(articles).ok())
            .and_then(|(file, root)| {
                file.strip_prefix(root)
                    .ok()
                    .and_then(|r| r.to_str())
                    .map(str::to_string)
            });
        if let Some(rel) = rel {
            ids.push(wirefeed::article::id_of(&rel.replace('\\', "/")).to_string());
        }
    }
    ids.push(story.trim_matches('/').to_string());
    ids.push(wirefeed::article::id_of(story.trim_matches('/')).to_string());
    ids.dedup();
    ids
}

/// The record as JSON.
fn record_json(ledger: &Ledger, row: &Row, tombstone_days: u64) -> Result<Value, String> {
    let r = &row.record;
    let listings = ledger.listings(row.id()).map_err(|e| e.to_string())?;
    let events = ledger.events(row.id()).map_err(|e| e.to_string())?;
    let (state, gone) = match r.gone {
        Some((at, reason)) => (reason.as_str(), Some(at)),
        None => ("published", None),
    };
    let tombstone_until = gone
        .filter(|_| !listings.is_empty())
        .map(|at| at.saturating_add(i64::try_from(tombstone_days).unwrap_or(0) * 86_400));
    Ok(json!({
        "id": row.id(),
        "path": row.path,
        "state": state,
        "first_seen": time(r.first_seen, None),
        "published": time(r.published, Some(r.offset)),
        "time_from": r.source.as_str(),
        "revised": r.revised.map(|t| time(t, Some(r.offset))),
        "content_hash": format!("{:016x}", r.hash),
        "gone": gone.map(|t| time(t, None)),
        "tombstone_until": tombstone_until.map(|t| time(t, None)),
        "feed_sets": listings
            .iter()
            .map(|(set, at)| json!({ "set": set, "first_listed": time(*at, None) }))
            .collect::<Vec<_>>(),
        "events": events
            .iter()
            .map(|e| json!({ "at": time(e.at, None), "kind": e.kind, "detail": e.detail }))
            .collect::<Vec<_>>(),
        "ledger": ledger.path().display().to_string(),
    }))
}

/// Runs `wirefeed history`.
pub fn execute(args: &HistoryArgs) -> ExitCode {
    let raw = match super::load_raw_config(args.config.as_deref()) {
        Ok(raw) => raw,
        Err(e) => {
            super::print_error(&e);
            return ExitCode::from(exit::USAGE);
        }
    };
    let path = args
        .ledger
        .clone()
        .or(raw.build.ledger.clone())
        .unwrap_or_else(|| PathBuf::from(DEFAULT_LEDGER));
    let articles = raw
        .build
        .articles
        .clone()
        .unwrap_or_else(|| PathBuf::from("articles"));
    let tombstone_days = raw.build.tombstone_days.unwrap_or(7);
    let ledger = match Ledger::open(&path, false, Duration::from_secs(10)) {
        Ok(l) if l.exists() => l,
        Ok(_) => {
            let shown = wirefeed::diagnostic::shown(&path);
            eprintln!("error: there is no publication ledger at `{shown}` yet; a build creates it (or pass --config / --ledger)");
            return ExitCode::from(exit::SKIPPED);
        }
        Err(e) => {
            super::print_error(&e);
            return ExitCode::from(exit::IO);
        }
    };
    for id in candidate_ids(&args.story, &articles) {
        match ledger.row(&id) {
            Ok(Some(row)) => {
                return match record_json(&ledger, &row, tombstone_days) {
                    Ok(value) => {
                        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
                        text.push('\n');
                        match super::write_stdout(text.as_bytes()) {
                            Ok(()) => ExitCode::from(exit::OK),
                            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                                ExitCode::from(exit::OK)
                            }
                            Err(e) => {
                                eprintln!("error: cannot write to stdout: {e}");
                                ExitCode::from(exit::IO)
                            }
                        }
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        ExitCode::from(exit::IO)
                    }
                };
            }
            Ok(None) => {}
            Err(e) => {
                super::print_error(&e);
                return ExitCode::from(exit::IO);
            }
        }
    }
    let shown = wirefeed::diagnostic::shown(Path::new(&args.story));
    let ledger_shown = wirefeed::diagnostic::shown(&path);
    eprintln!("error: no story `{shown}` in the publication ledger `{ledger_shown}`; give its id (its path in the articles folder without the extension, e.g. `2025/06/shos-ikt`) or its file");
    ExitCode::from(exit::SKIPPED)
}

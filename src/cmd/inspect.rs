//! `wirefeed inspect`: the parser's view of story files, as JSON for `jq` and debugging.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Value};

use chrono::{DateTime, Utc};
use wirefeed::article::{self, meta};
use wirefeed::config::{RawConfig, StorySettings};

/// Print parsed story files as JSON, one object per line.
///
/// Example: wirefeed inspect articles/2025/06/shos-ikt.txt | jq .related
#[derive(Args)]
pub struct InspectArgs {
    /// Story files to parse.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Config file (for cities, time zone, encoding); default: ./wirefeed.toml if present.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Pretty-print each object over several lines.
    #[arg(long)]
    pretty: bool,
}

/// The story with its sidecar's metadata, if it has a sidecar.
fn read_with_meta(
    path: &Path,
    rel: &str,
    opts: &article::ParseOptions,
) -> Result<article::Parsed, wirefeed::ArticleError> {
    let mut parsed = article::read(path, rel, opts)?;
    let sidecar = meta::sidecar_of(path);
    if sidecar.is_file() || sidecar.is_symlink() {
        parsed.article = parsed.article.with_meta(meta::read(&sidecar)?);
    }
    Ok(parsed)
}

/// The story's photo as the build would find it: where, its type and size, or why not.
fn photo_json(story: &Path, meta_photo: Option<&str>) -> Value {
    match wirefeed::photo::locate(story, meta_photo) {
        None => Value::Null,
        Some(Err(url)) => json!({ "url": url.as_str() }),
        Some(Ok(path)) => {
            let shown = path.display().to_string();
            let cap = wirefeed::config::DEFAULT_MAX_PHOTO_SIZE;
            match article::read_bytes(&path, cap) {
                Err(e) => json!({ "path": shown, "error": e.kind.to_string() }),
                Ok(bytes) => match wirefeed::photo::probe(&bytes) {
                    Ok((kind, width, height)) => json!({
                        "path": shown, "type": kind.mime(), "length": bytes.len(),
                        "width": width, "height": height,
                    }),
                    Err(why) => json!({ "path": shown, "error": why }),
                },
            }
        }
    }
}

/// Whether the story would be published at `now`, in words.
fn state(meta: &meta::Meta, now: DateTime<Utc>) -> String {
    match (meta.status, meta.embargo) {
        (meta::Status::Withdrawn, _) => "withdrawn".into(),
        (_, Some(embargo)) if now < embargo => {
            format!("under embargo until {}", embargo.to_rfc3339())
        }
        _ => "published".into(),
    }
}

fn describe(
    path: &Path,
    articles_dir: &Path,
    opts: &article::ParseOptions,
    now: DateTime<Utc>,
) -> (Value, bool) {
    // Ids are relative to the articles folder, however either path was spelt.
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (file, root) = (canonical(path), canonical(articles_dir));
    let rel = file
        .strip_prefix(&root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .replace('\\', "/");
    match read_with_meta(path, &rel, opts) {
        Ok(p) => {
            let a = p.article;
            let warnings: Vec<Value> = p
                .warnings
                .iter()
                .map(|w| json!({"line": w.line, "message": w.kind.to_string()}))
                .collect();
            (
                json!({
                    "path": path.display().to_string(),
                    "id": a.id,
                    "title": a.title,
                    "date": a.date.to_rfc3339(),
                    "updated": a.updated().to_rfc3339(),
                    "state": state(&a.meta, now),
                    "city": a.dateline.city,
                    "agency": a.dateline.agency,
                    "lang": a.lang,
                    "credit": a.credit,
                    "encoding": a.encoding,
                    "paragraphs": a.paragraphs,
                    "related": a.related,
                    "meta": a.meta,
                    "photo": photo_json(path, a.meta.photo.as_deref()),
                    "warnings": warnings,
                }),
                true,
            )
        }
        Err(e) => (
            json!({
                "path": path.display().to_string(),
                "error": {"file": e.path.display().to_string(), "line": e.line, "column": e.column, "message": e.kind.to_string()},
            }),
            false,
        ),
    }
}

/// Runs `wirefeed inspect`.
pub fn execute(args: InspectArgs) -> ExitCode {
    let raw = match super::load_raw_config(args.config.as_deref()) {
        Ok(r) => r,
        Err(e) => {
            super::print_error(&e);
            return ExitCode::from(crate::exit::USAGE);
        }
    };
    // Only the settings that shape parsing matter here: no site URL is needed.
    let story = match StorySettings::from_raw(&raw) {
        Ok(s) => s,
        Err(e) => {
            super::print_error(&e);
            return ExitCode::from(crate::exit::USAGE);
        }
    };
    let mut full = RawConfig::defaults();
    full.overlay(&raw);
    let articles = full.build.articles.unwrap_or_default();
    let opts = article::ParseOptions::new(&story);
    let now = match wirefeed::clock::now() {
        Ok(now) => now,
        Err(e) => {
            super::print_error(&e);
            return ExitCode::from(crate::exit::USAGE);
        }
    };
    let mut all_ok = true;
    for file in &args.files {
        let (value, ok) = describe(file, &articles, &opts, now);
        all_ok &= ok;
        let text = if args.pretty {
            serde_json::to_string_pretty(&value)
        } else {
            serde_json::to_string(&value)
        }
        .unwrap_or_default();
        if super::write_stdout(format!("{text}\n").as_bytes()).is_err() {
            return ExitCode::SUCCESS;
        }
    }
    ExitCode::from(if all_ok {
        crate::exit::OK
    } else {
        crate::exit::SKIPPED
    })
}

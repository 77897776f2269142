//! `wirefeed inspect`: the parser's view of story files, as JSON for `jq` and debugging.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Value};

use wirefeed::article;
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

fn describe(path: &Path, articles_dir: &Path, opts: &article::ParseOptions) -> (Value, bool) {
    // Ids are relative to the articles folder, however either path was spelt.
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (file, root) = (canonical(path), canonical(articles_dir));
    let rel = file
        .strip_prefix(&root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .replace('\\', "/");
    match article::read(path, &rel, opts) {
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
                    "city": a.dateline.city,
                    "agency": a.dateline.agency,
                    "lang": a.lang,
                    "credit": a.credit,
                    "encoding": a.encoding,
                    "paragraphs": a.paragraphs,
                    "related": a.related,
                    "warnings": warnings,
                }),
                true,
            )
        }
        Err(e) => (
            json!({
                "path": path.display().to_string(),
                "error": {"line": e.line, "message": e.kind.to_string()},
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
    let mut all_ok = true;
    for file in &args.files {
        let (value, ok) = describe(file, &articles, &opts);
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

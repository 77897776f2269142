//! Using wirefeed as a library: parse a story, then build an Atom feed in memory.
//!
//! Run from the repository root: `cargo run --example library`

use std::path::Path;

use wirefeed::build::{BuildOptions, Output};
use wirefeed::config::{Config, RawConfig};
use wirefeed::feed::Format;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let raw = RawConfig::load(Path::new("wirefeed.toml"))?;
    let config = Config::from_raw(&raw)?;

    // One story, parsed into the typed model.
    let rel = "2025/06/shos-ikt.txt";
    let options = wirefeed::article::ParseOptions::new(&config.story);
    let parsed = wirefeed::article::read(&config.articles.join(rel), rel, &options)?;
    let a = &parsed.article;
    println!(
        "{} | {} | {} | {}",
        a.date.to_rfc3339(),
        a.dateline.city,
        a.dateline.agency,
        a.title
    );
    println!(
        "{} paragraphs, {} related headlines",
        a.paragraphs.len(),
        a.related.len()
    );

    // The whole archive as an Atom document, returned instead of written.
    let mut opts = BuildOptions::new(&config);
    opts.formats = vec![Format::Atom];
    opts.output = Output::Stdout;
    let report = wirefeed::build(&config, &opts)?;
    let atom = report.stdout.unwrap_or_default();
    println!(
        "Atom feed: {} bytes, {} entries, {} related links resolved",
        atom.len(),
        report.published,
        report.related_resolved
    );
    Ok(())
}

//! `wirefeed build`: publish the feeds. Flags in, one library call, the report out.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use wirefeed::build::{BuildOptions, Output};
use wirefeed::config::{Config, SettingsArgs};
use wirefeed::diagnostic::{Diagnostic, Level};
use wirefeed::Error;

use super::progress::ProgressLine;
use super::report::{print_report, Places, Printer, Verbosity};
use crate::exit;

/// Build the feeds from the articles folder.
///
/// Reads ./wirefeed.toml (or --config FILE); every setting also has a flag, and flags win.
///
/// Examples:
///   wirefeed build                                   # public/rss.xml and public/atom.xml
///   wirefeed build --format atom --output - | aggregator-import
///   wirefeed build --articles stories --site-url https://example.org/ --out /var/www/feeds
#[derive(Args)]
#[command(verbatim_doc_comment, after_help = crate::EXIT_CODES)]
pub struct BuildArgs {
    /// Config file [default: ./wirefeed.toml if present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    settings: SettingsArgs,
    /// Write the one feed of --format to FILE, or to stdout with `-`.
    #[arg(long, value_name = "FILE|-")]
    output: Option<PathBuf>,
    /// Stop at the first story that cannot be published; write nothing.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    guards: super::GuardArgs,
    /// Print nothing but errors.
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,
    /// Print warnings, cache and encoding details even without a terminal.
    #[arg(short, long)]
    verbose: bool,
    /// Colour messages and show story errors' source lines: auto (on a terminal), always, never.
    #[arg(long, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    color: Color,
}

/// When to colour.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// A problem found before the build starts: bad flags or configuration (exit 2).
fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(exit::USAGE)
}

/// Runs `wirefeed build`.
pub fn execute(args: BuildArgs) -> ExitCode {
    let config = super::load_raw_config(args.config.as_deref()).and_then(|mut raw| {
        raw.overlay(&args.settings.to_raw());
        Config::from_raw(&raw)
    });
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            super::print_error(&e);
            return ExitCode::from(exit::USAGE);
        }
    };
    if let Err(e) = wirefeed::clock::now() {
        return usage(e);
    }
    let mut opts = BuildOptions::new(&config);
    if let Some(output) = &args.output {
        if opts.formats.len() != 1 {
            return usage("--output writes one feed: add --format rss, atom, json or ninjs");
        }
        opts.output = if output.as_os_str() == "-" {
            Output::Stdout
        } else {
            Output::File(output.clone())
        };
    }
    opts.strict = args.strict;
    args.guards.apply(&mut opts);
    args.guards.warn();
    let terminal = std::io::stderr().is_terminal();
    let verbosity = if args.quiet {
        Verbosity::Quiet
    } else if args.verbose || terminal {
        Verbosity::Normal {
            details: args.verbose,
        }
    } else {
        Verbosity::ProblemsOnly
    };
    let progress = (verbosity != Verbosity::Quiet && terminal).then(ProgressLine::start);
    opts.progress = progress.as_ref().map(|p| p.counters.clone());
    let result = wirefeed::build(&config, &opts);
    drop(progress);
    match result {
        Ok(report) => {
            let parse = wirefeed::article::ParseOptions::new(&config.story);
            let printer = Printer {
                verbosity,
                parse: &parse,
                color: args.color == Color::Always || (args.color == Color::Auto && terminal),
            };
            let places = Places {
                articles: &config.articles,
                cache: report.cache.clone(),
            };
            print_report(&report, printer, &places);
            if let Some(bytes) = &report.stdout {
                if let Err(e) = super::write_stdout(bytes) {
                    if e.kind() != std::io::ErrorKind::BrokenPipe {
                        eprintln!("error: cannot write to stdout: {e}");
                        return ExitCode::from(exit::IO);
                    }
                }
            }
            ExitCode::from(if report.refused() > 0 {
                exit::INVALID
            } else if !report.errors.is_empty() {
                exit::SKIPPED
            } else {
                exit::OK
            })
        }
        Err(Error::Strict(e)) => {
            eprintln!("{e}");
            let note = "--strict stops at the first story that cannot be published";
            eprintln!("{}", Diagnostic::new(&e.path, Level::Note, note));
            ExitCode::from(exit::SKIPPED)
        }
        Err(e) => {
            super::print_error(&e);
            ExitCode::from(match e {
                Error::Config(_) | Error::ArticlesFolder { .. } => exit::USAGE,
                Error::ArchiveShrank { .. } => exit::SKIPPED,
                _ => exit::IO,
            })
        }
    }
}

//! `wirefeed check`: runs the library validator over files and prints
//! findings in a compiler-like text format or as JSON for CI tooling.

use serde::Serialize;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use wirefeed::validate::{check, CheckError, CheckOptions, Finding};

/// Output format of `wirefeed check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputStyle {
    /// `path:line:column: severity: code: message`, one per line.
    Text,
    /// A JSON array of finding objects.
    Json,
}

/// Inputs larger than this are refused unless `--max-size` raises it: the
/// whole document is held in memory, so without a cap `check /dev/zero`
/// would eat the machine.
pub const DEFAULT_MAX_SIZE: u64 = 256 * 1024 * 1024;

/// Validate RSS 2.0, Atom 1.0 and JSON Feed files, whoever wrote them.
///
/// Reports well-formedness, specification and common-mistake findings
/// with stable codes (see docs/CHECK_RULES.md). Exit status: 0 no
/// errors (warnings allowed), 1 errors found, 2 a file could not be read,
/// is larger than --max-size or is not XML/JSON at all.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  wirefeed check public/rss.xml public/atom.xml\n  wirefeed build --format atom --output - | wirefeed check --format json -"
)]
pub struct CheckArgs {
    /// Feed files to check (`-` reads standard input).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputStyle,
    /// Largest input accepted, in bytes (each file and standard input);
    /// reading stops there, so a device or a growing file cannot exhaust
    /// memory.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_SIZE)]
    pub max_size: u64,
}

/// One output record; fatal per-file problems use severity "fatal", a
/// pseudo-code (`input.unreadable` / `input.too-large` / `input.not-feed`)
/// and null position.
#[derive(Serialize)]
struct Record<'a> {
    path: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    severity: &'a str,
    code: &'a str,
    message: &'a str,
}

enum Outcome {
    Findings(Vec<Finding>),
    Fatal {
        code: &'static str,
        message: String,
        pos: Option<(usize, usize)>,
    },
}

/// Why an input was not checked at all.
#[derive(Debug, thiserror::Error)]
enum InputError {
    /// The open or a read failed.
    #[error("cannot read: {0}")]
    Io(#[from] io::Error),
    /// More than `cap` bytes; `size` is the length when the file announced
    /// it (a device or a pipe only shows that it goes on past the cap).
    #[error("the input{} is larger than the --max-size limit of {cap} bytes; raise the limit with --max-size BYTES to check it", announced(*.size))]
    TooLarge { size: Option<u64>, cap: u64 },
}

fn announced(size: Option<u64>) -> String {
    size.map_or_else(String::new, |n| format!(" ({n} bytes)"))
}

impl InputError {
    fn code(&self) -> &'static str {
        match self {
            InputError::Io(_) => "input.unreadable",
            InputError::TooLarge { .. } => "input.too-large",
        }
    }
}

/// Reads a file (or stdin for `-`) of at most `cap` bytes. Any path the
/// user names is read, FIFOs and devices included, but never past the cap.
fn read(path: &Path, cap: u64) -> Result<Vec<u8>, InputError> {
    if path.as_os_str() == "-" {
        return read_capped(io::stdin().lock(), 0, cap);
    }
    let file = File::open(path)?;
    let meta = file.metadata()?;
    // A regular file announces its size: refuse before reading a byte.
    if meta.is_file() && meta.len() > cap {
        return Err(InputError::TooLarge {
            size: Some(meta.len()),
            cap,
        });
    }
    let hint = if meta.is_file() { meta.len() } else { 0 };
    read_capped(file, hint, cap)
}

/// Reads `input` to its end or to one byte past `cap`, whichever is first;
/// `hint` pre-sizes the buffer so a large file is not copied while it grows.
fn read_capped(input: impl Read, hint: u64, cap: u64) -> Result<Vec<u8>, InputError> {
    let want = usize::try_from(hint.min(cap).saturating_add(1)).unwrap_or(0);
    let mut buf = Vec::with_capacity(want);
    // `take` stops a device, a pipe or a file that grows while it is read.
    input.take(cap.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > cap {
        return Err(InputError::TooLarge { size: None, cap });
    }
    Ok(buf)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Runs the subcommand; exit code 0 = no errors, 1 = errors, 2 = fatal.
pub fn execute(args: &CheckArgs) -> ExitCode {
    let now = match wirefeed::clock::now() {
        Ok(now) => now,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let opts = CheckOptions {
        now: Some(now),
        ..CheckOptions::default()
    };
    let mut results = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let name = if path.as_os_str() == "-" {
            "<stdin>".to_string()
        } else {
            wirefeed::diagnostic::shown(path)
        };
        let outcome = match read(path, args.max_size) {
            Err(e) => Outcome::Fatal {
                code: e.code(),
                message: e.to_string(),
                pos: None,
            },
            Ok(bytes) => match check(&bytes, &opts) {
                Ok(r) => Outcome::Findings(r.findings),
                Err(e @ CheckError::NotXml { line, column, .. }) => Outcome::Fatal {
                    code: "input.not-feed",
                    message: e.to_string(),
                    pos: Some((line, column)),
                },
                Err(e @ CheckError::TooLarge { .. }) => Outcome::Fatal {
                    code: "input.too-large",
                    message: e.to_string(),
                    pos: None,
                },
            },
        };
        results.push((name, outcome));
    }

    let (mut errors, mut warnings, mut fatal) = (0, 0, 0);
    for (_, o) in &results {
        match o {
            Outcome::Findings(f) => {
                errors += f
                    .iter()
                    .filter(|x| x.severity == wirefeed::validate::Severity::Error)
                    .count();
                warnings += f.len()
                    - f.iter()
                        .filter(|x| x.severity == wirefeed::validate::Severity::Error)
                        .count();
            }
            Outcome::Fatal { .. } => fatal += 1,
        }
    }
    let code = if fatal > 0 {
        ExitCode::from(2)
    } else if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };

    // A closed pipe (`wirefeed check ... | head`) is not an error worth a
    // panic or a message: stop writing and keep the exit status.
    if print(args.format, &results).is_err() {
        return code;
    }
    let mut summary = format!(
        "{} checked: {}, {}",
        plural(results.len(), "file"),
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    if fatal > 0 {
        summary.push_str(&format!(", {} could not be checked", plural(fatal, "file")));
    }
    let _ = writeln!(io::stderr(), "{summary}");
    code
}

fn print(format: OutputStyle, results: &[(String, Outcome)]) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match format {
        OutputStyle::Text => {
            for (path, o) in results {
                match o {
                    Outcome::Findings(fs) => {
                        for f in fs {
                            writeln!(out, "{path}:{f}")?;
                        }
                    }
                    Outcome::Fatal { message, .. } => {
                        out.flush()?;
                        let _ = writeln!(io::stderr(), "{path}: fatal: {message}");
                    }
                }
            }
        }
        OutputStyle::Json => {
            let mut records = Vec::new();
            for (path, o) in results {
                match o {
                    Outcome::Findings(fs) => records.extend(fs.iter().map(|f| Record {
                        path,
                        line: Some(f.line),
                        column: Some(f.column),
                        severity: match f.severity {
                            wirefeed::validate::Severity::Error => "error",
                            wirefeed::validate::Severity::Warning => "warning",
                        },
                        code: f.code,
                        message: &f.message,
                    })),
                    Outcome::Fatal { code, message, pos } => records.push(Record {
                        path,
                        line: pos.map(|p| p.0),
                        column: pos.map(|p| p.1),
                        severity: "fatal",
                        code,
                        message,
                    }),
                }
            }
            serde_json::to_writer_pretty(&mut out, &records).map_err(io::Error::other)?;
            writeln!(out)?;
        }
    }
    out.flush()
}

//! `wirefeed check`: runs the library validator over files and prints
//! findings in a compiler-like text format or as JSON for CI tooling.

use serde::Serialize;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use wirefeed::validate::{check, CheckError, CheckOptions, Finding};

/// Output format of `wirefeed check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `path:line:column: severity: code: message`, one per line.
    Text,
    /// A JSON array of finding objects.
    Json,
}

/// Validate RSS 2.0, Atom 1.0 and JSON Feed files, whoever wrote them.
///
/// Reports well-formedness, specification and common-mistake findings
/// with stable codes (see docs/CHECK_RULES.md). Exit status: 0 no
/// errors (warnings allowed), 1 errors found, 2 a file could not be read
/// or is not XML/JSON at all.
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
    pub format: Format,
}

/// One output record; fatal per-file problems use severity "fatal", a
/// pseudo-code (`input.unreadable` / `input.not-feed`) and null position.
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

fn read(path: &PathBuf) -> io::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        io::stdin().lock().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(path)
    }
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
    let opts = CheckOptions {
        now: Some(chrono::Utc::now()),
    };
    let mut results = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let name = if path.as_os_str() == "-" {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        let outcome = match read(path) {
            Err(e) => Outcome::Fatal {
                code: "input.unreadable",
                message: format!("cannot read: {e}"),
                pos: None,
            },
            Ok(bytes) => match check(&bytes, &opts) {
                Ok(r) => Outcome::Findings(r.findings),
                Err(e @ CheckError::NotXml { line, column, .. }) => Outcome::Fatal {
                    code: "input.not-feed",
                    message: e.to_string(),
                    pos: Some((line, column)),
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

fn print(format: Format, results: &[(String, Outcome)]) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match format {
        Format::Text => {
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
        Format::Json => {
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

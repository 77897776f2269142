//! How problems are shown to people: one shape for every message, the gcc/rustc one that
//! editors, `grep` and CI annotations already understand:
//!
//! ```text
//! path:line[:col]: severity: [code: ]message
//! ```
//!
//! and paths that cannot forge a log line.

use std::fmt;
use std::path::Path;

/// How serious a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something was not done (a story skipped, a feed refused).
    Error,
    /// Done, but worth a look.
    Warning,
    /// What happened, for the summary.
    Note,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        })
    }
}

/// One message about one place, displayed in the one shape.
#[derive(Debug, Clone)]
pub struct Diagnostic<'a> {
    /// The file or folder it is about.
    pub path: &'a Path,
    /// 1-based line, where there is one.
    pub line: Option<usize>,
    /// 1-based column in characters, where there is one (only with a line).
    pub column: Option<usize>,
    /// How serious it is.
    pub level: Level,
    /// A stable code (the validator's), if any.
    pub code: Option<&'a str>,
    /// What is wrong and what to do.
    pub message: String,
}

impl<'a> Diagnostic<'a> {
    /// A message about a whole file or folder.
    pub fn new(path: &'a Path, level: Level, message: impl Into<String>) -> Self {
        Diagnostic {
            path,
            line: None,
            column: None,
            level,
            code: None,
            message: message.into(),
        }
    }

    /// The same message at a line (and column).
    pub fn at(mut self, line: Option<usize>, column: Option<usize>) -> Self {
        self.line = line;
        self.column = line.and(column);
        self
    }

    /// The same message with a code.
    pub fn code(mut self, code: &'a str) -> Self {
        self.code = Some(code);
        self
    }

    /// `path:line[:col]`.
    pub fn location(&self) -> String {
        let mut out = shown(self.path);
        if let Some(line) = self.line {
            out.push_str(&format!(":{line}"));
            if let Some(column) = self.column {
                out.push_str(&format!(":{column}"));
            }
        }
        out
    }
}

impl fmt::Display for Diagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: ", self.location(), self.level)?;
        if let Some(code) = self.code {
            write!(f, "{code}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// The offending source line with a caret under `column`, as rustc shows it:
///
/// ```text
///   2 | Просто первый абзац без города и даты.
///     | ^
/// ```
///
/// Control characters in the line are shown escaped, like paths.
pub fn snippet(line_number: usize, line: &str, column: usize) -> String {
    let number = line_number.to_string();
    let gutter = " ".repeat(number.len());
    let mut text = String::with_capacity(line.len());
    let mut caret_at = 0;
    for (i, c) in line.chars().enumerate() {
        if i + 1 == column {
            caret_at = text.chars().count();
        }
        if c.is_control() && c != '\t' {
            text.extend(c.escape_default());
        } else {
            text.push(c);
        }
    }
    if column > line.chars().count() {
        caret_at = text.chars().count();
    }
    format!(" {number} | {text}\n {gutter} | {}^", " ".repeat(caret_at))
}

/// A path as it may be shown in a message or a log: control characters (a newline could forge a
/// log line, an escape sequence could rewrite the terminal), bidirectional overrides and line
/// separators are escaped, and bytes that are not UTF-8 are shown as `\xNN` from the name's real
/// bytes rather than as a lossy `�`, so two different names never look alike.
pub fn shown(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_shape() {
        let p = Path::new("a/b.txt");
        let d = Diagnostic::new(p, Level::Error, "bad").at(Some(2), Some(5));
        assert_eq!(d.to_string(), "a/b.txt:2:5: error: bad");
        let d = Diagnostic::new(p, Level::Warning, "odd").code("x.y");
        assert_eq!(d.to_string(), "a/b.txt: warning: x.y: odd");
        let d = Diagnostic::new(p, Level::Note, "n").at(None, Some(3));
        assert_eq!(d.to_string(), "a/b.txt: note: n");
    }

    #[test]
    fn snippet_puts_the_caret_under_the_column() {
        assert_eq!(
            snippet(2, "ДУШАНБЕ 18.06", 9),
            " 2 | ДУШАНБЕ 18.06\n   |         ^"
        );
        assert_eq!(
            snippet(10, "a\u{1b}b", 3),
            " 10 | a\\u{1b}b\n    |        ^"
        );
    }

    #[test]
    fn shown_escapes_what_could_forge_a_line() {
        assert_eq!(shown(Path::new("a/b c.txt")), "a/b c.txt");
        assert_eq!(shown(Path::new("шос.txt")), "шос.txt");
        assert_eq!(
            shown(Path::new("x\nerror: forged.txt")),
            "x\\nerror: forged.txt"
        );
        assert_eq!(
            shown(Path::new("\u{1b}[2Jx\u{202E}")),
            "\\u{1b}[2Jx\\u{202e}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn shown_keeps_non_utf8_bytes_apart() {
        use std::os::unix::ffi::OsStrExt;
        let a = shown(Path::new(std::ffi::OsStr::from_bytes(b"caf\xE9.txt")));
        let b = shown(Path::new(std::ffi::OsStr::from_bytes(b"caf\xE8.txt")));
        assert_eq!(a, "caf\\xE9.txt");
        assert_ne!(a, b);
    }
}

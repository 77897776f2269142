//! How problems are shown to people.

use std::path::Path;

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

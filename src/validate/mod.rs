//! Feed validator behind `wirefeed check`.
//!
//! The build step runs [`check`] on every feed it renders before writing it,
//! so a broken template or a malformed story date is caught before readers
//! see it. The module is self-contained: it takes bytes, never panics (it is
//! fuzzed with arbitrary input) and returns positioned [`Finding`]s with
//! stable codes documented in `docs/CHECK_RULES.md` and [`rules`].

mod atom;
mod date;
mod html;
mod json;
mod media;
mod ninjs;
mod report;
mod rss;
mod scheme;
mod sitemap;
mod w3c;
mod xml;
mod yandex;

pub use date::{parse_rfc3339, parse_rfc822, Rfc822Error};
pub use report::{DocumentKind, Finding, Report, Rule, Severity};

use chrono::{DateTime, Utc};
use report::Sink;

/// Namespace of Atom 1.0 (RFC 4287).
pub const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// Knobs for [`check`]; build it as
/// `CheckOptions { now, ..CheckOptions::default() }` so new knobs keep
/// their defaults.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Reference time for the `date.future` rule; `None` skips that rule so
    /// results are reproducible (tests, fuzzing).
    pub now: Option<DateTime<Utc>>,
    /// The document is about to be published (the `build` gate): active
    /// content in HTML (`html.script`) and a stylesheet href that is not
    /// absolute http(s) (`xml.stylesheet.href`) are then errors, not warnings.
    /// `url.scheme` and `html.url.scheme` are errors either way.
    pub publishing: bool,
}

/// The input could not be checked at all (CLI exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The bytes are not an XML or JSON document (empty, binary, plain text).
    #[error("not an XML or JSON document (at {line}:{column}): {message}")]
    NotXml {
        /// 1-based line where the problem was noticed.
        line: usize,
        /// 1-based column (characters).
        column: usize,
        /// What was found instead.
        message: String,
    },
    /// The decoded document is longer than the validator can index.
    #[error("the document is {size} bytes once decoded; documents over 4 GiB cannot be checked")]
    TooLarge {
        /// Length of the decoded text in bytes.
        size: usize,
    },
}

/// The documented catalogue of every finding code.
pub fn rules() -> &'static [Rule] {
    report::RULES
}

/// Checks one feed document held in memory.
///
/// Well-formedness problems in something that is recognisably XML are
/// reported as `xml.wellformed` findings; only input that is not XML or JSON
/// at all yields `Err`.
pub fn check(bytes: &[u8], opts: &CheckOptions) -> Result<Report, CheckError> {
    let mut sink = Sink::new(opts.publishing);
    let text = xml::decode(bytes, &mut sink)?;
    if text.len() > xml::MAX_TEXT {
        return Err(CheckError::TooLarge { size: text.len() });
    }
    let trimmed = text.trim_start_matches(['\u{FEFF}', ' ', '\t', '\r', '\n']);
    let lead = text.len() - trimmed.len();
    let kind = match trimmed.chars().next() {
        // JSON Feed is one object; ninjs is JSON Lines of objects with a `uri` (or one such
        // object), which JSON Feed does not have at its top.
        Some('{') if ninjs::recognise(&text) => {
            ninjs::check(&text, &mut sink);
            Some(DocumentKind::Ninjs)
        }
        Some('{') | Some('[') => {
            json::check(&text, &mut sink);
            Some(DocumentKind::JsonFeed)
        }
        Some('<') => {
            w3c::xml_version(&text, &mut sink);
            let doc = xml::parse(&text, &mut sink);
            classify_and_check(&doc, opts, text.len(), &mut sink)
        }
        Some(c) => {
            let idx = xml::LineIndex::new(&text);
            let (line, column) = idx.pos(lead);
            return Err(CheckError::NotXml {
                line,
                column,
                message: format!("document starts with {c:?}, not '<' or '{{'"),
            });
        }
        None => {
            return Err(CheckError::NotXml {
                line: 1,
                column: 1,
                message: "the input contains only whitespace".into(),
            })
        }
    };
    Ok(Report {
        kind,
        findings: sink.into_sorted(),
    })
}

fn classify_and_check(
    doc: &xml::Document<'_>,
    opts: &CheckOptions,
    size: usize,
    sink: &mut Sink,
) -> Option<DocumentKind> {
    let root = doc.root.and_then(|r| doc.get(r).map(|e| (r, e)))?;
    let kind = if root.1.is(None, "rss") && yandex::is_yandex(doc) {
        Some(DocumentKind::Yandex)
    } else if root.1.is(None, "rss") {
        Some(DocumentKind::Rss)
    } else if sitemap::is_sitemap(root.1) {
        Some(DocumentKind::Sitemap)
    } else if root.1.is(Some(ATOM_NS), "feed") {
        Some(DocumentKind::Atom)
    } else {
        None
    };
    // A partial tree would drown the real problem in "missing element" noise.
    if !doc.wellformed {
        return kind;
    }
    match kind {
        Some(DocumentKind::Rss) => rss::check(doc, root.0, opts, sink),
        // A Yandex feed is RSS first.
        Some(DocumentKind::Yandex) => {
            rss::check(doc, root.0, opts, sink);
            yandex::check(doc, root.0, size, sink);
        }
        Some(DocumentKind::Sitemap) => sitemap::check(doc, root.0, sink),
        Some(DocumentKind::Atom) => atom::check(doc, root.0, opts, sink),
        _ => {
            let hint = if root.1.local() == "feed" {
                " (an Atom <feed> must be in the http://www.w3.org/2005/Atom namespace)"
            } else {
                ""
            };
            sink.at(
                "feed.kind.unknown",
                root.1.pos(),
                format!(
                    "root element <{}> is neither RSS 2.0 <rss>, Atom <feed> nor a sitemap <urlset>/<sitemapindex>{hint}",
                    root.1.qname()
                ),
            );
        }
    }
    kind
}

/// Is `s` an absolute URL/IRI (has a scheme)?
pub(crate) fn is_absolute_url(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty() && !s.contains(char::is_whitespace) && url::Url::parse(s).is_ok()
}

pub use crate::language_tag::is_language_tag;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        for ok in [
            "en",
            "en-us",
            "en-US",
            "de-CH-1996",
            "x-klingon",
            "zh-Hant-TW",
            "ast",
        ] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in ["", "e", "english", "en_US", "en-", "x", "en-toolongsubtag"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn not_xml_inputs() {
        let o = CheckOptions::default();
        assert!(check(b"", &o).is_err());
        assert!(check(b"   \n", &o).is_err());
        assert!(check(b"hello world", &o).is_err());
        assert!(check(&[0x00, 0x01, 0xFF, 0x80], &o).is_err());
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // Cheap deterministic fuzz: an LCG over XML-ish alphabets.
        let alphabet: &[u8] = b"<>/=\"'&;#x:?! abcrsfeditmlns\n\r\t\x00\x01\xff\xfe\xc3\xa9[]{}";
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for len in 0..400 {
            let mut buf = Vec::with_capacity(len);
            for _ in 0..len {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                buf.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
            }
            buf.insert(0, b'<');
            let _ = check(
                &buf,
                &CheckOptions {
                    now: Some(Utc::now()),
                    ..CheckOptions::default()
                },
            );
        }
    }
}

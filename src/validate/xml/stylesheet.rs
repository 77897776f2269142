//! The `<?xml-stylesheet?>` instruction (rules `xml.stylesheet` and `xml.stylesheet.href`).
//!
//! A browser that opens a feed fetches the stylesheet its prolog names and runs it over the
//! document: an XSLT stylesheet is a program, so its address matters as much as a script's. A
//! `javascript:` or `data:` href would let the feed bring its own active content; a relative one
//! depends on where the feed happens to be served from, which a publisher should not leave to
//! chance. Readers ignore the instruction, so nothing else about it is checked.

use quick_xml::events::BytesPI;

use super::super::report::Sink;
use super::super::scheme::{quote, scheme, script_scheme};
use super::position::LineIndex;

/// Stylesheet languages a browser applies to an XML document.
const TYPES: &[&str] = &["text/xsl", "text/css"];

/// Checks one processing instruction found at byte `start`; `in_prolog` says whether the root
/// element is still ahead. Instructions with other targets are not the validator's business.
pub(super) fn check(
    pi: &BytesPI<'_>,
    start: usize,
    in_prolog: bool,
    lines: &LineIndex<'_>,
    sink: &mut Sink,
) {
    if pi.target() != b"xml-stylesheet" {
        return;
    }
    let pos = lines.pos(start);
    let mut fail = |message: String| sink.at("xml.stylesheet", pos, message);
    if !in_prolog {
        fail(
            "<?xml-stylesheet?> after the root element start; browsers only apply it in the prolog"
                .into(),
        );
        return;
    }
    let mut kind = None;
    let mut href = None;
    for attr in pi.attributes() {
        let attr = match attr {
            Ok(a) => a,
            Err(e) => {
                fail(format!(
                    "<?xml-stylesheet?> pseudo-attributes do not parse: {e}"
                ));
                return;
            }
        };
        let value = std::str::from_utf8(&attr.value)
            .ok()
            .and_then(|v| quick_xml::escape::unescape(v).ok().map(|v| v.into_owned()));
        let Some(value) = value else {
            fail("<?xml-stylesheet?> has a pseudo-attribute with an unknown reference".into());
            return;
        };
        match attr.key.as_ref() {
            b"type" => kind = Some(value),
            b"href" => href = Some(value),
            _ => {}
        }
    }
    match kind.as_deref().map(str::trim) {
        None => fail("<?xml-stylesheet?> needs type=\"text/xsl\" (or text/css)".into()),
        Some(t) if !TYPES.iter().any(|known| t.eq_ignore_ascii_case(known)) => fail(format!(
            "<?xml-stylesheet?> type {} is not text/xsl or text/css",
            quote(t)
        )),
        Some(_) => {}
    }
    let href = match href.as_deref().map(str::trim) {
        None | Some("") => {
            fail("<?xml-stylesheet?> needs an href".into());
            return;
        }
        Some(h) => h,
    };
    if let Some(s) = script_scheme(href) {
        fail(format!(
            "the stylesheet href {} uses the {s}: scheme, which would run content the feed brings along",
            quote(href)
        ));
        return;
    }
    let web = matches!(scheme(href).as_deref(), Some("http" | "https"));
    if !web || url::Url::parse(href).is_err() {
        sink.at(
            "xml.stylesheet.href",
            pos,
            format!(
                "the stylesheet href {} is not an absolute http(s) URL",
                quote(href)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::{check, CheckOptions, Finding, Severity};

    const ROOT: &str = "<rss version=\"2.0\"><channel><title>T</title><link>https://e.org/</link><description>D</description><language>en</language></channel></rss>";

    fn findings(pi: &str, publishing: bool) -> Vec<Finding> {
        let doc = format!("<?xml version=\"1.0\"?>\n{pi}\n{ROOT}");
        let opts = CheckOptions {
            publishing,
            ..CheckOptions::default()
        };
        check(doc.as_bytes(), &opts)
            .map(|r| r.findings)
            .unwrap_or_default()
            .into_iter()
            .filter(|f| f.code.starts_with("xml."))
            .collect()
    }

    fn codes(pi: &str, publishing: bool) -> Vec<(&'static str, Severity)> {
        findings(pi, publishing)
            .iter()
            .map(|f| (f.code, f.severity))
            .collect()
    }

    #[test]
    fn an_absolute_xslt_href_is_fine() {
        for pi in [
            r#"<?xml-stylesheet type="text/xsl" href="https://e.org/feed.xsl"?>"#,
            r#"<?xml-stylesheet href="http://e.org/a.css?x=1&amp;y=2" type="TEXT/CSS" media="screen"?>"#,
            "<?other-pi type='x'?>",
        ] {
            assert_eq!(codes(pi, true), [], "{pi}");
        }
    }

    #[test]
    fn the_finding_points_at_the_instruction() {
        let f = findings(r#"<?xml-stylesheet href="https://e.org/a.xsl"?>"#, false);
        assert_eq!((f[0].line, f[0].column), (2, 1), "{f:?}");
        assert!(f[0].message.contains("needs type"), "{f:?}");
    }

    #[test]
    fn type_must_be_xsl_or_css() {
        let got = codes(
            r#"<?xml-stylesheet type="text/html" href="https://e.org/a"?>"#,
            false,
        );
        assert_eq!(got, [("xml.stylesheet", Severity::Error)]);
    }

    #[test]
    fn href_is_required() {
        for pi in [
            r#"<?xml-stylesheet type="text/xsl"?>"#,
            r#"<?xml-stylesheet type="text/xsl" href=" "?>"#,
        ] {
            assert_eq!(
                codes(pi, false),
                [("xml.stylesheet", Severity::Error)],
                "{pi}"
            );
        }
    }

    #[test]
    fn script_and_data_hrefs_are_errors_even_when_only_checking() {
        for pi in [
            r#"<?xml-stylesheet type="text/xsl" href="javascript:alert(1)"?>"#,
            r#"<?xml-stylesheet type="text/xsl" href=" JaVa&#x9;Script:x"?>"#,
            r#"<?xml-stylesheet type="text/xsl" href="data:text/xsl,&lt;x/&gt;"?>"#,
        ] {
            assert_eq!(
                codes(pi, false),
                [("xml.stylesheet", Severity::Error)],
                "{pi}"
            );
        }
    }

    #[test]
    fn a_relative_or_non_web_href_is_an_error_only_when_publishing() {
        for pi in [
            r#"<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>"#,
            r#"<?xml-stylesheet type="text/xsl" href="ftp://e.org/feed.xsl"?>"#,
        ] {
            assert_eq!(
                codes(pi, false),
                [("xml.stylesheet.href", Severity::Warning)],
                "{pi}"
            );
            assert_eq!(
                codes(pi, true),
                [("xml.stylesheet.href", Severity::Error)],
                "{pi}"
            );
        }
    }

    #[test]
    fn malformed_pseudo_attributes_are_reported() {
        for pi in [
            r#"<?xml-stylesheet type="text/xsl" href=https://e.org/a.xsl?>"#,
            r#"<?xml-stylesheet type="text/xsl" href="https://e.org/&nope;"?>"#,
        ] {
            assert_eq!(
                codes(pi, false),
                [("xml.stylesheet", Severity::Error)],
                "{pi}"
            );
        }
    }

    #[test]
    fn outside_the_prolog_it_is_reported() {
        let doc =
            format!("{ROOT}\n<?xml-stylesheet type=\"text/xsl\" href=\"https://e.org/a.xsl\"?>");
        let r = check(doc.as_bytes(), &CheckOptions::default()).unwrap();
        let codes: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.code.starts_with("xml."))
            .map(|f| (f.code, f.line))
            .collect();
        assert_eq!(codes, [("xml.stylesheet", 2)]);
    }
}

//! Robustness: `check` must never panic, whatever the bytes. Arbitrary
//! input rarely gets past the first `<`, so fixtures are also mutated
//! (byte flips, insertions, truncations) to reach the format rules.

use proptest::prelude::*;
use wirefeed::validate::{check, CheckOptions};

fn opts() -> CheckOptions {
    CheckOptions {
        now: Some(chrono::Utc::now()),
        ..CheckOptions::default()
    }
}

fn fixtures() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for dir in ["tests/fixtures/check", "tests/fixtures/check/realworld"] {
        for e in std::fs::read_dir(dir).expect("fixture dir").flatten() {
            if e.path().is_file() {
                out.push(std::fs::read(e.path()).expect("readable"));
            }
        }
    }
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512)
    ))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = check(&bytes, &opts());
    }

    #[test]
    fn mutated_fixtures(
        which in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let all = fixtures();
        let mut doc = all[which.index(all.len())].clone();
        for (at, byte, op) in edits {
            if doc.is_empty() {
                break;
            }
            let i = at.index(doc.len());
            match op {
                0 => doc[i] = byte,
                1 => doc.insert(i, byte),
                _ => { doc.remove(i); }
            }
        }
        if !doc.is_empty() && cut.index(4) == 0 {
            let n = cut.index(doc.len());
            doc.truncate(n);
        }
        let _ = check(&doc, &opts());
    }
}

#[test]
fn pathological_shapes_finish() {
    let deep = "<a>".repeat(100_000);
    let _ = check(deep.as_bytes(), &opts());
    let wide = format!(
        "<rss version=\"2.0\"><channel>{}</channel></rss>",
        "<item><guid>x</guid></item>".repeat(20_000)
    );
    let r = check(wide.as_bytes(), &opts()).expect("xml");
    assert!(r.errors() > 0);
    let refs = format!("<a>{}</a>", "&#1;".repeat(50_000));
    let r = check(refs.as_bytes(), &opts()).expect("xml");
    assert!(r.findings.len() <= 200, "findings are capped per code");
    // ninjs: many lines with the same uri, and associations nested past serde_json's limit.
    let lines = "{\"uri\":\"urn:x:1\"}\n".repeat(100_000);
    let r = check(lines.as_bytes(), &opts()).expect("ninjs");
    assert!(r.errors() > 0 && r.findings.len() <= 100, "capped per code");
    let deep = format!(
        "{{\"uri\":\"urn:x:0\"{}}}",
        ",\"associations\":[{\"name\":\"n\",\"uri\":\"urn:x:1\"".repeat(200) + &"}]".repeat(200)
    );
    let _ = check(deep.as_bytes(), &opts());
    let _ = check(&[0xFF, 0xFE, b'<', 0, b'a', 0], &opts());
    let _ = check(&[0xFE, 0xFF, 0xD8, 0x00], &opts());
}

#[test]
fn utf16_with_utf8_declaration_is_a_mismatch() {
    let text = "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"/>";
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let r = check(&bytes, &CheckOptions::default()).expect("xml");
    assert!(
        r.findings.iter().any(|f| f.code == "xml.encoding.mismatch"),
        "{:?}",
        r.findings
    );
    // ...and the same document correctly declared is not.
    let text = text.replace("utf-8", "UTF-16");
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let r = check(&bytes, &CheckOptions::default()).expect("xml");
    assert!(
        !r.findings.iter().any(|f| f.code == "xml.encoding.mismatch"),
        "{:?}",
        r.findings
    );
}

#[test]
fn latin1_declaration_decodes() {
    let mut bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rss version=\"2.0\"><channel><title>Caf".to_vec();
    bytes.push(0xE9);
    bytes.extend_from_slice(b"</title></channel></rss>");
    let r = check(&bytes, &CheckOptions::default()).expect("xml");
    assert!(
        !r.findings.iter().any(|f| f.code.starts_with("xml.")),
        "{:?}",
        r.findings
    );
}

//! Property tests: arbitrary bytes never crash the article parser, and every story it accepts
//! renders to RSS, Atom and JSON documents that pass the project's validator with no finding.
//!
//! Run longer with `PROPTEST_CASES=100000 cargo test --release --test properties`. Failing inputs
//! proptest finds are saved under `proptest-regressions/` and replayed on every run.

use std::path::Path;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use wirefeed::article::{self, ParseOptions};
use wirefeed::config::{Config, RawConfig};
use wirefeed::feed::{self, Format, Publishable, RelatedLink};
use wirefeed::validate::{self, CheckOptions};

/// 512 cases in `cargo test`; `PROPTEST_CASES=N` runs longer.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

fn config() -> Config {
    let raw = RawConfig::parse("[feed]\nsite_url = \"https://example.org/\"\n").unwrap();
    Config::from_raw(&raw).unwrap()
}

/// Characters chosen to hit the parser's and the escaper's edges.
fn nasty_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        4 => prop::char::range('а', 'я'),
        1 => prop::sample::select(vec![
            '<', '>', '&', '"', '\'', ']', '/', ',', '.', ':', '«', '»', '\u{0}', '\u{1}', '\u{7f}',
            '\u{85}', '\u{a0}', '\u{feff}', '\u{fffe}', '\u{ffff}', '\t', '\r', 'ғ', 'ҷ', 'ё',
        ]),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(nasty_char(), 0..max).prop_map(String::from_iter)
}

fn dateline() -> impl Strategy<Value = String> {
    let city = prop::sample::select(vec![
        "ДУШАНБЕ",
        "Худжанд",
        "TOKYO",
        "АТЛАНТИДА",
        "МОСКВА",
        "",
    ]);
    let date = prop::sample::select(vec![
        "18.06.2025",
        "31.02.2025",
        "2025-06-18",
        "18 июня 2025 г.",
        "June 18, 2025",
        "18 июни соли 2025",
        "18.06.2025 14:30",
        "18.06.2025 25:00",
        "1.1.1900",
        "31.12.2100",
        "2024-02-29",
        "",
        "xx",
    ]);
    let agency = prop::sample::select(vec!["НИАТ «Ховар»", "NIAT \"Khovar\"", "", "<b>&</b>"]);
    (city, date, agency, text(80)).prop_map(|(c, d, a, t)| format!("{c}, {d} /{a}/. {t}"))
}

fn story() -> impl Strategy<Value = String> {
    (
        text(60),
        dateline(),
        prop::collection::vec(text(120), 0..5),
        prop::option::of(text(30)),
        0usize..4,
        prop::collection::vec(text(60), 0..4),
        prop::sample::select(vec!["\n", "\r\n", "\r"]),
    )
        .prop_map(|(head, dl, paras, credit, blanks, related, eol)| {
            let mut lines = vec![head, dl];
            lines.extend(paras);
            if let Some(c) = credit {
                lines.push(format!("ФОТО: {c}"));
            }
            lines.extend(std::iter::repeat_n(String::new(), blanks));
            lines.extend(related);
            lines.join(eol)
        })
}

/// Renders one story in every format and asserts the validator finds nothing.
fn assert_renders_valid(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Ok(parsed) = article::parse(
        bytes,
        Path::new("p.txt"),
        "2025/06/p.txt",
        &ParseOptions::default(),
    ) else {
        return Ok(());
    };
    let a = &parsed.article;
    let related = a
        .related
        .iter()
        .map(|t| RelatedLink {
            title: t.clone(),
            url: None,
            id: None,
        })
        .collect();
    let model = feed::build_feed(
        &config(),
        &[Publishable {
            article: a,
            related,
            photo: None,
        }],
    );
    for format in [Format::Rss, Format::Atom, Format::Json] {
        let doc = feed::render(&model, format).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let report = validate::check(&doc, &CheckOptions::default())
            .map_err(|e| TestCaseError::fail(format!("{format}: {e}")))?;
        prop_assert!(
            report.findings.is_empty(),
            "{format} findings {:?} for story {:?}\n{}",
            report.findings,
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&doc)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = article::parse(&bytes, Path::new("x"), "x", &ParseOptions::default());
        let _ = validate::check(&bytes, &CheckOptions::default());
    }

    #[test]
    fn arbitrary_sidecars_never_panic(text in "(tags|published|updated|embargo|status|summary|author|photo|caption|lang|x)? ?=? ?(\"[^\"]{0,12}\"|\\[|\\]|[0-9T:+-]{0,30}|\n|.){0,40}") {
        let _ = article::meta::parse(&text, Path::new("x.toml"));
    }

    #[test]
    fn accepted_stories_render_valid_feeds(s in story()) {
        assert_renders_valid(s.as_bytes())?;
    }

    #[test]
    fn accepted_legacy_encoded_stories_render_valid_feeds(s in story()) {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&s);
        assert_renders_valid(&bytes)?;
    }
}

#[test]
fn story_like_input_is_mostly_accepted() {
    // Guards the generator: a property that never reaches the renderer proves nothing.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = story();
    let accepted = (0..300)
        .filter(|_| {
            let s = strategy.new_tree(&mut runner).unwrap().current();
            article::parse(s.as_bytes(), Path::new("p"), "p", &ParseOptions::default()).is_ok()
        })
        .count();
    assert!(
        accepted > 60,
        "only {accepted} of 300 generated stories parsed"
    );
}

#[test]
fn huge_pathological_inputs_finish() {
    for bytes in [
        vec![b'\n'; 1 << 20],
        b",/".repeat(1 << 19),
        "ДУШАНБЕ, 18.06.2025 /А/. ".repeat(40_000).into_bytes(),
        [b"H\n".as_slice(), &b"x".repeat(1 << 20)].concat(),
    ] {
        let start = std::time::Instant::now();
        let _ = article::parse(
            &bytes,
            Path::new("x"),
            "x",
            &ParseOptions {
                max_file_size: 1 << 22,
                ..ParseOptions::default()
            },
        );
        assert!(start.elapsed().as_secs() < 20, "parser is not linear");
    }
}

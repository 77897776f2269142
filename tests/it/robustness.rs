//! Messy archives and cron: every bad input is a per-file message, the rest is published, and a
//! run can never leave a broken feed behind.

use std::path::Path;
use std::time::Duration;

use crate::common::*;

const SITE: &str = "https://example.org/";

/// Runs `wirefeed build` on a fixture folder copied into a temp dir; returns (dir, code, stderr).
fn build_folder(src: &Path, extra: &[&str]) -> (tempfile::TempDir, i32, String) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(src, &dir.path().join("articles"));
    let out = wirefeed(dir.path())
        .args(["build", "--site-url", SITE, "-v"])
        .args(extra)
        .output()
        .unwrap();
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let stderr = String::from_utf8(out.stderr).unwrap();
    (dir, out.status.code().unwrap(), stderr)
}

#[test]
fn mixed_folder_publishes_every_good_story_and_names_every_bad_file() {
    let (dir, code, stderr) = build_folder(&fixture("mixed"), &[]);
    assert_eq!(code, 1, "{stderr}");
    insta::assert_snapshot!("mixed_folder_stderr", stderr);
    for expected in [
        "bad/empty.txt: error: the file is empty",
        "bad/blank-only.txt: error: the file has only blank lines",
        "bad/binary.dat: error: binary content",
        "bad/headline-only.txt:1: error: the story has a headline but no dateline",
        "bad/no-dateline.txt:2:1: error: expected a dateline like `ДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/.`",
        "bad/impossible-date.txt:2:10: error: the date `31.02.2025` does not exist",
        "bad/out-of-range-date.txt:2:10: error: the date `18.06.1025` is out of range",
        "bad/latin1-not-utf8.txt: error: the text is not valid UTF-8",
        "dup/story.txt: error: id `dup/story` is also the id of `dup/story.text`",
        "dup/story.text: error: id `dup/story` is also the id of `dup/story.txt`",
        "control-chars.txt:2: warning: removed 1 control character(s) not allowed in feeds (first: U+0000)",
        "control-chars.txt:3: warning: removed 1 control character(s) not allowed in feeds (first: U+0007)",
        "unknown-city.txt:2: warning: unknown city `АТЛАНТИДА`",
        "13 published, 0 older than the feed's newest, 10 skipped",
        "articles: note: 3 file(s) not in UTF-8",
    ] {
        assert!(stderr.contains(expected), "missing `{expected}` in:\n{stderr}");
    }
    for (file, _) in [("rss.xml", 0), ("atom.xml", 0)] {
        let (bytes, feed) = read_feed(&dir.path().join("public").join(file));
        assert_eq!(feed.entries.len(), 13);
        let text = String::from_utf8(bytes).unwrap();
        for gone in ['\u{0}', '\u{7}'] {
            assert!(!text.contains(gone));
        }
    }
}

#[test]
fn legacy_encodings_are_decoded_into_the_feed() {
    let (dir, _, stderr) = build_folder(&fixture("mixed"), &[]);
    assert!(
        stderr.contains("cp1251.txt: note: decoded from windows-1251"),
        "{stderr}"
    );
    assert!(
        stderr.contains("utf16le-bom.txt: note: decoded from UTF-16LE"),
        "{stderr}"
    );
    let (_, feed) = read_feed(&dir.path().join("public/atom.xml"));
    let titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.title.clone().unwrap().content)
        .collect();
    for t in [
        "В Ташкенте обсудили водные ресурсы",
        "В Бишкеке прошел форум молодежи",
        "Таджикистан и Япония подписали соглашение",
        "В Бохтаре завершили строительство школы",
        "В Худжанде прошла ярмарка",
        "В Кулябе отремонтировали мост",
        "В Алматы прошла выставка",
    ] {
        assert!(titles.iter().any(|x| x == t), "{t} not in {titles:?}");
    }
}

#[test]
fn forced_encoding_flag_overrides_detection() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("articles")).unwrap();
    std::fs::copy(
        fixture("mixed/koi8r.txt"),
        dir.path().join("articles/koi8r.txt"),
    )
    .unwrap();
    let title = |enc: &str| {
        wirefeed(dir.path())
            .args(["build", "--site-url", SITE, "--no-cache", "--encoding", enc])
            .assert()
            .code(0);
        let (_, feed) = read_feed(&dir.path().join("public/rss.xml"));
        feed.entries[0].title.clone().unwrap().content
    };
    assert_eq!(title("koi8-r"), "В Бишкеке прошел форум молодежи");
    // The operator's choice wins even when it is wrong: proof that detection was not used.
    assert_ne!(title("windows-1251"), "В Бишкеке прошел форум молодежи");
}

#[test]
fn markup_in_stories_is_text_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("articles")).unwrap();
    std::fs::copy(
        fixture("mixed/markup.txt"),
        dir.path().join("articles/markup.txt"),
    )
    .unwrap();
    wirefeed(dir.path())
        .args(["build", "--site-url", SITE, "--format", "all"])
        .assert()
        .code(0);
    let title = "Заголовок с <script>alert('x')</script> & \"кавычками\" ]]>";
    for file in ["rss.xml", "atom.xml", "feed.json"] {
        let bytes = std::fs::read(dir.path().join("public").join(file)).unwrap();
        assert_valid(&bytes);
        let feed = parse_back(&bytes);
        let e = &feed.entries[0];
        // RSS titles (and Atom ones of type html) are HTML to readers: wirefeed HTML-escapes
        // `&` and `<` in them as `&#x26;` and `&#x3C;` (issue 13), which they show as the text.
        let t = e.title.as_ref().unwrap();
        let shown = if file == "feed.json" {
            t.content.clone()
        } else {
            t.content.replace("&#x3C;", "<").replace("&#x26;", "&")
        };
        assert_eq!(shown, title, "{file}");
        if file == "atom.xml" {
            assert_eq!(t.content_type.essence().to_string(), "text/html");
        }
        let html = e.content.as_ref().and_then(|c| c.body.clone()).unwrap();
        assert!(
            html.contains("&lt;script&gt;") || !html.contains("<script"),
            "{file}: {html}"
        );
        assert!(html.contains("&lt;b&gt;тегами&lt;/b&gt;"), "{file}: {html}");
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{file}: {html}"
        );
        assert!(html.contains("CDATA ]]&gt; внутри"), "{file}: {html}");
        assert!(
            !html.contains("<img") && !html.contains("<b>") && !html.contains("<i>"),
            "{file}: {html}"
        );
    }
}

#[test]
fn file_over_the_size_cap_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("mixed"), &dir.path().join("articles"));
    let mut big = std::fs::read_to_string(fixture("mixed/good-russian.txt")).unwrap();
    while big.len() < 5000 {
        big.push_str("Ещё один длинный абзац текста для проверки ограничения размера.\n");
    }
    std::fs::write(dir.path().join("articles/big.txt"), big).unwrap();
    let out = wirefeed(dir.path())
        .args(["build", "--site-url", SITE, "--max-file-size", "4096"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("big.txt: error: the file is 5") && stderr.contains("4096-byte limit"),
        "{stderr}"
    );
}

#[test]
fn strict_makes_the_first_bad_file_fatal_and_writes_nothing() {
    let (dir, code, stderr) = build_folder(&fixture("mixed"), &["--strict"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(": note: --strict stops at the first story"),
        "{stderr}"
    );
    assert!(!dir.path().join("public/rss.xml").exists());
}

#[test]
fn config_errors_exit_2_with_one_clear_message() {
    let cases = [
        (
            "[feed]\nsite_url = \"https://e.org/\"\nsite_ulr = \"x\"\n",
            "unknown field `site_ulr`",
        ),
        ("[feed]\nsite_url = \"/news/\"\n", "relative URL"),
        ("[feed]\nsite_url = \"http//e.org\"\n", "feed.site_url"),
        (
            "[feed]\nsite_url = \"https://e.org/\"\ntime_zone = \"Mars/Olympus\"\n",
            "not an IANA time zone",
        ),
        (
            "[feed]\nsite_url = \"https://e.org/\"\narticle_url = \"/{yyyy}/{slug}\"\n",
            "unknown placeholder `{yyyy}`",
        ),
        (
            "[feed]\nsite_url = \"https://e.org/\"\n[build]\nencoding = \"klingon\"\n",
            "unknown encoding",
        ),
    ];
    for (toml, expected) in cases {
        let dir = shipped_project();
        std::fs::write(dir.path().join("wirefeed.toml"), toml).unwrap();
        let out = wirefeed(dir.path()).arg("build").output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{toml}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{toml}: expected `{expected}` in {stderr}"
        );
        assert_eq!(
            stderr.lines().filter(|l| l.starts_with("error")).count(),
            1,
            "one message: {stderr}"
        );
        assert!(!dir.path().join("public").exists());
    }
}

#[test]
fn missing_site_url_and_bad_articles_folder_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = wirefeed(dir.path()).arg("build").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("--site-url"));
    let out = wirefeed(dir.path())
        .args(["build", "--site-url", SITE, "--articles", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("cannot read the articles folder"));
}

#[test]
fn unchanged_feeds_are_not_rewritten() {
    let dir = shipped_project();
    wirefeed(dir.path()).arg("build").assert().code(0);
    let rss = dir.path().join("public/rss.xml");
    let before = std::fs::metadata(&rss).unwrap().modified().unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let out = wirefeed(dir.path()).args(["build", "-v"]).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("public/rss.xml: note: rss feed unchanged"),
        "{stderr}"
    );
    assert!(
        stderr.contains("public/atom.xml: note: atom feed unchanged"),
        "{stderr}"
    );
    assert_eq!(std::fs::metadata(&rss).unwrap().modified().unwrap(), before);
}

#[test]
fn a_second_build_waits_for_the_lock_then_gives_up_with_exit_4() {
    let dir = shipped_project();
    let out_dir = dir.path().join("public");
    std::fs::create_dir_all(&out_dir).unwrap();
    let held = wirefeed::output::OutputLock::acquire(&out_dir, Duration::ZERO).unwrap();
    let out = wirefeed(dir.path())
        .args(["build", "--lock-timeout", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("another wirefeed build is writing to"),
        "{stderr}"
    );
    assert!(!out_dir.join("rss.xml").exists());
    drop(held);
    wirefeed(dir.path()).arg("build").assert().code(0);
}

#[test]
fn overlapping_builds_both_finish_and_leave_valid_feeds() {
    let dir = shipped_project();
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("wirefeed"))
            .current_dir(dir.path())
            .args(["build", "--no-cache", "--lock-timeout", "30"])
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn(), spawn());
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    read_feed(&dir.path().join("public/rss.xml"));
    read_feed(&dir.path().join("public/atom.xml"));
}

/// Kills builds at many moments, including mid-write of a large feed: each time the feed on disk
/// is either the previous complete one or the new complete one, and never a temp file left over.
#[test]
fn killing_a_build_never_leaves_a_broken_feed() {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    std::fs::create_dir_all(&articles).unwrap();
    let template = std::fs::read_to_string(root().join("articles/2025/06/shos-ikt.txt")).unwrap();
    for i in 0..400 {
        let day = 1 + i % 28;
        let text = template.replacen("18.06.2025", &format!("{day:02}.05.2024"), 1);
        std::fs::write(
            articles.join(format!("s{i:04}.txt")),
            text.replacen('\n', &format!(" {i}\n"), 1),
        )
        .unwrap();
    }
    let build = |limit: &str| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("wirefeed"))
            .current_dir(dir.path())
            .args(["build", "--site-url", SITE, "--no-cache", "--limit", limit])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    assert!(build("400").wait().unwrap().success());
    let rss = dir.path().join("public/rss.xml");
    let complete_a = std::fs::read(&rss).unwrap();
    let mut limits = ["399", "400"].iter().cycle();
    let mut killed = 0;
    for step in 0..24u64 {
        let mut child = build(limits.next().unwrap());
        std::thread::sleep(Duration::from_millis(5 + step * 7));
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        let now = std::fs::read(&rss).unwrap();
        assert!(
            now.ends_with(b"</rss>\n"),
            "truncated feed after kill at step {step}"
        );
        if now != complete_a {
            parse_back(&now);
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("public"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".tmp") && !n.starts_with(".wirefeed-cache"))
            .collect();
        // A killed process cannot clean up its temp file; a later build must not be confused by
        // it, and readers never see it (hidden name). Remove it as an operator would.
        for l in leftovers {
            std::fs::remove_file(dir.path().join("public").join(l)).unwrap();
        }
    }
    assert!(
        killed > 0,
        "no build was caught mid-run; the test proved nothing"
    );
    assert!(build("400").wait().unwrap().success());
    read_feed(&rss);
}

#[test]
fn no_check_is_loud() {
    let dir = shipped_project();
    let out = wirefeed(dir.path())
        .args(["build", "--no-check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("WITHOUT validation"));
}

#[test]
fn closed_stdout_pipe_is_quiet() {
    let dir = shipped_project();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("wirefeed"))
        .current_dir(dir.path())
        .args(["build", "--format", "rss", "--output", "-"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// The build gate: a feed that fails validation is not written and the previous file stays.
#[test]
fn an_invalid_feed_is_refused_and_the_old_file_stays() {
    let dir = shipped_project();
    wirefeed(dir.path()).arg("build").assert().code(0);
    let rss = dir.path().join("public/rss.xml");
    let before = std::fs::read(&rss).unwrap();
    let mtime = std::fs::metadata(&rss).unwrap().modified().unwrap();
    std::thread::sleep(Duration::from_millis(20));

    // A stray control character in the configured title cannot appear in XML 1.0.
    let out = wirefeed(dir.path())
        .args(["build", "--title", "News\u{1}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("xml.char.invalid"), "{stderr}");
    assert!(
        stderr.contains("the rss feed failed validation and was NOT written"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&rss).unwrap(), before);
    assert_eq!(std::fs::metadata(&rss).unwrap().modified().unwrap(), mtime);

    // A relative site URL is refused before anything is built.
    let out = wirefeed(dir.path())
        .args(["build", "--site-url", "/news/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&rss).unwrap(), before);

    // --no-check writes it anyway, loudly: the emergency exit exists and says so.
    let out = wirefeed(dir.path())
        .args([
            "build",
            "--no-check",
            "--format",
            "json",
            "--title",
            "News\u{1}",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn map_settings_have_flags_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("articles")).unwrap();
    std::fs::copy(
        fixture("mixed/unknown-city.txt"),
        dir.path().join("articles/a.txt"),
    )
    .unwrap();
    let out = wirefeed(dir.path())
        .args([
            "build",
            "--site-url",
            SITE,
            "--rss-file",
            "news.xml",
            "--format",
            "rss",
            "-v",
        ])
        .args([
            "--city",
            "АТЛАНТИДА=Europe/Moscow",
            "--agency",
            "НИАТ «Ховар»=https://khovar.tj/",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("unknown city"), "{stderr}");
    let (bytes, _) = read_feed(&dir.path().join("public/news.xml"));
    let rss = String::from_utf8(bytes).unwrap();
    assert!(
        rss.contains("<pubDate>Tue, 27 May 2025 00:00:00 +0300</pubDate>"),
        "{rss}"
    );
    assert!(
        rss.contains("<source url=\"https://khovar.tj/\">НИАТ «Ховар»</source>"),
        "{rss}"
    );
    let bad = wirefeed(dir.path())
        .args(["build", "--site-url", SITE, "--city", "novalue"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn progress_counters_reach_the_total() {
    let dir = shipped_project();
    let raw = wirefeed::config::RawConfig::load(&dir.path().join("wirefeed.toml")).unwrap();
    let config = wirefeed::Config::from_raw(&raw).unwrap();
    let progress = std::sync::Arc::new(wirefeed::build::Progress::default());
    let mut opts = wirefeed::BuildOptions::new(&config);
    opts.progress = Some(progress.clone());
    opts.output = wirefeed::build::Output::Stdout;
    wirefeed::build(&config, &opts).unwrap();
    use std::sync::atomic::Ordering::Relaxed;
    assert_eq!(progress.total.load(Relaxed), 15);
    assert_eq!(progress.scanned.load(Relaxed), 15);
}

#[test]
fn output_to_a_named_file() {
    let dir = shipped_project();
    wirefeed(dir.path())
        .args(["build", "--format", "rss", "--output", "feeds/news.rss"])
        .assert()
        .code(0);
    let (_, feed) = read_feed(&dir.path().join("feeds/news.rss"));
    assert_eq!(feed.entries.len(), 13);
    assert!(!dir.path().join("public/rss.xml").exists());
}

#[test]
fn an_empty_archive_gives_valid_empty_feeds_and_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("articles")).unwrap();
    let out = wirefeed(dir.path())
        .args(["build", "--site-url", SITE])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("no story files"));
    for file in ["rss.xml", "atom.xml"] {
        let (bytes, feed) = read_feed(&dir.path().join("public").join(file));
        assert!(feed.entries.is_empty());
        assert!(
            !String::from_utf8(bytes).unwrap().contains("1970 00:00:00"),
            "{file}"
        );
    }
}

/// Whether a line has the one diagnostic shape: `path[:line[:col]]: severity: message`.
fn has_the_shape(line: &str) -> bool {
    ["error", "warning", "note"].iter().any(|level| {
        line.split_once(&format!(": {level}: "))
            .is_some_and(|(place, message)| {
                let mut parts = place.rsplitn(3, ':').collect::<Vec<_>>();
                parts.reverse();
                // `path`, `path:line` or `path:line:col`, the numbers being numbers.
                let numbers = parts.iter().skip(1).all(|n| n.parse::<usize>().is_ok())
                    || !parts.iter().skip(1).any(|n| n.parse::<usize>().is_ok());
                !parts[0].is_empty() && numbers && !message.is_empty()
            })
    })
}

#[test]
fn every_line_of_a_messy_build_has_the_one_shape() {
    // Bad files and warnings, and a feed that fails its check (a control character in the
    // title), in one run.
    let (_, code, stderr) = build_folder(&fixture("mixed"), &["--title", "News\u{1}"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("public/rss.xml:"), "{stderr}");
    assert!(stderr.contains(": error: xml.char.invalid: "), "{stderr}");
    for line in stderr.lines() {
        assert!(
            has_the_shape(line),
            "not in the one shape: {line:?}\n{stderr}"
        );
    }
    assert!(!has_the_shape(
        "error: rss feed, line 3:4: xml.char.invalid: x"
    ));
    assert!(has_the_shape("a/b.txt:2:10: error: x"));
}

#[test]
fn a_story_error_shows_its_line_with_a_caret_when_asked_and_is_plain_when_piped() {
    let (_, _, plain) = build_folder(&fixture("mixed"), &[]);
    assert!(
        !plain.contains('\u{1b}') && !plain.contains(" | "),
        "{plain}"
    );
    let (_, _, color) = build_folder(&fixture("mixed"), &["--color", "always"]);
    assert!(color.contains('\u{1b}'), "{color}");
    let lines: Vec<&str> = color.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("impossible-date.txt:2:10:"))
        .unwrap();
    assert!(
        lines[at + 1].contains(" 2 | ДУШАНБЕ, 31.02.2025"),
        "{color}"
    );
    // The caret stands under column 10, where the date starts.
    let caret = lines[at + 2];
    let bar = caret.find('|').unwrap();
    assert_eq!(caret[bar + 2..].find('^'), Some(9), "{caret:?}");
}

#[test]
fn source_date_epoch_is_the_build_clock() {
    let dir = shipped_project();
    wirefeed(dir.path()).arg("build").assert().code(0);
    let check = |epoch: Option<&str>| {
        let mut cmd = wirefeed(dir.path());
        cmd.args(["check", "public/rss.xml"]);
        if let Some(epoch) = epoch {
            cmd.env("SOURCE_DATE_EPOCH", epoch);
        }
        let out = cmd.output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
        (out.status.code(), text)
    };
    // In 2001 the shipped stories of 2025 lie in the future; today they do not.
    let (code, text) = check(Some("1000000000"));
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("date.future"), "{text}");
    let (_, text) = check(None);
    assert!(!text.contains("date.future"), "{text}");
    // A clock nobody can read is refused by both commands.
    let (code, text) = check(Some("yesterday"));
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("SOURCE_DATE_EPOCH=`yesterday` is not a time"),
        "{text}"
    );
    let out = wirefeed(dir.path())
        .arg("build")
        .env("SOURCE_DATE_EPOCH", "1.5")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // The build checks its feeds against the same clock: in 2001 they carry future dates.
    let out = wirefeed(dir.path())
        .args(["build", "--no-cache", "-v"])
        .env("SOURCE_DATE_EPOCH", "1000000000")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("warning: date.future"), "{stderr}");
}

//! WebSub: the feeds advertise the configured hubs, and a build with `ping = true` notifies a
//! hub of each feed it wrote. The hub is a small HTTP server on loopback that records every
//! request and answers with a fixed status.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::common::{code_and_stderr, copy_dir, files_under, fixture, read_feed, wirefeed};

const SITE: &str = "https://example.org/";

/// One request the hub received.
#[derive(Debug, Clone)]
struct Received {
    request_line: String,
    content_type: Option<String>,
    body: String,
}

/// A hub on 127.0.0.1 that answers every request with `status`.
struct Hub {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Hub {
    fn start(status: &'static str) -> Hub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hub", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        // Left running when the test ends: it only ever blocks in `accept`.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve(stream, status, &log));
            }
        });
        Hub { url, received }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// Serves the requests of one connection (clients keep connections alive) until it closes.
fn serve(stream: TcpStream, status: &str, log: &Mutex<Vec<Received>>) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let (mut length, mut content_type) = (0usize, None);
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                match name.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap(),
                    "content-type" => content_type = Some(value.trim().to_string()),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        // Recorded before the answer, so that the build cannot end before its ping is seen.
        log.lock().unwrap().push(Received {
            request_line: request_line.trim_end().to_string(),
            content_type,
            body: String::from_utf8(body).unwrap(),
        });
        let answer = format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n");
        if writer.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

/// A project holding the `languages` fixture archive and `config` under its `[feed]` table.
fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("languages"), &dir.path().join("articles"));
    let toml = format!("[feed]\nsite_url = \"{SITE}\"\n{config}");
    std::fs::write(dir.path().join("wirefeed.toml"), toml).unwrap();
    dir
}

fn build(dir: &Path, args: &[&str]) -> (i32, String) {
    code_and_stderr(
        wirefeed(dir)
            .arg("build")
            .args(args)
            .env("WIREFEED_PING_TIMEOUT_MS", "2000"),
    )
}

/// Every feed file of the output folder (RSS, Atom and JSON).
fn feeds_under(public: &Path) -> Vec<PathBuf> {
    let mut feeds: Vec<PathBuf> = files_under(public)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "xml" || e == "json"))
        .collect();
    feeds.sort();
    feeds
}

/// The publish ping body for the feed file `path` under `public`, as a hub must receive it.
fn expected_body(public: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(public).unwrap().to_string_lossy();
    let feed = format!("{SITE}{rel}");
    let encoded: String = url::form_urlencoded::byte_serialize(feed.as_bytes()).collect();
    format!("hub.mode=publish&hub.url={encoded}")
}

#[test]
fn a_build_pings_the_hub_once_per_written_feed_and_never_when_nothing_changed() {
    let hub = Hub::start("204 No Content");
    let config = format!(
        "hub = [\"{}\"]\n[build]\nping = true\nformats = [\"all\"]\n",
        hub.url
    );
    let dir = project(&config);
    let (code, stderr) = build(dir.path(), &["-v"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let public = dir.path().join("public");
    let feeds = feeds_under(&public);
    // The root set and one per language, each in three formats.
    assert_eq!(feeds.len(), 12, "{feeds:?}");
    let received = hub.received();
    for r in &received {
        assert_eq!(r.request_line, "POST /hub HTTP/1.1");
        assert_eq!(
            r.content_type.as_deref(),
            Some("application/x-www-form-urlencoded")
        );
    }
    let bodies: Vec<String> = received.iter().map(|r| r.body.clone()).collect();
    let unique: BTreeSet<String> = bodies.iter().cloned().collect();
    let expected: BTreeSet<String> = feeds.iter().map(|f| expected_body(&public, f)).collect();
    assert_eq!(bodies.len(), feeds.len(), "one ping per feed: {bodies:#?}");
    assert_eq!(unique, expected);
    assert!(
        stderr.contains("WebSub: 12 ping(s) accepted, 0 failed"),
        "{stderr}"
    );
    // Each feed names the hub (the validator accepts it, an independent parser reads it).
    for path in &feeds {
        let (bytes, parsed) = read_feed(path);
        let text = String::from_utf8(bytes).unwrap();
        if path.extension().is_some_and(|e| e == "json") {
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                doc["hubs"],
                serde_json::json!([{"type": "WebSub", "url": hub.url}]),
                "{}",
                path.display()
            );
        } else {
            assert!(
                parsed
                    .links
                    .iter()
                    .any(|l| l.rel.as_deref() == Some("hub") && l.href == hub.url)
                    || text.contains(&format!("<atom:link href=\"{}\" rel=\"hub\"/>", hub.url)),
                "{}: {text}",
                path.display()
            );
        }
    }

    let (code, stderr) = build(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        hub.received().len(),
        feeds.len(),
        "an up-to-date build pings"
    );
    // Without the cache every feed is rendered again, to the same bytes: still no news.
    let (code, stderr) = build(dir.path(), &["--no-cache"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        hub.received().len(),
        feeds.len(),
        "an unchanged feed is pinged"
    );

    // A corrected English story changes the root's and the English set's feeds only.
    let story = dir.path().join("articles/en-tashkent.txt");
    let text = std::fs::read_to_string(&story).unwrap();
    std::fs::write(&story, text.replacen("\n", " (corrected)\n", 1)).unwrap();
    let (code, stderr) = build(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let pinged: BTreeSet<String> = hub.received()[feeds.len()..]
        .iter()
        .map(|r| r.body.clone())
        .collect();
    let changed: BTreeSet<String> = feeds
        .iter()
        .filter(|f| f.parent() == Some(&*public) || f.parent() == Some(&*public.join("en")))
        .map(|f| expected_body(&public, f))
        .collect();
    assert_eq!(changed.len(), 6);
    assert_eq!(pinged, changed);
    assert_eq!(
        hub.received().len(),
        feeds.len() + 6,
        "each changed feed once"
    );
}

#[test]
fn without_ping_the_feeds_name_the_hub_and_nothing_is_sent() {
    let hub = Hub::start("204 No Content");
    let dir = project(&format!("hub = [\"{}\"]\n", hub.url));
    let (code, stderr) = build(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let (_, parsed) = read_feed(&dir.path().join("public/atom.xml"));
    assert!(parsed.links.iter().any(|l| l.rel.as_deref() == Some("hub")));
    // The flag of the setting turns it on for one run; the feeds are already written.
    assert!(hub.received().is_empty());
    std::fs::remove_dir_all(dir.path().join("public")).unwrap();
    let (code, stderr) = build(dir.path(), &["--ping"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(hub.received().len(), 8, "RSS and Atom of four sets");
}

#[test]
fn the_ninjs_stream_is_never_pinged() {
    let hub = Hub::start("204 No Content");
    let config = format!(
        "hub = [\"{}\"]\n[build]\nping = true\nformats = [\"rss\", \"ninjs\"]\n",
        hub.url
    );
    let dir = project(&config);
    let (code, stderr) = build(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let public = dir.path().join("public");
    assert!(public.join("ninjs.jsonl").exists());
    // A hub relays feeds that name it; the stream names none, so only the RSS feeds are pinged.
    let expected: BTreeSet<String> = feeds_under(&public)
        .iter()
        .map(|f| expected_body(&public, f))
        .collect();
    let bodies: BTreeSet<String> = hub.received().into_iter().map(|r| r.body).collect();
    assert_eq!(bodies.len(), 4, "RSS of four sets: {bodies:#?}");
    assert_eq!(bodies, expected);
}

#[test]
fn a_failing_hub_is_a_warning_after_two_retries() {
    let hub = Hub::start("500 Internal Server Error");
    let dir = project(&format!("hub = [\"{}\"]\n[build]\nping = true\n", hub.url));
    let (code, stderr) = build(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let feeds = feeds_under(&dir.path().join("public")).len();
    assert_eq!(
        hub.received().len(),
        feeds * 3,
        "each ping tried three times"
    );
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with(&format!("{}: warning: WebSub ping for ", hub.url)))
        .collect();
    assert_eq!(warnings.len(), feeds, "{stderr}");
    assert!(warnings[0].contains("HTTP 500"), "{stderr}");
}

#[test]
fn an_unreachable_hub_is_a_warning() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hub", closed.local_addr().unwrap());
    drop(closed);
    let dir = project(&format!("hub = [\"{url}\"]\n[build]\nping = true\n"));
    let (code, stderr) = build(dir.path(), &["--no-front-pages"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(&format!("{url}: warning: WebSub ping for {SITE}")),
        "{stderr}"
    );
}

#[test]
fn a_hub_that_is_not_a_web_url_is_refused() {
    let dir = project("");
    for hub in [
        "ftp://hub.example.net/",
        "hub.example.net",
        "javascript:alert(1)",
    ] {
        let (code, stderr) = build(dir.path(), &["--hub", hub]);
        assert_eq!(code, 2, "{hub}: {stderr}");
        assert!(stderr.contains("feed.hub"), "{stderr}");
    }
}

//! Lead photos: found beside the story or named by its sidecar, recognised by their header,
//! copied to the output folder, published as enclosures and Media RSS, and left out with a
//! warning when they cannot be published.

use std::path::Path;

use crate::common::*;

const SITE: &str = "https://example.org/";

/// A PNG header of `w`×`h` pixels (what a header reader needs).
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    b.extend(w.to_be_bytes());
    b.extend(h.to_be_bytes());
    b.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
    b
}

/// A GIF header of `w`×`h` pixels.
fn gif(w: u16, h: u16) -> Vec<u8> {
    let mut b = b"GIF89a".to_vec();
    b.extend(w.to_le_bytes());
    b.extend(h.to_le_bytes());
    b.extend([0, 0, 0]);
    b
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn story(headline: &str, day: &str) -> String {
    format!("{headline}\nДУШАНБЕ, {day}.06.2025 /НИАТ «Ховар»/. Лид.\nФОТО: Фотограф {headline}\n")
}

fn build(dir: &Path, extra: &[&str]) -> (i32, String) {
    code_and_stderr(
        wirefeed(dir)
            .args(["build", "--site-url", SITE, "--format", "all", "-v"])
            .args(extra),
    )
}

/// `a` has a PNG beside it, `b` a GIF, `c` a photo named by its sidecar, `d` a remote photo.
fn archive() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let arts = dir.path().join("articles/2025");
    write(&arts.join("a.txt"), story("Первая", "10").as_bytes());
    write(&arts.join("a.png"), &png(640, 480));
    write(&arts.join("b.txt"), story("Вторая", "11").as_bytes());
    write(&arts.join("b.gif"), &gif(320, 200));
    write(&arts.join("c.txt"), story("Третья", "12").as_bytes());
    write(
        &arts.join("c.toml"),
        "photo = \"img/c-photo.png\"\ncaption = \"Подпись <b>\"\n".as_bytes(),
    );
    write(&arts.join("img/c-photo.png"), &png(100, 50));
    write(&arts.join("d.txt"), story("Четвёртая", "13").as_bytes());
    write(
        &arts.join("d.toml"),
        b"photo = \"https://cdn.example.org/d.jpg\"\n",
    );
    dir
}

#[test]
fn photos_become_enclosures_media_content_attachments_and_figures() {
    let dir = archive();
    let (code, stderr) = build(dir.path(), &["--link-host", "cdn.example.org"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let rss = public_feed(dir.path(), "rss.xml");
    let png_len = png(640, 480).len();
    assert!(
        rss.contains(&format!(
            r#"<enclosure url="https://example.org/media/2025/a.png" length="{png_len}" type="image/png"/>"#
        )),
        "{rss}"
    );
    assert!(rss.contains(r#"height="480" medium="image" type="image/png" url="https://example.org/media/2025/a.png" width="640""#), "{rss}");
    assert!(
        rss.contains(
            r#"<media:credit role="photographer" scheme="urn:ebu">Фотограф Первая</media:credit>"#
        ),
        "{rss}"
    );
    assert!(
        rss.contains(r#"url="https://example.org/media/2025/b.gif" width="320""#),
        "{rss}"
    );
    // The sidecar's photo keeps its real type for `{ext}`, and its caption.
    assert!(
        rss.contains("https://example.org/media/2025/c.png"),
        "{rss}"
    );
    assert!(
        rss.contains("Подпись &lt;b&gt;</media:description>"),
        "{rss}"
    );
    // A remote photo: media:content without sizes, and no enclosure (its length is unknown).
    assert!(
        rss.contains(r#"<media:content medium="image" url="https://cdn.example.org/d.jpg">"#),
        "{rss}"
    );
    assert!(
        !rss.contains(r#"<enclosure url="https://cdn.example.org"#),
        "{rss}"
    );
    let atom = public_feed(dir.path(), "atom.xml");
    assert!(
        atom.contains(r#"rel="enclosure" type="image/gif""#),
        "{atom}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&public_feed(dir.path(), "feed.json")).unwrap();
    let items = json["items"].as_array().unwrap();
    let a = items.iter().find(|i| i["title"] == "Первая").unwrap();
    assert_eq!(a["image"], "https://example.org/media/2025/a.png");
    assert_eq!(a["attachments"][0]["mime_type"], "image/png");
    let d = items.iter().find(|i| i["title"] == "Четвёртая").unwrap();
    assert_eq!(d["image"], "https://cdn.example.org/d.jpg");
    assert!(d.get("attachments").is_none());
    assert!(a["content_html"]
        .as_str()
        .unwrap()
        .starts_with("<figure><img src=\"https://example.org/media/2025/a.png\""));
    // The output folder is self-contained: the photos are copied there.
    let media = dir.path().join("public/media/2025");
    assert_eq!(std::fs::read(media.join("a.png")).unwrap(), png(640, 480));
    assert_eq!(std::fs::read(media.join("b.gif")).unwrap(), gif(320, 200));
    assert_eq!(std::fs::read(media.join("c.png")).unwrap(), png(100, 50));
}

#[test]
fn a_changed_photo_is_seen_and_an_unchanged_one_not_rewritten() {
    let dir = archive();
    let flags = ["--link-host", "cdn.example.org"];
    build(dir.path(), &flags);
    let copy = dir.path().join("public/media/2025/a.png");
    let mtime = std::fs::metadata(&copy).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    // A photo named by a sidecar path is not in any story's stamp: such a build is never
    // skipped as up to date, but its copies are still not rewritten.
    let (_, stderr) = build(dir.path(), &flags);
    assert!(!stderr.contains("feeds up to date"), "{stderr}");
    assert_eq!(std::fs::metadata(&copy).unwrap().modified().unwrap(), mtime);
    // With photos beside their stories only, an unchanged rerun is skipped.
    std::fs::remove_file(dir.path().join("articles/2025/c.toml")).unwrap();
    build(dir.path(), &flags);
    let (_, stderr) = build(dir.path(), &flags);
    assert!(stderr.contains("feeds up to date"), "{stderr}");
    assert_eq!(std::fs::metadata(&copy).unwrap().modified().unwrap(), mtime);
    // A new photo of other dimensions: the cache notices, the feeds and the copy follow.
    write(&dir.path().join("articles/2025/a.png"), &png(1024, 768));
    let (code, stderr) = build(dir.path(), &flags);
    assert_eq!(code, 0, "{stderr}");
    assert!(public_feed(dir.path(), "rss.xml").contains(r#"width="1024""#));
    assert_eq!(std::fs::read(&copy).unwrap(), png(1024, 768));
    // The photo removed: the story is published without one.
    std::fs::remove_file(dir.path().join("articles/2025/a.png")).unwrap();
    build(dir.path(), &flags);
    assert!(!public_feed(dir.path(), "rss.xml").contains("media/2025/a.png"));
}

#[test]
fn a_photo_that_cannot_be_published_is_a_warning_and_the_story_goes_out_without_it() {
    let dir = archive();
    let arts = dir.path().join("articles/2025");
    write(&arts.join("a.png"), b"not an image at all");
    write(&arts.join("b.gif"), &gif(320, 200)[..8]);
    write(&arts.join("c.toml"), b"photo = \"img/missing.png\"\n");
    let (code, stderr) = build(dir.path(), &["--link-host", "cdn.example.org"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("articles/2025/a.png: warning: photo: not a JPEG, PNG, WebP or GIF image"),
        "{stderr}"
    );
    assert!(
        stderr.contains("articles/2025/b.gif: warning: photo:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("articles/2025/img/missing.png: warning: photo: cannot read"),
        "{stderr}"
    );
    let rss = public_feed(dir.path(), "rss.xml");
    assert!(rss.contains("<title>Первая</title>"), "{rss}");
    assert!(
        !rss.contains("media/2025/a.png") && !rss.contains("media/2025/b.gif"),
        "{rss}"
    );
    // Over the size limit.
    let dir = archive();
    let (code, stderr) = build(
        dir.path(),
        &["--link-host", "cdn.example.org", "--max-photo-size", "10"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("a.png: warning: photo: the file is 33 bytes, more than the 10-byte limit"),
        "{stderr}"
    );
}

#[test]
fn withdrawn_stories_lose_their_copied_photo_and_copies_can_be_turned_off() {
    let dir = archive();
    let flags = ["--link-host", "cdn.example.org"];
    build(dir.path(), &flags);
    let copy = dir.path().join("public/media/2025/a.png");
    assert!(copy.exists());
    write(
        &dir.path().join("articles/2025/a.toml"),
        b"status = \"withdrawn\"\n",
    );
    let (code, stderr) = build(dir.path(), &flags);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !copy.exists(),
        "the withdrawn story's photo copy is removed"
    );
    assert!(!public_feed(dir.path(), "rss.xml").contains("media/2025/a.png"));

    let dir = archive();
    let (code, stderr) = build(
        dir.path(),
        &["--link-host", "cdn.example.org", "--no-copy-photos"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(!dir.path().join("public/media").exists());
    assert!(public_feed(dir.path(), "rss.xml").contains("https://example.org/media/2025/a.png"));
}

#[cfg(unix)]
#[test]
fn a_linked_media_folder_is_not_written_through() {
    let dir = archive();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("public")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("public/media")).unwrap();
    let (code, stderr) = build(dir.path(), &["--link-host", "cdn.example.org"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("is not a folder (a link or a file)"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

#[test]
fn inspect_shows_the_photo_as_the_build_finds_it() {
    let dir = archive();
    let inspect = |file: &str| {
        let out = wirefeed(dir.path())
            .args(["inspect", file])
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["photo"].clone()
    };
    let a = inspect("articles/2025/a.txt");
    assert_eq!(a["path"], "articles/2025/a.png");
    assert_eq!(
        (
            a["type"].as_str(),
            a["width"].as_u64(),
            a["height"].as_u64()
        ),
        (Some("image/png"), Some(640), Some(480))
    );
    assert_eq!(
        inspect("articles/2025/c.txt")["path"],
        "articles/2025/img/c-photo.png"
    );
    assert_eq!(
        inspect("articles/2025/d.txt")["url"],
        "https://cdn.example.org/d.jpg"
    );
    write(&dir.path().join("articles/2025/b.gif"), b"GIF");
    assert!(inspect("articles/2025/b.txt")["error"]
        .as_str()
        .unwrap()
        .contains("GIF"));
}

#[test]
fn a_photo_url_on_a_stranger_host_is_not_published() {
    let dir = archive();
    // `d` names a photo on cdn.example.org, which is not listed in `link_hosts` here.
    let (code, stderr) = build(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("articles/2025/d.toml: warning: photo: `https://cdn.example.org/d.jpg` is on `cdn.example.org`"),
        "{stderr}"
    );
    assert!(!public_feed(dir.path(), "rss.xml").contains("cdn.example.org"));
}

//! Related headlines resolved against the whole archive, end to end.

use crate::common::*;

fn story(title: &str, date: &str, related: &[&str]) -> String {
    let mut s = format!("{title}\nДУШАНБЕ, {date} /НИАТ «Ховар»/. Текст новости.\nФОТО: Автор\n");
    if !related.is_empty() {
        s.push_str("\n\n\n");
        for r in related {
            s.push_str(r);
            s.push('\n');
        }
    }
    s
}

#[test]
fn shared_headlines_resolve_to_the_closest_story_and_older_wins_a_tie() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("articles");
    std::fs::create_dir(&a).unwrap();
    let write = |name: &str, text: String| std::fs::write(a.join(name), text).unwrap();
    write(
        "energy-2023.txt",
        story("День энергетика", "22.12.2023", &[]),
    );
    write(
        "energy-2024.txt",
        story("День энергетика", "22.12.2024", &[]),
    );
    write(
        "energy-2025.txt",
        story("День энергетика", "22.12.2025", &[]),
    );
    // 23.12.2024 is closest to the 2024 story.
    write(
        "cites-2024.txt",
        story("Итоги года", "23.12.2024", &["День  энергетика."]),
    );
    // 22.06.2024 is exactly halfway between 2023-12-22 and 2024-12-22 (183 days each way):
    // the older one wins the tie.
    write(
        "cites-tie.txt",
        story("Середина года", "22.06.2024", &["«День энергетика»"]),
    );
    // A headline that exists only in stories outside the feed still links (whole archive).
    write("old.txt", story("Старая новость", "01.01.2001", &[]));
    write(
        "cites-old.txt",
        story(
            "Новая новость",
            "01.01.2026",
            &["старая новость", "Нет такой"],
        ),
    );

    // Every build here shares the site and URL pattern; only the extra flags differ.
    let build = |extra: &[&str]| {
        wirefeed(dir.path())
            .args([
                "build",
                "--site-url",
                "https://e.org/",
                "--article-url",
                "n/{slug}/",
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    assert_eq!(build(&["--limit", "3"]).status.code(), Some(0));
    let (_, feed) = read_feed(&dir.path().join("public/atom.xml"));
    let all = build(&["--limit", "9", "--format", "atom", "--output", "-"]);
    let all = parse_back(&all.stdout);
    let related = |title: &str| -> Vec<String> {
        let e = all
            .entries
            .iter()
            .find(|e| e.title.as_ref().unwrap().content == title)
            .unwrap();
        e.links
            .iter()
            .filter(|l| l.rel.as_deref() == Some("related"))
            .map(|l| l.href.clone())
            .collect()
    };
    assert_eq!(feed.entries.len(), 3);
    assert_eq!(related("Итоги года"), ["https://e.org/n/energy-2024/"]);
    assert_eq!(related("Середина года"), ["https://e.org/n/energy-2023/"]);
    assert_eq!(related("Новая новость"), ["https://e.org/n/old/"]);
    let summary = build(&["--limit", "3", "-v", "--no-cache"]);
    let stderr = String::from_utf8(summary.stderr).unwrap();
    assert!(
        stderr.contains("related headlines: 2 resolved, 1 unresolved"),
        "{stderr}"
    );
}

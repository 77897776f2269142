//! `wirefeed completions` and `wirefeed man`: generated from the parser's own definitions, so
//! they name every subcommand and flag there is.

use crate::common::wirefeed;

fn stdout(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = wirefeed(dir.path()).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}");
    assert!(out.stderr.is_empty(), "{args:?}: nothing on stderr");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn completions_name_the_subcommands_and_the_flags() {
    for (shell, marker) in [
        ("bash", "complete -F _wirefeed"),
        ("zsh", "#compdef wirefeed"),
        ("fish", "complete -c wirefeed"),
    ] {
        let script = stdout(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: {script}");
        // Flags without their dashes: fish writes `-l articles`.
        for word in [
            "build",
            "check",
            "history",
            "watch",
            "debounce",
            "articles",
            "no-ledger",
            "archives",
        ] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let out = wirefeed(dir.path())
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn the_manual_page_is_roff_for_section_1() {
    let page = stdout(&["man"]);
    assert!(page.contains(".TH wirefeed 1"), "{page}");
    assert!(
        page.contains(".SH NAME") && page.contains(".SH SYNOPSIS"),
        "{page}"
    );
    for sub in [
        "build",
        "watch",
        "check",
        "inspect",
        "history",
        "completions",
    ] {
        assert!(page.contains(sub), "the page lacks {sub}");
    }
}

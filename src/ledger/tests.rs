use super::*;

const BUSY: Duration = Duration::from_secs(1);

fn row(id: &str, published: i64) -> Row {
    Row {
        path: format!("{id}.txt").into(),
        record: Record {
            first_seen: 1_000,
            hash: u64::MAX - 1,
            published,
            offset: 18_000,
            source: TimeSource::FirstSeen,
            revised: None,
            gone: None,
        },
    }
}

fn changes(rows: Vec<Row>) -> Changes {
    Changes {
        at: 1_000,
        rows,
        ..Changes::default()
    }
}

#[test]
fn a_missing_ledger_is_created_by_the_first_commit_and_not_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".wirefeed/ledger.sqlite");
    let mut ledger = Ledger::open(&path, true, BUSY).unwrap();
    assert!(!ledger.exists());
    assert!(ledger.records().unwrap().is_empty());
    assert!(!path.exists(), "opening creates nothing");
    // Even with nothing to record, the first commit creates it (the build says so).
    assert!(ledger.commit(&Changes::default()).unwrap());
    assert!(path.is_file());
    let again = Ledger::open(&path, false, BUSY).unwrap();
    assert!(again.exists());
    assert!(again.records().unwrap().is_empty());
}

#[test]
fn records_round_trip_with_their_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.sqlite");
    let mut ledger = Ledger::open(&path, true, BUSY).unwrap();
    let mut c = changes(vec![row("a", 50), row("b", 60)]);
    c.listed.push(("a".into(), String::new()));
    c.listed.push(("a".into(), "ru".into()));
    assert!(ledger.commit(&c).unwrap());
    // A correction: the hash and the revised time change, first_seen does not.
    let mut changed = row("a", 50);
    changed.record.first_seen = 9_999;
    changed.record.hash = 7;
    changed.record.revised = Some(2_000);
    let later = Changes {
        at: 2_000,
        rows: vec![changed],
        gone: vec![("b".into(), GoneReason::Deleted)],
        listed: vec![("a".into(), String::new())],
        events: vec![("a".into(), "changed", "content".into())],
        ..Changes::default()
    };
    assert!(!ledger.commit(&later).unwrap());
    let ledger = Ledger::open(&path, false, BUSY).unwrap();
    let records = ledger.records().unwrap();
    let a = &records["a"];
    assert_eq!((a.first_seen, a.hash, a.revised), (1_000, 7, Some(2_000)));
    assert_eq!(records["b"].gone, Some((2_000, GoneReason::Deleted)));
    assert_eq!(
        ledger.listings("a").unwrap(),
        [(String::new(), 1_000), ("ru".into(), 1_000)],
        "a second listing in the same set keeps the first time"
    );
    let events = ledger.events("a").unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].at, events[0].kind.as_str()), (2_000, "changed"));
    assert_eq!(&*ledger.row("a").unwrap().unwrap().path, "a.txt");
    assert!(ledger.row("zz").unwrap().is_none());
}

#[test]
fn a_row_whose_path_names_another_story_is_damage() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.sqlite");
    let mut ledger = Ledger::open(&path, true, BUSY).unwrap();
    ledger.commit(&changes(vec![row("a", 1)])).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute("UPDATE story SET path = 'x/b.txt' WHERE id = 'a'", [])
        .unwrap();
    drop(conn);
    let ledger = Ledger::open(&path, false, BUSY).unwrap();
    let err = ledger.row("a").unwrap_err();
    assert!(matches!(err, LedgerError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("x/b.txt"), "{err}");
}

#[test]
fn changes_applied_in_memory_give_what_the_ledger_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.sqlite");
    let mut first = changes(vec![row("a", 1), row("b", 2), row("c", 3)]);
    first.gone = vec![("c".into(), GoneReason::Withdrawn)];
    let mut ledger = Ledger::open(&path, true, BUSY).unwrap();
    ledger.commit(&first).unwrap();
    let mut kept: Records = Ledger::open(&path, false, BUSY)
        .unwrap()
        .records()
        .unwrap()
        .into_iter()
        .collect();
    let mut changed = row("a", 50);
    changed.record.first_seen = 9_999;
    changed.record.hash = 7;
    changed.record.revised = Some(2_000);
    changed.record.gone = Some((1, GoneReason::Deleted));
    let later = Changes {
        at: 2_000,
        rows: vec![changed, row("d", 4)],
        gone: vec![("b".into(), GoneReason::Deleted)],
        restored: vec!["c".into()],
        ..Changes::default()
    };
    let mut ledger = Ledger::open(&path, true, BUSY).unwrap();
    ledger.commit(&later).unwrap();
    later.apply(&mut kept);
    let read: Records = Ledger::open(&path, false, BUSY)
        .unwrap()
        .records()
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(kept, read);
    assert_eq!(kept["a"].first_seen, 1_000, "the first sighting stays");
    assert_eq!(kept["b"].gone, Some((2_000, GoneReason::Deleted)));
    assert_eq!(kept["c"].gone, None);
}

#[test]
fn nothing_to_write_leaves_the_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.sqlite");
    Ledger::open(&path, true, BUSY)
        .unwrap()
        .commit(&changes(vec![row("a", 1)]))
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    let mut ledger = Ledger::open(&path, true, BUSY).unwrap();
    assert!(!ledger.commit(&Changes::default()).unwrap());
    drop(ledger);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        modified
    );
}

#[test]
fn garbage_foreign_and_newer_files_are_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.sqlite");
    let text = b"not a database at all, but long enough to have a header....................................................";
    std::fs::write(&garbage, text).unwrap();
    let e = Ledger::open(&garbage, true, BUSY).unwrap_err();
    assert!(matches!(e, LedgerError::Corrupt { .. }), "{e}");
    assert!(e.to_string().contains("left untouched"), "{e}");
    assert_eq!(std::fs::read(&garbage).unwrap(), text);

    let foreign = dir.path().join("foreign.sqlite");
    let conn = Connection::open(&foreign).unwrap();
    conn.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
    drop(conn);
    let e = Ledger::open(&foreign, true, BUSY).unwrap_err();
    assert!(matches!(e, LedgerError::Foreign { .. }), "{e}");

    let newer = dir.path().join("newer.sqlite");
    Ledger::open(&newer, true, BUSY)
        .unwrap()
        .commit(&Changes::default())
        .unwrap();
    let conn = Connection::open(&newer).unwrap();
    conn.execute_batch(&format!("PRAGMA user_version = {}", VERSION + 1))
        .unwrap();
    drop(conn);
    let e = Ledger::open(&newer, true, BUSY).unwrap_err();
    assert!(
        matches!(e, LedgerError::Newer { found, .. } if found == VERSION + 1),
        "{e}"
    );

    // Ours, but a table is missing: damaged.
    let broken = dir.path().join("broken.sqlite");
    Ledger::open(&broken, true, BUSY)
        .unwrap()
        .commit(&Changes::default())
        .unwrap();
    let conn = Connection::open(&broken).unwrap();
    conn.execute_batch("DROP TABLE listing").unwrap();
    drop(conn);
    let e = Ledger::open(&broken, true, BUSY).unwrap_err();
    assert!(matches!(e, LedgerError::Corrupt { .. }), "{e}");

    let folder = dir.path().join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    assert!(matches!(
        Ledger::open(&folder, true, BUSY).unwrap_err(),
        LedgerError::Corrupt { .. }
    ));
}

#[test]
fn an_empty_file_from_an_interrupted_creation_is_created_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.sqlite");
    std::fs::write(&path, b"").unwrap();
    let mut ledger = Ledger::open(&path, true, BUSY).unwrap();
    assert!(!ledger.exists());
    assert!(ledger.commit(&changes(vec![row("a", 1)])).unwrap());
    assert_eq!(
        Ledger::open(&path, false, BUSY)
            .unwrap()
            .records()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_reader_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.sqlite");
    Ledger::open(&path, true, BUSY)
        .unwrap()
        .commit(&Changes::default())
        .unwrap();
    let mut reader = Ledger::open(&path, false, BUSY).unwrap();
    let e = reader.commit(&changes(vec![row("a", 1)])).unwrap_err();
    assert!(matches!(e, LedgerError::Sql { .. }), "{e}");
}

#[test]
fn rows_given_one_at_a_time_are_written_with_the_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.sqlite");
    let mut ledger = Ledger::open(&path, true, BUSY).unwrap();
    assert!(ledger
        .commit_with(&changes(vec![row("a", 1)]), [row("b", 2)].into_iter())
        .unwrap());
    // Nothing but the rows given one at a time is still something to write.
    let mut ledger = Ledger::open(&path, true, BUSY).unwrap();
    assert!(!ledger
        .commit_with(&Changes::default(), [row("c", 3)].into_iter())
        .unwrap());
    let records = Ledger::open(&path, false, BUSY).unwrap().records().unwrap();
    let mut ids: Vec<&str> = records.keys().map(String::as_str).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(records["b"].published, 2);
}

#[test]
fn reading_every_record_keeps_a_small_page_cache_and_sets_the_default_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.sqlite");
    let mut ledger = Ledger::open(&path, true, BUSY).unwrap();
    ledger
        .commit(&changes(vec![row("a", 50), row("b", 60)]))
        .unwrap();
    let ledger = Ledger::open(&path, false, BUSY).unwrap();
    let cache_size = |ledger: &Ledger| -> i64 {
        let conn = ledger.conn.as_ref().unwrap();
        conn.query_row("PRAGMA cache_size", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(cache_size(&ledger), DEFAULT_CACHE_KIB);
    let mut seen = Vec::new();
    ledger
        .each_record(|id, _| seen.push((id, cache_size(&ledger))))
        .unwrap();
    assert_eq!(
        seen,
        [
            ("a".to_string(), CACHE_WHILE_READING_KIB),
            ("b".to_string(), CACHE_WHILE_READING_KIB)
        ]
    );
    assert_eq!(cache_size(&ledger), DEFAULT_CACHE_KIB);
}

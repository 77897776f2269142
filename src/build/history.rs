//! What a build takes from the publication ledger and gives back to it: the time of each
//! date-only story, corrections, withdrawals and deletions, and the tombstones they leave.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use super::{Dated, Revisions};
use crate::cache::{Facts, StoryFacts};
use crate::corpus::{ScanList, Scanned};
use crate::feed::Tombstone;
use crate::ledger::{Changes, GoneReason, Ledger, LedgerError, Record, Records, Row, TimeSource};

/// What the build did to the ledger, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerOutcome {
    /// The ledger file.
    pub path: PathBuf,
    /// Whether this build created it.
    pub created: bool,
    /// Stories seen for the first time.
    pub new: usize,
    /// Stories whose content changed (their Atom `updated` is now).
    pub corrected: usize,
    /// Stories withdrawn or deleted now.
    pub gone: usize,
    /// Stories back after they were withdrawn or deleted.
    pub restored: usize,
    /// Tombstones in the Atom feeds (RFC 6721).
    pub tombstones: usize,
}

/// A story that left the feeds and whose tombstone is still shown.
struct Gone {
    id: String,
    when: DateTime<FixedOffset>,
    /// The feed sets (folders) whose feeds carried it.
    sets: Vec<String>,
}

/// The ledger as one build uses it.
pub(super) struct History {
    ledger: Option<Ledger>,
    changes: Changes,
    /// The build clock, when there is one: without it nothing is recorded.
    now: Option<i64>,
    /// Whether the build writes what it publishes (a build to stdout records nothing).
    writes: bool,
    gone: Vec<Gone>,
    /// The feed sets each story was already listed in, as read from the ledger.
    listed: HashMap<String, HashSet<String>>,
    outcome: LedgerOutcome,
    /// The stories not in the ledger before this build, by scan position: their rows are made
    /// one at a time as the commit writes them, from the scan (one bit a story where a row is
    /// over 100 bytes; a list of their positions was 4 MB at a first build of a million
    /// stories, at the build's peak). A story listed for the first time is looked up here, not
    /// in the ledger.
    fresh: Positions,
    /// Every record, when a session keeps them for the next build.
    records: Option<Records>,
    /// When the first tombstone shown now expires: the feeds change then, though no file does.
    pub expires: Option<i64>,
    /// When the ledger saw stories revised (their content changed after it first saw them).
    pub revisions: Revisions,
}

impl History {
    /// A build without a ledger: date-only stories stay at midnight, nothing is recorded.
    pub(super) fn off() -> Self {
        History {
            ledger: None,
            changes: Changes::default(),
            now: None,
            writes: false,
            gone: Vec::new(),
            listed: HashMap::new(),
            fresh: Positions::default(),
            outcome: LedgerOutcome::default(),
            records: None,
            expires: None,
            revisions: Revisions::default(),
        }
    }

    /// Opens the ledger, gives each story its recorded times (choosing and noting them for a
    /// story seen for the first time) and notes what was corrected, withdrawn, deleted or
    /// restored. `complete` says whether the walk saw the whole archive: when a folder could
    /// not be read, a story missing from the scan is not taken for deleted. `kept` are the
    /// records as a session kept them (else they are read from the ledger), and `keep` says to
    /// hand every record back from [`History::commit`] (a session's next build starts from
    /// them).
    #[allow(clippy::too_many_arguments)] // the build's shared state, borrowed for one step
    pub(super) fn read(
        path: &std::path::Path,
        writes: bool,
        busy: Duration,
        now: Option<i64>,
        tombstone_days: u64,
        scanned: &ScanList,
        stories: &mut [Dated],
        complete: bool,
        (kept, keep): (Option<Records>, bool),
    ) -> Result<Self, LedgerError> {
        let ledger = Ledger::open(path, writes, busy)?;
        let mut history = History {
            outcome: LedgerOutcome {
                path: path.to_path_buf(),
                ..LedgerOutcome::default()
            },
            now,
            writes,
            changes: Changes {
                at: now.unwrap_or_default(),
                ..Changes::default()
            },
            ..History::off()
        };
        // The ledger's rows are read in id order and merged with the stories and the other
        // files, each sorted by id, rather than loaded into a map: at a million stories that
        // map was 220 MB, the largest thing a build held. What the merge keeps is the rows
        // the tombstones need (stories gone before, or going now), usually a handful.
        // The stories are in the scan's order, by path, which is nearly by id: only a `-` or
        // another character before `.` puts `a-b.txt` before `a.txt`. When they are by id
        // already, as the stories of many archives are, the merge walks them as they are;
        // else their positions (32 bits) are sorted by id, by a stable sort, which finds the
        // runs and compares about once per story (an unstable one compared twenty times at a
        // million stories). The positions and the sort's scratch were 8 MB at a million
        // stories, the build's peak.
        let in_id_order = stories
            .windows(2)
            .all(|w| w[0].id(scanned) <= w[1].id(scanned));
        let order: Option<Vec<u32>> = (!in_id_order).then(|| {
            let mut order: Vec<u32> = (0..stories.len()).map(|p| p as u32).collect();
            order.sort_by(|a, b| {
                let id = |p: &u32| stories[*p as usize].id(scanned);
                id(a).cmp(id(b))
            });
            order
        });
        let count = stories.len();
        let at = |next: usize| match &order {
            Some(order) => order.get(next).map(|p| *p as usize),
            None => (next < count).then_some(next),
        };
        let others = others_by_id(scanned, stories);
        let mut merge = Merge::default();
        let (mut next, mut other) = (0, 0);
        let mut visit = |id: &str, record: &Record| {
            while let Some(pos) = at(next).filter(|p| stories[*p].id(scanned) < id) {
                let file = (
                    scanned.path_at(stories[pos].index()),
                    &scanned[stories[pos].index()],
                );
                merge.time(&mut history, &mut stories[pos], pos, file, None);
                next += 1;
            }
            let story = at(next).filter(|p| stories[*p].id(scanned) == id);
            if let Some(pos) = story {
                let file = (
                    scanned.path_at(stories[pos].index()),
                    &scanned[stories[pos].index()],
                );
                merge.time(&mut history, &mut stories[pos], pos, file, Some(record));
                next += 1;
            }
            while others.get(other).is_some_and(|(o, _)| *o < id) {
                other += 1;
            }
            let same = others[other..].iter().take_while(|(o, _)| *o == id);
            let withdrawn = same.clone().any(|(_, w)| *w);
            let present = story.is_some() || same.clone().any(|(_, w)| !*w);
            let going = if record.gone.is_some() || history.now.is_none() {
                None
            } else if withdrawn {
                Some(GoneReason::Withdrawn)
            } else if complete && !present {
                Some(GoneReason::Deleted)
            } else {
                None
            };
            if let Some(reason) = going {
                merge.gone.push((id.to_string(), reason));
            }
            if record.gone.is_some() || going.is_some() {
                merge.kept.push((id.to_string(), record.clone()));
            }
        };
        // A session's records are in memory, in the same order; else the ledger's rows are
        // read, and collected only when a session is to keep them.
        let records = match kept {
            Some(records) => {
                records.iter().for_each(|(id, record)| visit(id, record));
                Some(records)
            }
            None => {
                let mut collected = keep.then(Records::new);
                ledger.each_record(|id, record| {
                    visit(&id, &record);
                    if let Some(all) = collected.as_mut() {
                        all.insert(id, record);
                    }
                })?;
                collected
            }
        };
        for pos in (next..count).filter_map(at) {
            let file = (
                scanned.path_at(stories[pos].index()),
                &scanned[stories[pos].index()],
            );
            merge.time(&mut history, &mut stories[pos], pos, file, None);
        }
        let Merge {
            rows,
            events,
            restored,
            mut gone,
            kept,
        } = merge;
        // What each story noted, in the order of the stories (the scan's), as before the
        // merge: the ledger's events keep their order.
        reorder(&mut history.changes.rows, &rows);
        reorder(&mut history.changes.events, &events);
        reorder(&mut history.changes.restored, &restored);
        gone.sort();
        for (id, reason) in gone {
            history.outcome.gone += 1;
            history.event(&id, reason.as_str(), String::new());
            history.changes.gone.push((id, reason));
        }
        history.revisions.sort();
        history.find_tombstones(&ledger, &kept, tombstone_days)?;
        history.ledger = Some(ledger);
        history.records = records.filter(|_| keep);
        Ok(history)
    }

    /// Gives one story its times and notes what changed since the ledger last saw it.
    fn time(&mut self, story: &mut Dated, (rel, file): (&str, &Scanned), old: Option<&Record>) {
        // `file` is the story's own record, which holds a story's facts.
        let Facts::Story(facts) = &file.facts else {
            return;
        };
        let first_seen = old.map(|r| r.first_seen).or(self.now);
        let kept = (!facts.timed())
            .then(|| old.and_then(|r| recorded_time(r, story.date())))
            .flatten();
        let (date, source) = kept.unwrap_or_else(|| first_time(facts, first_seen));
        let corrected = old.is_some_and(|r| r.hash != facts.hash);
        let revised = match old {
            Some(r) if corrected => self.now.or(r.revised),
            Some(r) => r.revised,
            None => None,
        };
        story.set_date(date);
        // Only a time chrono can show is a revision time.
        if let Some(secs) = revised.filter(|t| DateTime::from_timestamp(*t, 0).is_some()) {
            self.revisions.note(story, secs);
        }
        let Some(first_seen) = first_seen else {
            return; // no clock: nothing to record
        };
        let record = Record {
            first_seen,
            hash: facts.hash,
            published: date.timestamp(),
            offset: date.offset().local_minus_utc(),
            source,
            revised,
            gone: None,
        };
        // Borrowed: it is kept only for what changed, and a build visits every story.
        let id = crate::article::id_of(rel);
        match old {
            None => {
                self.outcome.new += 1;
                self.fresh.insert(story.index());
                return;
            }
            Some(r) => {
                if r.gone.is_some() {
                    self.outcome.restored += 1;
                    self.changes.restored.push(id.to_string());
                    self.event(id, "restored", format!("back in {rel}"));
                }
                if corrected {
                    self.outcome.corrected += 1;
                    self.event(id, "changed", format!("content hash {:016x}", facts.hash));
                }
                if (r.published, r.offset) != (record.published, record.offset) {
                    let was = DateTime::from_timestamp(r.published, 0)
                        .zip(FixedOffset::east_opt(r.offset))
                        .map(|(t, o)| t.with_timezone(&o).to_rfc3339())
                        .unwrap_or_default();
                    let detail = format!("{was} → {} ({})", date.to_rfc3339(), source.as_str());
                    self.event(id, "retimed", detail);
                }
                let same = Record {
                    gone: None,
                    ..r.clone()
                } == record;
                if same {
                    return;
                }
            }
        }
        self.changes.rows.push(Row {
            path: rel.into(),
            record,
        });
    }

    fn event(&mut self, id: &str, kind: &'static str, detail: String) {
        self.changes.events.push((id.to_string(), kind, detail));
    }

    /// The tombstones still in force: stories that left a feed they were in less than
    /// `tombstone_days` ago, with this build's departures.
    fn find_tombstones(
        &mut self,
        ledger: &Ledger,
        records: &[(String, Record)],
        tombstone_days: u64,
    ) -> Result<(), LedgerError> {
        let Some(now) = self.now else {
            return Ok(());
        };
        let span = i64::try_from(tombstone_days.saturating_mul(86_400)).unwrap_or(i64::MAX);
        let just_gone: HashSet<&str> = self
            .changes
            .gone
            .iter()
            .map(|(id, _)| id.as_str())
            .collect();
        let back: HashSet<&str> = self.changes.restored.iter().map(String::as_str).collect();
        for (id, r) in records {
            let at = match r.gone {
                Some(_) if back.contains(id.as_str()) => continue,
                Some((at, _)) => at,
                None if just_gone.contains(id.as_str()) => now,
                None => continue,
            };
            let until = at.saturating_add(span);
            if until <= now {
                continue;
            }
            let sets: Vec<String> = ledger.listings(id)?.into_iter().map(|(s, _)| s).collect();
            if sets.is_empty() {
                continue; // never in a feed: nobody has a copy to drop
            }
            let when = DateTime::from_timestamp(at, 0)
                .zip(FixedOffset::east_opt(r.offset))
                .map(|(t, o)| t.with_timezone(&o));
            if let Some(when) = when {
                self.expires = Some(self.expires.map_or(until, |e| e.min(until)));
                self.gone.push(Gone {
                    id: id.clone(),
                    when,
                    sets,
                });
            }
        }
        // Newest first, then by id: the same ledger gives the same bytes.
        self.gone
            .sort_by(|a, b| b.when.cmp(&a.when).then_with(|| a.id.cmp(&b.id)));
        self.outcome.tombstones = self.gone.len();
        Ok(())
    }

    /// The tombstones of the feed set in folder `set`, with their entry ids.
    pub(super) fn tombstones(
        &self,
        set: &str,
        entry_id: impl Fn(&str) -> String,
    ) -> Vec<Tombstone> {
        self.gone
            .iter()
            .filter(|g| g.sets.iter().any(|s| s == set))
            .map(|g| Tombstone {
                id: entry_id(&g.id),
                when: g.when,
            })
            .collect()
    }

    /// Notes that the feeds of set `set` carry the stories at `positions` of the scan
    /// [`History::read`] was given.
    pub(super) fn listed(
        &mut self,
        set: &str,
        positions: impl IntoIterator<Item = usize>,
        scanned: &ScanList,
    ) -> Result<(), LedgerError> {
        let Some(ledger) = &self.ledger else {
            return Ok(());
        };
        for position in positions {
            let id = crate::article::id_of(scanned.path_at(position));
            if !self.listed.contains_key(id) {
                let new = self.fresh.contains(position);
                let known: HashSet<String> = if new {
                    HashSet::new()
                } else {
                    ledger.listings(id)?.into_iter().map(|(s, _)| s).collect()
                };
                self.listed.insert(id.to_string(), known);
            }
            let known = self.listed.get_mut(id).map(|k| k.insert(set.to_string()));
            if known == Some(true) {
                self.changes.listed.push((id.to_string(), set.to_string()));
            }
        }
        Ok(())
    }

    /// Writes what this build learnt, in one transaction (after the feeds are written).
    /// Also hands back every record as it is now, when asked to keep them. `scanned` is the
    /// scan [`History::read`] was given.
    pub(super) fn commit(
        mut self,
        scanned: &ScanList,
    ) -> Result<(Option<LedgerOutcome>, Option<Records>), LedgerError> {
        let Some(ledger) = self.ledger.as_mut() else {
            return Ok((None, None));
        };
        if let (true, Some(now)) = (self.writes, self.now) {
            self.changes.listed.sort();
            let fresh = self.fresh.iter().filter_map(|f| fresh_row(scanned, f, now));
            self.outcome.created = ledger.commit_with(&self.changes, fresh)?;
            if let Some(records) = self.records.as_mut() {
                for row in self.fresh.iter().filter_map(|f| fresh_row(scanned, f, now)) {
                    Changes::apply_row(&row, records);
                }
                self.changes.apply(records);
            }
        }
        Ok((Some(self.outcome), self.records))
    }
}

/// The row of the story at `index` of the scan, seen for the first time `now`: made again
/// from the scan at the commit rather than kept from the merge (24 bytes a story, 23 MB at a
/// first build of a million). `None` if the scan has no story there (never: the position is
/// one of its stories').
fn fresh_row(scanned: &ScanList, index: usize, now: i64) -> Option<Row> {
    let file = scanned.get(index)?;
    let Facts::Story(facts) = &file.facts else {
        return None;
    };
    let (date, source) = first_time(facts, Some(now));
    Some(Row {
        path: scanned.path_of(file).into(),
        record: Record {
            first_seen: now,
            hash: facts.hash,
            published: date.timestamp(),
            offset: date.offset().local_minus_utc(),
            source,
            revised: None,
            gone: None,
        },
    })
}

/// The publication time of a story the ledger has no time for (first seen at `first_seen`):
/// its own, or for a date-only story the one [`choose_time`] chooses. A function of its facts
/// alone, so that the merge and the commit give a new story the same time.
fn first_time(facts: &StoryFacts, first_seen: Option<i64>) -> (DateTime<FixedOffset>, TimeSource) {
    if facts.timed() {
        return (facts.date(), TimeSource::Story);
    }
    choose_time(facts.date(), first_seen, facts.mtime_secs())
}

/// A set of scan positions, one bit each. (By hand: two operations, on a list of bits that
/// only grows; no crate is needed for that.)
#[derive(Debug, Default)]
struct Positions(Vec<u64>);

impl Positions {
    fn insert(&mut self, position: usize) {
        let (word, bit) = (position / 64, position % 64);
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << bit;
    }

    fn contains(&self, position: usize) -> bool {
        self.0
            .get(position / 64)
            .is_some_and(|w| w & (1 << (position % 64)) != 0)
    }

    /// The positions in the set, in increasing order.
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(i, &word)| {
            (0..64)
                .filter(move |bit| word & (1 << bit) != 0)
                .map(move |bit| i * 64 + bit)
        })
    }
}

/// The time the ledger holds for a date-only story, while it still falls on the story's
/// date (a dateline whose date was corrected gets a new time).
fn recorded_time(
    r: &Record,
    midnight: DateTime<FixedOffset>,
) -> Option<(DateTime<FixedOffset>, TimeSource)> {
    if r.source == TimeSource::Story {
        return None; // its time was the story's own, which it no longer gives
    }
    let t =
        DateTime::from_timestamp(r.published, 0)?.with_timezone(&FixedOffset::east_opt(r.offset)?);
    (t.offset() == midnight.offset() && t.date_naive() == midnight.date_naive())
        .then_some((t, r.source))
}

/// The publication time of a story whose dateline gives a date only (`midnight`, in the
/// city's offset): when wirefeed first saw it, if that was on that date; else the file's
/// modification time, if on that date; else midnight. Never a time the story cannot have.
fn choose_time(
    midnight: DateTime<FixedOffset>,
    first_seen: Option<i64>,
    mtime: Option<i64>,
) -> (DateTime<FixedOffset>, TimeSource) {
    let on_the_day = |secs: i64| {
        DateTime::from_timestamp(secs, 0)
            .map(|t| t.with_timezone(midnight.offset()))
            .filter(|t| t.date_naive() == midnight.date_naive())
    };
    first_seen
        .and_then(on_the_day)
        .map(|t| (t, TimeSource::FirstSeen))
        .or_else(|| mtime.and_then(on_the_day).map(|t| (t, TimeSource::Mtime)))
        .unwrap_or((midnight, TimeSource::Midnight))
}

/// What the merge of the ledger with the stories gathers besides the stories' times.
#[derive(Default)]
struct Merge {
    /// The story position of each row, event and restoration noted, in the order noted.
    rows: Vec<usize>,
    events: Vec<usize>,
    restored: Vec<usize>,
    /// Stories of the ledger withdrawn or deleted now.
    gone: Vec<(String, GoneReason)>,
    /// The rows the tombstones are found among: stories gone before, or going now.
    kept: Vec<(String, Record)>,
}

impl Merge {
    /// [`History::time`] for the story at `pos`, noting the position of what it added.
    fn time(
        &mut self,
        history: &mut History,
        story: &mut Dated,
        pos: usize,
        file: (&str, &Scanned),
        old: Option<&Record>,
    ) {
        let before = (
            history.changes.rows.len(),
            history.changes.events.len(),
            history.changes.restored.len(),
        );
        history.time(story, file, old);
        let changes = &history.changes;
        self.rows
            .resize(self.rows.len() + changes.rows.len() - before.0, pos);
        self.events
            .resize(self.events.len() + changes.events.len() - before.1, pos);
        self.restored
            .resize(self.restored.len() + changes.restored.len() - before.2, pos);
    }
}

/// Puts `items` in the order of their `positions` (one each), keeping the order of equals.
/// In place, by following the permutation's cycles: a first build notes a row per story,
/// and a sorted copy of them all was, at a million stories, a hundred megabytes more.
fn reorder<T>(items: &mut [T], positions: &[usize]) {
    debug_assert_eq!(items.len(), positions.len());
    // `order[k]` is the index of the item that goes to slot `k`; an index breaks ties, so
    // the unstable sort keeps the order of equals.
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_unstable_by_key(|&i| (positions[i], i));
    for start in 0..items.len() {
        // Each slot of a cycle is marked done (`order[k] == k`) as it is filled.
        let mut k = start;
        while order[k] != k {
            let from = order[k];
            order[k] = k;
            if from == start {
                break;
            }
            items.swap(k, from);
            k = from;
        }
    }
}

/// The ids of the scanned files that are not among `stories` (withdrawn, failed, held back,
/// refused as duplicates), each with whether it is withdrawn, sorted.
fn others_by_id<'a>(scanned: &'a ScanList, stories: &[Dated]) -> Vec<(&'a str, bool)> {
    let mut in_stories = vec![false; scanned.len()];
    for s in stories {
        in_stories[s.index()] = true;
    }
    let mut others: Vec<(&str, bool)> = scanned
        .iter()
        .zip(in_stories)
        .filter(|(_, taken)| !taken)
        .map(|(s, _)| {
            let id = crate::article::id_of(scanned.path_of(s));
            (id, matches!(s.facts, Facts::Withdrawn))
        })
        .collect();
    others.sort_unstable();
    others
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn positions_are_a_set_in_increasing_order() {
        let mut set = Positions::default();
        for p in [129, 0, 64, 63, 129] {
            set.insert(p);
        }
        assert_eq!(set.iter().collect::<Vec<_>>(), [0, 63, 64, 129]);
        assert!(set.contains(63) && set.contains(64) && !set.contains(65));
        assert!(!set.contains(100_000), "beyond its words");
        assert_eq!(Positions::default().iter().count(), 0);
    }

    #[test]
    fn reorder_sorts_by_position_and_keeps_the_order_of_equals() {
        // Every permutation of a few positions, with repeats, against a stable sort.
        let cases: [&[usize]; 6] = [
            &[],
            &[0],
            &[2, 0, 1],
            &[3, 3, 1, 0, 1, 2, 3],
            &[5, 4, 3, 2, 1, 0],
            &[1, 0, 3, 2, 5, 4, 0, 0],
        ];
        for positions in cases {
            let mut items: Vec<usize> = (0..positions.len()).collect();
            let mut expected = items.clone();
            expected.sort_by_key(|&i| positions[i]);
            reorder(&mut items, positions);
            assert_eq!(items, expected, "positions {positions:?}");
        }
    }

    /// A story of the scan at `rel`, at 2025-06-18 09:00 in Dushanbe.
    fn scanned(rel: &str) -> (&str, Scanned) {
        let facts = crate::cache::StoryFacts::new(1, 1_750_219_200, 18_000, None, vec![], None);
        (
            rel,
            Scanned {
                rel_path: crate::file_list::RelPath::default(),
                stamp: crate::cache::FileStamp::default(),
                facts: Facts::Story(facts.with_content(7, true)),
            },
        )
    }

    /// The history of a build at `now` that writes the ledger at `path` (a new one here), with
    /// a whole archive and no session.
    fn read_new(path: &Path, now: i64, scan: &ScanList, stories: &mut [Dated]) -> History {
        let busy = Duration::from_secs(1);
        History::read(
            path,
            true,
            busy,
            Some(now),
            7,
            scan,
            stories,
            true,
            (None, false),
        )
        .unwrap()
    }

    #[test]
    fn new_stories_are_noted_and_their_listings_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite");
        // By path `a-b` comes before `a` ('-' < '.'); by id after it.
        let scan = ScanList::of([scanned("x/a-b.txt"), scanned("x/a.txt"), scanned("x/b.txt")]);
        let mut report = super::super::BuildReport::default();
        let mut stories = super::super::collect_stories(&scan, &mut report);
        let busy = Duration::from_secs(1);
        let mut history = read_new(&path, 1_750_300_000, &scan, &mut stories);
        let ids: Vec<&str> = history
            .fresh
            .iter()
            .map(|f| crate::article::id_of(scan.path_at(f)))
            .collect();
        assert_eq!(ids, ["x/a-b", "x/a", "x/b"]);
        // x/a-b is at 0, x/b at 2.
        history.listed("", [0, 2], &scan).unwrap();
        history.listed("en", [0], &scan).unwrap();
        history.commit(&scan).unwrap();
        let ledger = Ledger::open(&path, false, busy).unwrap();
        let sets = |id| -> Vec<String> {
            let mut sets: Vec<String> = ledger
                .listings(id)
                .unwrap()
                .into_iter()
                .map(|(s, _)| s)
                .collect();
            sets.sort();
            sets
        };
        assert_eq!(sets("x/a-b"), ["", "en"]);
        assert_eq!(sets("x/b"), [""]);
        assert!(sets("x/a").is_empty());
    }

    #[test]
    fn a_new_storys_row_has_the_time_the_merge_gave_it() {
        // The commit makes each new story's row again from the scan: it must hold the time
        // the feeds got. Midnight in Dushanbe (+05:00) of 2025-06-18, date-only, with the
        // file written at 08:00 that day; and one story with a time of its own.
        let midnight = at("2025-06-18T00:00:00+05:00");
        let date_only = |mtime: DateTime<FixedOffset>| {
            let facts =
                crate::cache::StoryFacts::new(1, midnight.timestamp(), 18_000, None, vec![], None);
            let facts = facts
                .with_content(7, false)
                .with_mtime(Some(mtime.timestamp()));
            Scanned {
                rel_path: crate::file_list::RelPath::default(),
                stamp: crate::cache::FileStamp::default(),
                facts: Facts::Story(facts),
            }
        };
        let mtime = at("2025-06-18T08:00:00+05:00");
        let scan = ScanList::of([
            ("a.txt", date_only(mtime)),
            scanned("b.txt"),
            ("c.txt", date_only(at("2025-06-20T08:00:00+05:00"))),
        ]);
        for (now, expected) in [
            // Seen on the day: first seen, its own time, first seen.
            (
                at("2025-06-18T10:00:00+05:00"),
                [
                    ("2025-06-18T10:00:00+05:00", TimeSource::FirstSeen),
                    ("2025-06-18T09:00:00+05:00", TimeSource::Story),
                    ("2025-06-18T10:00:00+05:00", TimeSource::FirstSeen),
                ],
            ),
            // Seen later: the file's time when it is on the day, else midnight.
            (
                at("2025-06-25T10:00:00+05:00"),
                [
                    ("2025-06-18T08:00:00+05:00", TimeSource::Mtime),
                    ("2025-06-18T09:00:00+05:00", TimeSource::Story),
                    ("2025-06-18T00:00:00+05:00", TimeSource::Midnight),
                ],
            ),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("ledger.sqlite");
            let mut report = super::super::BuildReport::default();
            let mut stories = super::super::collect_stories(&scan, &mut report);
            let busy = Duration::from_secs(1);
            let history = read_new(&path, now.timestamp(), &scan, &mut stories);
            history.commit(&scan).unwrap();
            let mut rows = Vec::new();
            Ledger::open(&path, false, busy)
                .unwrap()
                .each_record(|_, r| rows.push(r))
                .unwrap();
            let given: Vec<(DateTime<FixedOffset>, TimeSource)> = stories
                .iter()
                .zip(&rows)
                .map(|(s, r)| {
                    let recorded = DateTime::from_timestamp(r.published, 0)
                        .unwrap()
                        .with_timezone(&FixedOffset::east_opt(r.offset).unwrap());
                    assert_eq!(recorded, s.date(), "the feeds' time is the ledger's");
                    (recorded, r.source)
                })
                .collect();
            let expected: Vec<_> = expected.iter().map(|(t, s)| (at(t), *s)).collect();
            assert_eq!(given, expected);
        }
    }

    #[test]
    fn first_seen_then_mtime_then_midnight() {
        let midnight = at("2025-06-18T00:00:00+05:00");
        let seen = at("2025-06-18T09:15:30+05:00").timestamp();
        let mtime = at("2025-06-18T08:00:00+05:00").timestamp();
        let next_day = at("2025-06-19T00:00:01+05:00").timestamp();
        let day_before = at("2025-06-17T23:59:59+05:00").timestamp();
        let chosen = choose_time(midnight, Some(seen), Some(mtime));
        assert_eq!(
            chosen,
            (at("2025-06-18T09:15:30+05:00"), TimeSource::FirstSeen)
        );
        // Seen the next day (in the city's zone): the file's time, if on the day.
        let chosen = choose_time(midnight, Some(next_day), Some(mtime));
        assert_eq!(chosen, (at("2025-06-18T08:00:00+05:00"), TimeSource::Mtime));
        // 23:59:59 the day before, in UTC already the 18th: still the wrong day here.
        assert_eq!(
            choose_time(midnight, Some(day_before), Some(next_day)),
            (midnight, TimeSource::Midnight)
        );
        assert_eq!(
            choose_time(midnight, None, None),
            (midnight, TimeSource::Midnight)
        );
        // The offset of the result is the city's.
        let utc_evening = at("2025-06-18T18:30:00+00:00").timestamp();
        let (t, _) = choose_time(midnight, Some(utc_evening), None);
        assert_eq!(t.to_rfc3339(), "2025-06-18T23:30:00+05:00");
    }

    #[test]
    fn a_recorded_time_holds_while_the_date_does() {
        let record = Record {
            first_seen: 0,
            hash: 0,
            published: at("2025-06-18T09:15:30+05:00").timestamp(),
            offset: 18_000,
            source: TimeSource::FirstSeen,
            revised: None,
            gone: None,
        };
        let kept = recorded_time(&record, at("2025-06-18T00:00:00+05:00"));
        assert_eq!(
            kept,
            Some((at("2025-06-18T09:15:30+05:00"), TimeSource::FirstSeen))
        );
        // The desk corrected the dateline's date: choose again.
        assert_eq!(
            recorded_time(&record, at("2025-06-19T00:00:00+05:00")),
            None
        );
        // It had a time of its own, and lost it: choose again.
        let own = Record {
            source: TimeSource::Story,
            ..record
        };
        assert_eq!(recorded_time(&own, at("2025-06-18T00:00:00+05:00")), None);
    }
}

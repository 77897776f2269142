//! A list of the archive's files whose relative paths live in one arena.
//!
//! Every build holds a record per file of the archive, from the walk to the end. A path of its
//! own (`Box<str>`) cost each record 16 bytes inline and a heap block of the path's length
//! rounded up to 16, plus 8 of malloc's: 48 bytes for a 24-byte path, 80 for a 48-byte one.
//! Here a record holds 8 bytes ([`RelPath`]) and the list one buffer of all the paths, end to
//! end: 32 and 56 bytes (issue 14: 16 MB less at a million stories of the benchmark).

use std::ops::{Deref, DerefMut};

/// Where a relative path lies in its [`FileList`]'s arena: offset (40 bits) and length
/// (24 bits) in one word.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RelPath(u64);

/// Bits of a [`RelPath`] that hold the length.
const LEN_BITS: u32 = 24;

/// Longest path an arena takes (16 MiB): far beyond any file system's limit on a path.
pub(crate) const MAX_PATH_LEN: usize = (1 << LEN_BITS) - 1;

/// Largest arena (1 TiB of paths): beyond any memory that could hold its list.
const MAX_ARENA: usize = 1 << (64 - LEN_BITS);

impl RelPath {
    fn range(self) -> std::ops::Range<usize> {
        let start = (self.0 >> LEN_BITS) as usize;
        start..start + (self.0 & MAX_PATH_LEN as u64) as usize
    }
}

/// A record of a [`FileList`]: where its path is.
pub(crate) trait Located {
    /// Its path in the list's arena.
    fn rel_path(&self) -> RelPath;

    /// The record with its path at `at` (in another list's arena).
    fn relocated(self, at: RelPath) -> Self;
}

/// Records of files (sorted or not), and their relative paths in one arena.
#[derive(Debug, Clone)]
pub(crate) struct FileList<T> {
    items: Vec<T>,
    paths: String,
}

impl<T> Default for FileList<T> {
    fn default() -> Self {
        FileList {
            items: Vec::new(),
            paths: String::new(),
        }
    }
}

impl<T> Deref for FileList<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<T> DerefMut for FileList<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.items
    }
}

/// A [`FileList`]'s arena, borrowed apart from its records.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paths<'a>(&'a str);

impl<'a> Paths<'a> {
    /// The path at `at` (see [`FileList::path`]).
    pub(crate) fn get(self, at: RelPath) -> &'a str {
        self.0.get(at.range()).unwrap_or_default()
    }
}

/// Why a path could not be added to a [`FileList`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooLong;

impl<T> FileList<T> {
    /// An empty list with room for `files` records.
    pub(crate) fn with_capacity(files: usize) -> Self {
        FileList {
            items: Vec::with_capacity(files),
            paths: String::new(),
        }
    }

    /// Adds the record `make` gives for the path `rel`.
    pub(crate) fn push(
        &mut self,
        rel: &str,
        make: impl FnOnce(RelPath) -> T,
    ) -> Result<(), TooLong> {
        let start = self.paths.len();
        if rel.len() > MAX_PATH_LEN || start + rel.len() > MAX_ARENA {
            return Err(TooLong);
        }
        self.paths.push_str(rel);
        self.items.push(make(RelPath(
            ((start as u64) << LEN_BITS) | rel.len() as u64,
        )));
        Ok(())
    }

    /// The path at `at`, which is one of this list's (any other gives some path, or `""`).
    pub(crate) fn path(&self, at: RelPath) -> &str {
        self.paths.get(at.range()).unwrap_or_default()
    }

    /// The records, to change, and the paths, to read.
    pub(crate) fn parts_mut(&mut self) -> (&mut [T], Paths<'_>) {
        (&mut self.items, Paths(&self.paths))
    }

    /// Reserves room for `files` more records and `text` more bytes of paths, exactly: the
    /// list is the largest thing a build holds, and growing it by doubling leaves up to a
    /// third of it unused (and, where the allocator moves it, holds it twice for a moment).
    pub(crate) fn reserve_exact(&mut self, files: usize, text: usize) {
        self.items.reserve_exact(files);
        self.paths.reserve_exact(text);
    }

    /// Bytes of paths in the arena (with those of records dropped since).
    pub(crate) fn text_len(&self) -> usize {
        self.paths.len()
    }
}

impl<T: Located> FileList<T> {
    /// The path of `item`, a record of this list.
    pub(crate) fn path_of(&self, item: &T) -> &str {
        self.path(item.rel_path())
    }

    /// The path of the record at `index`, `""` where there is none.
    pub(crate) fn path_at(&self, index: usize) -> &str {
        self.items.get(index).map_or("", |item| self.path_of(item))
    }

    /// Each record with its path.
    pub(crate) fn with_paths(&self) -> impl ExactSizeIterator<Item = (&str, &T)> {
        self.items.iter().map(|item| (self.path_of(item), item))
    }

    /// Keeps the records `keep` says to keep (their paths stay in the arena until the list is
    /// copied with [`FileList::append`]).
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&str, &mut T) -> bool) {
        let paths = &self.paths;
        self.items.retain_mut(|item| {
            let at = item.rel_path();
            keep(paths.get(at.range()).unwrap_or_default(), item)
        });
    }

    /// Sorts the records by path.
    pub(crate) fn sort_by_path(&mut self) {
        let paths = &self.paths;
        let path = |item: &T| paths.get(item.rel_path().range()).unwrap_or_default();
        self.items.sort_unstable_by(|a, b| path(a).cmp(path(b)));
    }

    /// Moves the records of `other` to the end of this list. Only the paths of the records
    /// are copied: those `retain` dropped are left behind.
    pub(crate) fn append(&mut self, other: FileList<T>) -> Result<(), TooLong> {
        let FileList { items, paths } = other;
        self.items.reserve(items.len());
        for item in items {
            let rel = paths.get(item.rel_path().range()).unwrap_or_default();
            self.push(rel, |at| item.relocated(at))?;
        }
        Ok(())
    }

    /// Gives each record, with its path, to `f`, in order.
    pub(crate) fn into_each(self, mut f: impl FnMut(&str, T)) {
        let FileList { items, paths } = self;
        for item in items {
            f(paths.get(item.rel_path().range()).unwrap_or_default(), item);
        }
    }

    /// This list's records, each given with its path, made into others of the same size, in
    /// place (the standard library reuses the allocation of a `map` to a type of the same size
    /// and alignment), with the same paths.
    pub(crate) fn map<U>(self, mut f: impl FnMut(&str, T) -> U) -> FileList<U> {
        let FileList { items, paths } = self;
        let items = items
            .into_iter()
            .map(|item| {
                let rel = paths.get(item.rel_path().range()).unwrap_or_default();
                f(rel, item)
            })
            .collect();
        FileList { items, paths }
    }
}

#[cfg(test)]
impl<T: Located> FileList<T> {
    /// A list of records, each named by its path (for tests).
    pub(crate) fn of<'a>(named: impl IntoIterator<Item = (&'a str, T)>) -> Self {
        let mut list = FileList::default();
        for (rel, item) in named {
            list.push(rel, |at| item.relocated(at))
                .expect("a short path");
        }
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct File(RelPath, u8);

    impl Located for File {
        fn rel_path(&self) -> RelPath {
            self.0
        }

        fn relocated(self, at: RelPath) -> Self {
            File(at, self.1)
        }
    }

    fn names(list: &FileList<File>) -> Vec<(&str, u8)> {
        list.with_paths().map(|(rel, f)| (rel, f.1)).collect()
    }

    #[test]
    fn paths_are_kept_whole_and_follow_their_records() {
        let none = RelPath::default();
        let mut list = FileList::of([
            ("b/c.txt", File(none, 1)),
            ("", File(none, 2)),
            ("шос/ӯ.txt", File(none, 3)),
            ("a.txt", File(none, 4)),
        ]);
        list.sort_by_path();
        assert_eq!(
            names(&list),
            [("", 2), ("a.txt", 4), ("b/c.txt", 1), ("шос/ӯ.txt", 3)]
        );
        // Dropped records leave their paths behind; what is appended elsewhere copies only
        // the paths of those kept.
        list.retain(|rel, _| rel.ends_with(".txt"));
        let mut other = FileList::of([("z.txt", File(none, 5))]);
        other.append(list).unwrap();
        assert_eq!(
            names(&other),
            [("z.txt", 5), ("a.txt", 4), ("b/c.txt", 1), ("шос/ӯ.txt", 3)]
        );
        assert_eq!(other.paths.len(), "z.txta.txtb/c.txtшос/ӯ.txt".len());
        assert_eq!(other.path_at(3), "шос/ӯ.txt");
        assert_eq!(other.path_at(4), "", "no record there");
        // Mapped in place, with the same paths.
        let doubled = other.map(|rel, f| File(f.0, f.1 * 2 + u8::from(rel.starts_with('a'))));
        assert_eq!(
            names(&doubled),
            [
                ("z.txt", 10),
                ("a.txt", 9),
                ("b/c.txt", 2),
                ("шос/ӯ.txt", 6)
            ]
        );
    }

    #[test]
    fn a_path_too_long_for_a_record_is_refused() {
        let mut list: FileList<File> = FileList::default();
        let long = "a".repeat(MAX_PATH_LEN + 1);
        assert_eq!(list.push(&long, |at| File(at, 0)), Err(TooLong));
        assert!(list.is_empty());
        let longest = "a".repeat(MAX_PATH_LEN);
        list.push(&longest, |at| File(at, 0)).unwrap();
        list.push("b", |at| File(at, 1)).unwrap();
        assert_eq!(list.path_at(0).len(), MAX_PATH_LEN);
        assert_eq!(list.path_at(1), "b");
    }
}

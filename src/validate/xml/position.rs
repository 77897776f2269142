//! Line and column of a byte offset in the decoded text.
//!
//! Findings are reported as `line:column` (columns in characters), but the
//! tree and the scanners work in byte offsets, and only the few offsets that
//! end up in a finding need a position. This index answers those queries in
//! memory that is a small fraction of the input, whatever its line lengths.

use std::cell::Cell;

/// Bytes between two remembered positions of a [`LineIndex`].
const MARK_EVERY: usize = 1024;

/// Maps byte offsets of the decoded text to 1-based (line, column), where
/// the column counts characters.
///
/// A table of every line start would cost 8 bytes per line (8 times the
/// input for a file of blank lines); instead the position of every
/// [`MARK_EVERY`]th byte is kept and the rest counted from the nearest one.
pub(in crate::validate) struct LineIndex<'a> {
    text: &'a str,
    /// (line, column) of the first char boundary at or after each multiple
    /// of `MARK_EVERY`.
    marks: Vec<(usize, usize)>,
    // Offsets mostly arrive in increasing order; counting on from the last
    // answer keeps a run of queries linear.
    last: Cell<(usize, usize, usize)>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text` (LF, CRLF and lone CR all end lines).
    pub(in crate::validate) fn new(text: &'a str) -> Self {
        let b = text.as_bytes();
        let mut marks = Vec::with_capacity(b.len() / MARK_EVERY + 1);
        let (mut line, mut col, mut at) = (1, 1, 0);
        while marks.len() * MARK_EVERY <= b.len() {
            let mut i = marks.len() * MARK_EVERY;
            while i < b.len() && is_continuation(b[i]) {
                i += 1;
            }
            (line, col) = advance(b, at, i, line, col);
            at = i;
            marks.push((line, col));
        }
        LineIndex {
            text,
            marks,
            last: Cell::new((0, 1, 1)),
        }
    }

    /// Position of byte `offset` (clamped and snapped back to a char boundary).
    pub(in crate::validate) fn pos(&self, offset: usize) -> (usize, usize) {
        let mut off = offset.min(self.text.len());
        while off > 0 && !self.text.is_char_boundary(off) {
            off -= 1;
        }
        let k = off / MARK_EVERY;
        let mut from = k * MARK_EVERY;
        while from < off && !self.text.is_char_boundary(from) {
            from += 1;
        }
        let (mut line, mut col) = self.marks.get(k).copied().unwrap_or((1, 1));
        let (last_off, last_line, last_col) = self.last.get();
        if last_off <= off && last_off > from {
            (from, line, col) = (last_off, last_line, last_col);
        }
        (line, col) = advance(self.text.as_bytes(), from, off, line, col);
        self.last.set((off, line, col));
        (line, col)
    }
}

fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// Whether byte `i` ends a line: LF, or a CR that is not the first half of CRLF.
fn ends_line(b: &[u8], i: usize) -> bool {
    b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'))
}

/// Position at byte `to`, given the position at byte `from`. Counts in passes the compiler
/// vectorises rather than stepping byte by byte: every feed a build writes is indexed, and a
/// build with many feed sets writes many megabytes.
fn advance(b: &[u8], from: usize, to: usize, line: usize, col: usize) -> (usize, usize) {
    let seg = &b[from..to];
    // The last line end in the segment, if any.
    let mut end = seg.len();
    let last = loop {
        match memchr::memrchr2(b'\n', b'\r', &seg[..end]) {
            Some(j) if ends_line(b, from + j) => break Some(j),
            Some(j) => end = j,
            None => break None,
        }
    };
    let Some(last) = last else {
        return (line, col + chars(seg));
    };
    // LFs are counted in one branch-free pass; lone CRs are rare and searched for.
    let lf: usize = seg
        .chunks(255)
        .map(|chunk| usize::from(chunk.iter().fold(0u8, |n, c| n + u8::from(*c == b'\n'))))
        .sum();
    let lone_cr = memchr::memchr_iter(b'\r', seg)
        .filter(|j| b.get(from + j + 1) != Some(&b'\n'))
        .count();
    (line + lf + lone_cr, 1 + chars(&seg[last + 1..]))
}

/// Characters in UTF-8 bytes: the bytes that do not continue a character, counted in chunks
/// whose byte counters cannot overflow.
fn chars(s: &[u8]) -> usize {
    s.chunks(255)
        .map(|chunk| {
            usize::from(
                chunk
                    .iter()
                    .fold(0u8, |n, c| n + u8::from(!is_continuation(*c))),
            )
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The obvious line-start table the marks replace.
    fn naive_pos(text: &str, off: usize) -> (usize, usize) {
        let (mut line, mut col) = (1, 1);
        let b = text.as_bytes();
        for (i, c) in text.char_indices() {
            if i >= off {
                break;
            }
            match c {
                '\n' => (line, col) = (line + 1, 1),
                '\r' if b.get(i + 1) != Some(&b'\n') => (line, col) = (line + 1, 1),
                _ => col += 1,
            }
        }
        (line, col)
    }

    #[test]
    fn line_index_agrees_with_counting_from_the_start() {
        let pieces = ["a", "é", "\n", "\r\n", "\r", "ж", "🙂", "<x>", "\t"];
        let mut seed: u64 = 7;
        let mut text = String::new();
        for _ in 0..6000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
        }
        let idx = LineIndex::new(&text);
        let mut offsets: Vec<usize> = (0..=text.len())
            .filter(|&o| text.is_char_boundary(o))
            .collect();
        // Forward, then in a scrambled order (backward jumps across marks).
        for &o in &offsets {
            assert_eq!(idx.pos(o), naive_pos(&text, o), "offset {o}");
        }
        offsets.sort_by_key(|&o| (o * 7919) % 1009);
        for &o in &offsets {
            assert_eq!(idx.pos(o), naive_pos(&text, o), "offset {o}");
        }
        // Past the end clamps; inside a character snaps back.
        assert_eq!(idx.pos(text.len() + 10), naive_pos(&text, text.len()));
    }
}

//! The shape of a language tag (RFC 5646 / BCP 47), shared by the configuration and the
//! validator so that a configured language can never make a feed invalid.

/// Loose BCP 47 / RFC 1766 check as used by RSS `<language>` and `xml:lang`:
/// a 2-3 letter primary subtag (or `i`/`x` for registered/private tags)
/// followed by alphanumeric subtags of 1-8 characters.
pub fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let Some(first) = parts.next() else {
        return false;
    };
    let primary_ok = ((2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic()))
        || first.eq_ignore_ascii_case("x")
        || first.eq_ignore_ascii_case("i");
    let mut rest_count = 0;
    let rest_ok = parts.all(|p| {
        rest_count += 1;
        (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    primary_ok && rest_ok && (first.len() > 1 || rest_count > 0)
}

//! The syntax of the two id schemes feeds use that are not web URLs: `tag:` (RFC 4151) and
//! `urn:` (RFC 8141, with `urn:uuid:` after RFC 4122).
//!
//! Written by hand: the `url` crate parses both as opaque paths and checks nothing of their
//! structure, and no maintained crate checks tag URIs. One function serves the validator (the
//! W3C validator's `InvalidTAG`, `InvalidURN`, `InvalidUUID`) and the configuration, which
//! refuses an `id_prefix` that would make such ids, so that the build's own check never
//! refuses a feed for its settings.

/// What is wrong with a `tag:` or `urn:` id, or `None` when it is well formed or of another
/// scheme.
pub(crate) fn problem(id: &str) -> Option<&'static str> {
    let id = id.trim();
    let (scheme, rest) = id.split_once(':')?;
    if scheme.eq_ignore_ascii_case("tag") {
        tag(rest)
    } else if scheme.eq_ignore_ascii_case("urn") {
        urn(rest)
    } else {
        None
    }
}

/// `taggingEntity ":" specific [ "#" fragment ]`, taggingEntity = authorityName "," date.
fn tag(rest: &str) -> Option<&'static str> {
    let Some((entity, specific)) = rest.split_once(':') else {
        return Some("a tag: URI is tag:AUTHORITY,DATE:SPECIFIC (RFC 4151)");
    };
    let Some((authority, date)) = entity.rsplit_once(',') else {
        return Some(
            "a tag: URI names its authority and a date: tag:example.org,2025:… (RFC 4151)",
        );
    };
    let authority_ok = match authority.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && local.bytes().all(is_atext) && dns_name(domain)
        }
        None => dns_name(authority),
    };
    if !authority_ok {
        return Some(
            "the authority of a tag: URI is a domain name or an e-mail address (RFC 4151)",
        );
    }
    if !tag_date(date) {
        return Some("the date of a tag: URI is YYYY, YYYY-MM or YYYY-MM-DD (RFC 4151)");
    }
    let (specific, fragment) = specific.split_once('#').unwrap_or((specific, ""));
    if !uri_chars(specific, b":@/?") || !uri_chars(fragment, b":@/?") {
        return Some("the specific part of a tag: URI has a character a URI does not allow; percent-encode it (RFC 4151, RFC 3986)");
    }
    None
}

/// `NID ":" NSS`, and a UUID after `urn:uuid:`.
fn urn(rest: &str) -> Option<&'static str> {
    let Some((nid, nss)) = rest.split_once(':') else {
        return Some("a urn: id is urn:NID:NSS (RFC 8141)");
    };
    let nid_ok = (2..=32).contains(&nid.len())
        && nid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !nid.starts_with('-')
        && !nid.ends_with('-');
    if !nid_ok {
        return Some("the namespace of a urn: id is 2 to 32 letters, digits or hyphens (RFC 8141)");
    }
    if nid.eq_ignore_ascii_case("uuid") {
        return (!uuid(nss))
            .then_some("a urn:uuid: id is a UUID: 8-4-4-4-12 hexadecimal digits (RFC 4122)");
    }
    let (nss, fragment) = nss.split_once('#').unwrap_or((nss, ""));
    if nss.is_empty() || !uri_chars(nss, b":@/") || !uri_chars(fragment, b":@/?") {
        return Some("the name of a urn: id is empty or has a character a URN does not allow; percent-encode it (RFC 8141)");
    }
    None
}

/// A domain name: dot-separated labels of letters, digits and inner hyphens.
fn dns_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// RFC 5322 `atext`, for the local part of an e-mail authority.
fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b)
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, with a month from 01 to 12 and a day from 01 to 31.
fn tag_date(date: &str) -> bool {
    let parts: Vec<&str> = date.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let in_range = |s: &str, max: u32| s.parse::<u32>().is_ok_and(|v| (1..=max).contains(&v));
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2) && in_range(m, 12),
        [y, m, d] => {
            digits(y, 4) && digits(m, 2) && in_range(m, 12) && digits(d, 2) && in_range(d, 31)
        }
        _ => false,
    }
}

/// Whether `s` is URI text: unreserved characters, sub-delimiters, `extra`, and `%` followed
/// by two hexadecimal digits (RFC 3986 `pchar`).
fn uri_chars(s: &str, extra: &[u8]) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            let hex = |j: usize| b.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
            continue;
        }
        let ok = c.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=".contains(&c) || extra.contains(&c);
        if !ok {
            return false;
        }
        i += 1;
    }
    true
}

/// `8-4-4-4-12` hexadecimal digits.
fn uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn good_ids() {
        for id in [
            "tag:khovar.example,2025:2025/06/shos-ikt",
            "tag:desk@khovar.example,2025-06-18:a",
            "tag:example.org,2025-06:%D1%88%D0%BE%D1%81#frag",
            "TAG:Example.ORG,2025:x",
            "urn:desk:2025/06/x",
            "urn:isbn:0451450523",
            "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
            "https://example.org/a",
            "mailto:x@example.org",
        ] {
            assert_eq!(problem(id), None, "{id}");
        }
    }

    #[test]
    fn bad_ids() {
        for id in [
            "tag:example.org:x",
            "tag:example.org,25:x",
            "tag:example.org,2025-13:x",
            "tag:example.org,2025-06-32:x",
            "tag:exa_mple.org,2025:x",
            "tag:-a.org,2025:x",
            "tag:example.org,2025",
            "tag:example.org,2025:шос",
            "tag:example.org,2025:a b",
            "tag:example.org,2025:100%",
            "urn:x:y",
            "urn:-bad:y",
            "urn:desk:",
            "urn:desk",
            "urn:desk:шос",
            "urn:uuid:not-a-uuid",
        ] {
            assert!(problem(id).is_some(), "{id}");
        }
    }
}

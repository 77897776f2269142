//! Rules added for parity with the W3C Feed Validation Service (issue 13;
//! the class-by-class table is in docs/CHECK_RULES.md): the structure RSS 2.0
//! and RFC 4287 define (undefined elements, required children of `image`,
//! `textInput` and `cloud`, the `div` of xhtml content, metadata after the
//! entries), the characters a URI may hold, `hreflang`, and markup in RSS
//! titles.
//!
//! Every walk here is iterative or fixed-depth, so hostile nesting cannot
//! blow the stack.

use super::report::Sink;
use super::scheme::quote;
use super::xml::{Document, Node};
use super::{is_language_tag, ATOM_NS};
use std::collections::HashSet;
use std::sync::OnceLock;

const A: Option<&str> = Some(ATOM_NS);
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
const DC_NS: &str = "http://purl.org/dc/elements/1.1/";
const DCTERMS_NS: &str = "http://purl.org/dc/terms/";
/// RFC 5005 feed history.
const FH_NS: &str = "http://purl.org/syndication/history/1.0";
/// Atom Threading Extensions (RFC 4685).
const THR_NS: &str = "http://purl.org/syndication/thread/1.0";

/// `xml.version`: the XML declaration, when there is one, says version
/// 1.0. Feeds are XML 1.0 (RSS 2.0, RFC 4287 §2); an XML 1.1 parser
/// reads other documents, and most readers have none. Like the W3C service,
/// this reads the declaration at the very start of the text (after a BOM).
pub(crate) fn xml_version(text: &str, sink: &mut Sink) {
    let t = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let Some(rest) = t.strip_prefix("<?xml") else {
        return;
    };
    let Some(rest) = rest
        .trim_start_matches([' ', '\t', '\r', '\n'])
        .strip_prefix("version")
    else {
        return;
    };
    let Some(rest) = rest.trim_start().strip_prefix('=') else {
        return;
    };
    let rest = rest.trim_start();
    let Some(quote_char) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        return;
    };
    let value = rest[1..].split(quote_char).next().unwrap_or("");
    if value != "1.0" {
        sink.at(
            "xml.version",
            (1, 1),
            format!(
                "the XML declaration says version {}; feeds are XML 1.0",
                quote(value)
            ),
        );
    }
}

/// `dc.date`: Dublin Core dates in a feed are W3C-DTF (a profile of
/// ISO 8601): `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or a date and `Thh:mm`,
/// optional seconds and fraction, and a zone (`Z` or `±hh:mm`).
fn dc_date(el: Node<'_, '_>, sink: &mut Sink) {
    let text = el.text();
    let v = text.trim();
    if !is_w3cdtf(v) {
        sink.at(
            "dc.date",
            el.pos(),
            format!(
                "<{}> {} is not a W3C-DTF date (e.g. 2025-06-18 or 2025-06-18T14:30:00+05:00)",
                el.qname(),
                quote(v)
            ),
        );
    }
}

fn is_w3cdtf(v: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let num = |s: &str| s.parse::<u32>().unwrap_or(99);
    let (date, time) = match v.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (v, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let date_ok = match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2) && (1..=12).contains(&num(m)),
        [y, m, d] => {
            digits(y, 4)
                && digits(m, 2)
                && digits(d, 2)
                && chrono::NaiveDate::from_ymd_opt(num(y) as i32, num(m), num(d)).is_some()
        }
        _ => false,
    };
    let Some(time) = time else { return date_ok };
    if !date_ok || parts.len() != 3 {
        return false;
    }
    // The zone is required once there is a time.
    let (clock, zone) = match time.find(['Z', '+', '-']) {
        Some(i) => time.split_at(i),
        None => return false,
    };
    let zone_ok = zone == "Z"
        || zone.get(1..).is_some_and(|z| {
            z.split_once(':')
                .is_some_and(|(h, m)| digits(h, 2) && digits(m, 2) && num(h) <= 23 && num(m) <= 59)
        });
    let c: Vec<&str> = clock.split(':').collect();
    let clock_ok = match c.as_slice() {
        [h, m] => digits(h, 2) && digits(m, 2) && num(h) <= 23 && num(m) <= 59,
        [h, m, s] => {
            let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
            digits(h, 2)
                && digits(m, 2)
                && digits(whole, 2)
                && !frac.is_empty()
                && frac.bytes().all(|b| b.is_ascii_digit())
                && num(h) <= 23
                && num(m) <= 59
                && num(whole) <= 60
        }
        _ => false,
    };
    zone_ok && clock_ok
}

/// The Dublin Core date elements a feed carries.
fn is_dc_date(el: Node<'_, '_>) -> bool {
    el.is(Some(DC_NS), "date")
        || ["created", "issued", "modified", "date"]
            .iter()
            .any(|l| el.is(Some(DCTERMS_NS), l))
}

/// The children RSS 2.0 defines for each of its container elements; every
/// other element in no namespace is a leaf and takes no child element.
fn rss_children(parent: &str) -> Option<&'static [&'static str]> {
    Some(match parent {
        "rss" => &["channel"],
        "channel" => &[
            "title",
            "link",
            "description",
            "language",
            "copyright",
            "managingEditor",
            "webMaster",
            "pubDate",
            "lastBuildDate",
            "category",
            "generator",
            "docs",
            "cloud",
            "ttl",
            "image",
            "rating",
            "textInput",
            "skipHours",
            "skipDays",
            "item",
        ],
        "item" => &[
            "title",
            "link",
            "description",
            "author",
            "category",
            "comments",
            "enclosure",
            "guid",
            "pubDate",
            "source",
        ],
        "image" => &["url", "title", "link", "width", "height", "description"],
        "textInput" => &["title", "description", "name", "link"],
        "skipHours" => &["hour"],
        "skipDays" => &["day"],
        _ => return None,
    })
}

/// The attributes RSS 2.0 defines on its elements (those in no namespace;
/// `xml:*` and other namespaced attributes are extensions).
fn rss_attributes(element: &str) -> &'static [&'static str] {
    match element {
        "rss" => &["version"],
        "guid" => &["isPermaLink"],
        "source" => &["url"],
        "enclosure" => &["url", "length", "type"],
        "category" => &["domain"],
        "cloud" => &["domain", "port", "path", "registerProcedure", "protocol"],
        _ => &[],
    }
}

/// The children of an RSS container that may appear once at most
/// (`category` and `item` repeat; `enclosure` twice is a W3C warning only).
fn rss_once(parent: &str) -> &'static [&'static str] {
    match parent {
        "channel" => &[
            "title",
            "link",
            "description",
            "language",
            "copyright",
            "managingEditor",
            "webMaster",
            "pubDate",
            "lastBuildDate",
            "generator",
            "docs",
            "cloud",
            "ttl",
            "image",
            "rating",
            "textInput",
            "skipHours",
            "skipDays",
        ],
        "item" => &[
            "title",
            "link",
            "description",
            "author",
            "comments",
            "guid",
            "pubDate",
            "source",
        ],
        "image" => &["url", "title", "link", "width", "height", "description"],
        "textInput" => &["title", "description", "name", "link"],
        "rss" => &["channel"],
        _ => &[],
    }
}

/// Attributes in no namespace that `el` does not define.
fn attributes(el: Node<'_, '_>, allowed: &[&str], code: &'static str, sink: &mut Sink) {
    for a in el.attrs() {
        if a.ns().is_none() && !allowed.contains(&a.local()) {
            sink.at(
                code,
                a.pos(),
                format!(
                    "<{}> has no attribute {}{}",
                    el.qname(),
                    a.local(),
                    if allowed.is_empty() {
                        String::new()
                    } else {
                        format!(" (it takes {})", allowed.join(", "))
                    }
                ),
            );
        }
    }
}

/// A second child named one of `once` (in namespace `ns`) of element `id`.
fn duplicates(
    doc: &Document<'_>,
    id: usize,
    ns: Option<&str>,
    once: &[&str],
    code: &'static str,
    sink: &mut Sink,
) {
    // The first of each name, as a node: its position (a line count) is only worked out for
    // a duplicate, and an archive document has 200,000 children to look at.
    let mut seen: Vec<(&str, Node<'_, '_>)> = Vec::new();
    for (_, c) in doc.children(id) {
        if c.ns() != ns || !once.contains(&c.local()) {
            continue;
        }
        match seen.iter().find(|(n, _)| *n == c.local()) {
            Some((_, first)) => sink.at(
                code,
                c.pos(),
                format!(
                    "a second <{}> (the first is at line {}); it may appear once",
                    c.qname(),
                    first.pos().0
                ),
            ),
            None => seen.push((c.local(), c)),
        }
    }
}

/// Character data directly in a container element (channel, item, feed,
/// entry ...), which holds elements only.
fn unexpected_text(el: Node<'_, '_>, code: &'static str, sink: &mut Sink) {
    let text = el.text();
    let t = text.trim();
    if !t.is_empty() {
        sink.at(
            code,
            el.pos(),
            format!(
                "<{}> holds elements, not text; found {}",
                el.qname(),
                quote(t)
            ),
        );
    }
}

/// RSS 2.0 rules of the W3C service that `rss.rs` does not already apply.
pub(crate) fn rss(doc: &Document<'_>, root: usize, sink: &mut Sink) {
    rss_structure(doc, root, sink);
    let Some((chan_id, _)) = doc.children_named(root, None, "channel").next() else {
        return;
    };
    feed_history(doc, chan_id, sink);
    for (cid, c) in doc.children(chan_id) {
        if c.ns().is_some() {
            continue;
        }
        match c.local() {
            "title" => title_markup(c, sink),
            "link" | "docs" => uri_chars(&c.text(), false, "<channel> link", c.pos(), sink),
            "managingEditor" | "webMaster" => contact(c, sink),
            "image" => image(doc, cid, c, sink),
            "textInput" => text_input(doc, cid, c, sink),
            "cloud" => cloud(c, sink),
            "skipHours" => at_most(doc, cid, "hour", 24, "rss.skiphours", c, sink),
            "skipDays" => at_most(doc, cid, "day", 7, "rss.skipdays", c, sink),
            "item" => item(doc, cid, sink),
            _ => {}
        }
    }
    // atom:link wherever it is in an RSS document: hreflang and URI characters.
    for el in doc.nodes() {
        if el.is(A, "link") {
            atom_link(el, sink);
        }
        if is_dc_date(el) {
            dc_date(el, sink);
        }
    }
    media_values(doc, sink);
}

/// Elements in no namespace that RSS 2.0 does not define where they stand,
/// and elements in no namespace directly inside an extension element.
fn rss_structure(doc: &Document<'_>, root: usize, sink: &mut Sink) {
    if let Some(r) = doc.get(root) {
        attributes(
            r,
            rss_attributes(r.local()),
            "rss.attribute.unexpected",
            sink,
        );
    }
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        let Some(parent) = doc.get(id) else { continue };
        let allowed = rss_children(parent.local());
        if allowed.is_some() {
            unexpected_text(parent, "rss.text.unexpected", sink);
            duplicates(
                doc,
                id,
                None,
                rss_once(parent.local()),
                "rss.element.duplicate",
                sink,
            );
        }
        for (cid, c) in doc.children(id) {
            match (c.ns(), allowed) {
                // An extension element: what is inside is the extension's business, except
                // an unqualified child, which RSS would read as one of its own.
                (Some(_), Some(_)) => {
                    for (_, g) in doc.children(cid) {
                        if g.ns().is_none() {
                            sink.at(
                                "rss.element.undefined",
                                g.pos(),
                                format!(
                                    "<{}> inside the extension element <{}> is in no namespace, so it would be an RSS element, and RSS 2.0 defines none by that name there",
                                    g.qname(),
                                    c.qname()
                                ),
                            );
                        }
                    }
                }
                (None, Some(names)) if names.contains(&c.local()) => {
                    attributes(c, rss_attributes(c.local()), "rss.attribute.unexpected", sink);
                    stack.push(cid);
                }
                (_, Some(_)) => sink.at(
                    "rss.element.undefined",
                    c.pos(),
                    format!(
                        "<{}> is not an element RSS 2.0 defines in <{}> (an extension element needs a namespace)",
                        c.qname(),
                        parent.qname()
                    ),
                ),
                // A leaf (title, link, guid ...) holds text, never elements.
                (_, None) => sink.at(
                    "rss.element.undefined",
                    c.pos(),
                    format!(
                        "<{}> holds text in RSS 2.0; the element <{}> is not allowed in it",
                        parent.qname(),
                        c.qname()
                    ),
                ),
            }
        }
    }
}

fn item(doc: &Document<'_>, id: usize, sink: &mut Sink) {
    for (_, c) in doc.children(id) {
        if c.ns().is_some() {
            continue;
        }
        match c.local() {
            "title" => title_markup(c, sink),
            "link" | "comments" => {
                uri_chars(&c.text(), false, &format!("<{}>", c.local()), c.pos(), sink)
            }
            "guid" => guid(c, sink),
            "enclosure" | "source" => {
                if let Some(u) = c.attr("url") {
                    uri_chars(
                        u.value(),
                        false,
                        &format!("<{} url>", c.local()),
                        u.pos(),
                        sink,
                    );
                }
            }
            _ => {}
        }
    }
}

/// `isPermaLink` is a boolean; a permalink's characters are a URI's.
fn guid(c: Node<'_, '_>, sink: &mut Sink) {
    let permalink = match c.attr("isPermaLink") {
        None => true,
        Some(a) => match a.value() {
            "true" => true,
            "false" => false,
            v => {
                sink.at(
                    "rss.guid.permalink",
                    a.pos(),
                    format!("isPermaLink={} must be true or false", quote(v)),
                );
                return;
            }
        },
    };
    if permalink {
        uri_chars(&c.text(), false, "permalink <guid>", c.pos(), sink);
    }
}

/// `managingEditor` and `webMaster` are e-mail addresses, like `author`.
fn contact(c: Node<'_, '_>, sink: &mut Sink) {
    let text = c.text();
    let v = text.trim();
    if !super::rss::has_email(v) {
        sink.at(
            "rss.author.email",
            c.pos(),
            format!(
                "<{}> {} must contain an e-mail address",
                c.local(),
                quote(v)
            ),
        );
    }
}

/// `<image>`: `url`, `title` and `link` are required; `width` is at most
/// 144 and `height` at most 400 pixels.
fn image(doc: &Document<'_>, id: usize, el: Node<'_, '_>, sink: &mut Sink) {
    required_children(
        doc,
        id,
        el,
        &["url", "title", "link"],
        "rss.image.required",
        sink,
    );
    for (name, max) in [("width", 144u32), ("height", 400)] {
        if let Some(d) = doc.child(id, None, name) {
            let text = d.text();
            let v = text.trim();
            if !v.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n)) {
                sink.at(
                    "rss.image.required",
                    d.pos(),
                    format!(
                        "<image><{name}> {} must be a whole number of pixels from 1 to {max}",
                        quote(v)
                    ),
                );
            }
        }
    }
    for (_, c) in doc.children(id) {
        match (c.ns(), c.local()) {
            (None, "title") => title_markup(c, sink),
            (None, local @ ("url" | "link")) => uri_chars(
                &c.text(),
                false,
                &format!("<image><{local}>"),
                c.pos(),
                sink,
            ),
            _ => {}
        }
    }
}

/// `<textInput>`: all four children are required, and `name` names a form
/// field, so it starts with a letter.
fn text_input(doc: &Document<'_>, id: usize, el: Node<'_, '_>, sink: &mut Sink) {
    required_children(
        doc,
        id,
        el,
        &["title", "description", "name", "link"],
        "rss.textinput.required",
        sink,
    );
    if let Some(n) = doc.child(id, None, "name") {
        let text = n.text();
        let v = text.trim();
        if !v.starts_with(|c: char| c.is_ascii_alphabetic()) {
            sink.at(
                "rss.textinput.required",
                n.pos(),
                format!(
                    "<textInput><name> {} must be a form field name (starting with a letter)",
                    quote(v)
                ),
            );
        }
    }
    for (_, c) in doc.children(id) {
        match (c.ns(), c.local()) {
            (None, "title") => title_markup(c, sink),
            (None, "link") => uri_chars(&c.text(), false, "<textInput><link>", c.pos(), sink),
            _ => {}
        }
    }
}

/// `<cloud>`: all five attributes are required, and the port is a port.
fn cloud(el: Node<'_, '_>, sink: &mut Sink) {
    let missing: Vec<&str> = ["domain", "port", "path", "registerProcedure", "protocol"]
        .into_iter()
        .filter(|a| el.attr(a).is_none())
        .collect();
    if !missing.is_empty() {
        sink.at(
            "rss.cloud.required",
            el.pos(),
            format!("<cloud> is missing {}", missing.join(", ")),
        );
    }
    if let Some(p) = el.attr("port") {
        if !p.value().trim().parse::<u16>().is_ok_and(|n| n > 0) {
            sink.at(
                "rss.cloud.required",
                p.pos(),
                format!(
                    "<cloud port={}> must be a port number 1-65535",
                    quote(p.value())
                ),
            );
        }
    }
}

fn required_children(
    doc: &Document<'_>,
    id: usize,
    el: Node<'_, '_>,
    names: &[&str],
    code: &'static str,
    sink: &mut Sink,
) {
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| doc.child(id, None, n).is_none())
        .collect();
    if !missing.is_empty() {
        sink.at(
            code,
            el.pos(),
            format!(
                "<{}> is missing the required <{}>",
                el.qname(),
                missing.join(">, <")
            ),
        );
    }
}

/// `skipHours` names each of the 24 hours at most once, `skipDays` each of
/// the 7 days: more children than that cannot be right.
fn at_most(
    doc: &Document<'_>,
    id: usize,
    child: &str,
    max: usize,
    code: &'static str,
    el: Node<'_, '_>,
    sink: &mut Sink,
) {
    let n = doc.children_named(id, None, child).count();
    if n > max {
        sink.at(
            code,
            el.pos(),
            format!(
                "<{}> has {n} <{child}> elements; there are only {max}",
                el.local()
            ),
        );
    }
}

/// Media RSS, under the namespace the spec gives and the slash-less form
/// many feeds declare (as `media.rs` accepts it).
fn is_mrss(el: Node<'_, '_>) -> bool {
    matches!(
        el.ns(),
        Some("http://search.yahoo.com/mrss/" | "http://search.yahoo.com/mrss")
    )
}

/// The EBU role codes (EBU Tech 3293) Media RSS names for `media:credit`
/// with the default scheme `urn:ebu`.
const EBU_ROLES: &[&str] = &[
    "actor",
    "adaptor",
    "anchor person",
    "animal trainer",
    "animator",
    "announcer",
    "armourer",
    "art director",
    "artist/performer",
    "assistant camera",
    "assistant chief lighting technician",
    "assistant director",
    "assistant producer",
    "assistant visual editor",
    "author",
    "broadcast assistant",
    "broadcast journalist",
    "camera operator",
    "carpenter",
    "casting",
    "causeur",
    "chief lighting technician",
    "choir",
    "choreographer",
    "clapper loader",
    "commentary or commentator",
    "commissioning broadcaster",
    "composer",
    "computer programmer",
    "conductor",
    "consultant",
    "continuity checker",
    "correspondent",
    "costume designer",
    "dancer",
    "dialogue coach",
    "director",
    "director of photography",
    "distribution company",
    "draughtsman",
    "dresser",
    "dubber",
    "editor/producer",
    "editor",
    "ensemble",
    "executive producer",
    "expert",
    "fight director",
    "floor manager",
    "focus puller",
    "foley artist",
    "foley editor",
    "foley mixer",
    "graphic assistant",
    "graphic designer",
    "greensman",
    "grip",
    "hairdresser",
    "illustrator",
    "interviewed guest",
    "interviewer",
    "key character",
    "key grip",
    "key talents",
    "leadman",
    "librettist",
    "lighting director",
    "lighting technician",
    "location manager",
    "lyricist",
    "make up artist",
    "manufacturer",
    "matte artist",
    "music arranger",
    "music group",
    "musician",
    "news reader",
    "orchestra",
    "participant",
    "photographer",
    "post",
    "producer",
    "production assistant",
    "production company",
    "production department",
    "production manager",
    "production secretary",
    "programme production researcher",
    "property manager",
    "publishing company",
    "puppeteer",
    "pyrotechnician",
    "reporter",
    "rigger",
    "runner",
    "scenario",
    "scenic operative",
    "script supervisor",
    "second assistant camera",
    "second assistant director",
    "second unit director",
    "set designer",
    "set dresser",
    "sign language",
    "singer",
    "sound designer",
    "sound mixer",
    "sound recordist",
    "special effects",
    "stunts",
    "subtitles",
    "technical director",
    "term",
    "translation",
    "transportation manager",
    "treatment/programme proposal",
    "vision mixer",
    "visual editor",
    "visual effects",
    "wardrobe",
    "witness",
    "artist",
    "performer",
    "treatment",
    "treatment proposal",
    "programme proposal",
];

/// A Normal Play Time (RFC 2326 §3.6) as Media RSS uses it: `now`, seconds
/// (`12.5`) or `h:mm:ss(.f)`.
fn is_npt(v: &str) -> bool {
    let number = |s: &str| {
        let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
        !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && !frac.is_empty()
            && frac.bytes().all(|b| b.is_ascii_digit())
    };
    let two = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    match v.split(':').collect::<Vec<_>>().as_slice() {
        ["now"] => true,
        [secs] => number(secs),
        [h, m, s] => {
            !h.is_empty()
                && h.bytes().all(|b| b.is_ascii_digit())
                && two(m)
                && two(s.split('.').next().unwrap_or(""))
                && number(s)
        }
        _ => false,
    }
}

fn bad(sink: &mut Sink, el: Node<'_, '_>, pos: (usize, usize), what: String) {
    sink.at(
        "media.value",
        pos,
        format!("<{}> {what} (Media RSS 1.5.1)", el.qname()),
    );
}

/// `media.value` and `media.group`: the Media RSS values drawn from the
/// spec's vocabularies (credit roles, text types, hash algorithms, ratings,
/// play times, restrictions, expressions), and a `media:group` that groups
/// alternatives.
fn media_values(doc: &Document<'_>, sink: &mut Sink) {
    for (id, el) in doc.nodes().enumerate() {
        if !is_mrss(el) {
            continue;
        }
        let attr = |n: &str| el.attr(n).map(|a| (a.value().trim().to_string(), a.pos()));
        match el.local() {
            "credit" => {
                if let Some((role, pos)) = attr("role") {
                    let scheme = attr("scheme").map_or("urn:ebu".to_string(), |s| s.0);
                    if scheme == "urn:ebu" && !EBU_ROLES.contains(&role.as_str()) {
                        bad(sink, el, pos, format!("role {} is not an EBU role code (e.g. photographer, author, reporter)", quote(&role)));
                    } else if role != role.to_lowercase() {
                        bad(
                            sink,
                            el,
                            pos,
                            format!("role {} must be lowercase", quote(&role)),
                        );
                    }
                }
            }
            "title" | "description" | "text" => {
                if let Some((ty, pos)) = attr("type") {
                    if ty != "plain" && ty != "html" {
                        bad(
                            sink,
                            el,
                            pos,
                            format!("type {} must be plain or html", quote(&ty)),
                        );
                    }
                }
                for name in ["start", "end"] {
                    if let Some((t, pos)) = attr(name).filter(|_| el.local() == "text") {
                        if !is_npt(&t) {
                            bad(
                                sink,
                                el,
                                pos,
                                format!(
                                    "{name} {} is not a play time (12.5 or 0:01:30)",
                                    quote(&t)
                                ),
                            );
                        }
                    }
                }
            }
            "thumbnail" => {
                if let Some((t, pos)) = attr("time") {
                    if !is_npt(&t) {
                        bad(
                            sink,
                            el,
                            pos,
                            format!("time {} is not a play time (12.5 or 0:01:30)", quote(&t)),
                        );
                    }
                }
            }
            "hash" => {
                let algo = attr("algo");
                if let Some((a, pos)) = &algo {
                    if a != "md5" && a != "sha-1" {
                        bad(
                            sink,
                            el,
                            *pos,
                            format!("algo {} must be md5 or sha-1", quote(a)),
                        );
                        continue;
                    }
                }
                let len = if algo.is_some_and(|(a, _)| a == "sha-1") {
                    40
                } else {
                    32
                };
                let text = el.text();
                let v = text.trim();
                if v.len() != len || !v.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    bad(
                        sink,
                        el,
                        el.pos(),
                        format!("{} is not a {len}-digit hash", quote(v)),
                    );
                }
            }
            "rating" => {
                let scheme = attr("scheme").map_or("urn:simple".to_string(), |s| s.0);
                let text = el.text();
                let v = text.trim();
                let allowed: &[&str] = match scheme.as_str() {
                    "urn:simple" => &["adult", "nonadult"],
                    "urn:mpaa" => &["g", "m", "nc-17", "pg", "pg-13", "r", "x"],
                    "urn:v-chip" => &[
                        "14+", "18+", "c", "c8", "g", "pg", "tv-14", "tv-g", "tv-ma", "tv-pg",
                        "tv-y", "tv-y7", "tv-y7-fv",
                    ],
                    _ => &[],
                };
                if !allowed.is_empty() && !allowed.contains(&v) {
                    bad(
                        sink,
                        el,
                        el.pos(),
                        format!("{} is not a rating of the scheme {scheme}", quote(v)),
                    );
                }
            }
            "restriction" => {
                match attr("relationship") {
                    Some((r, _)) if r == "allow" || r == "deny" => {}
                    Some((r, pos)) => bad(
                        sink,
                        el,
                        pos,
                        format!("relationship {} must be allow or deny", quote(&r)),
                    ),
                    None => bad(
                        sink,
                        el,
                        el.pos(),
                        "needs relationship=\"allow\" or \"deny\"".into(),
                    ),
                }
                let text = el.text();
                let v = text.trim();
                match attr("type") {
                    None if !v.is_empty() && v != "all" && v != "none" => bad(
                        sink,
                        el,
                        el.pos(),
                        format!("{} without a type must be all or none", quote(v)),
                    ),
                    Some((t, pos)) if t != "country" && t != "uri" => bad(
                        sink,
                        el,
                        pos,
                        format!("type {} must be country or uri", quote(&t)),
                    ),
                    _ => {}
                }
            }
            "content" => {
                if let Some((x, pos)) = attr("expression") {
                    if !matches!(x.as_str(), "sample" | "full" | "nonstop") {
                        bad(
                            sink,
                            el,
                            pos,
                            format!("expression {} must be sample, full or nonstop", quote(&x)),
                        );
                    }
                }
            }
            "group" => {
                let contents = doc
                    .children(id)
                    .filter(|(_, c)| is_mrss(*c) && c.local() == "content")
                    .count();
                if contents < 2 {
                    sink.at(
                        "media.group",
                        el.pos(),
                        format!("<{}> holds {contents} <media:content>; a group is for two or more alternatives of one item", el.qname()),
                    );
                }
            }
            _ => {}
        }
    }
}

/// `feed.history`: the RFC 5005 links of feed or channel `id` agree with
/// each other. A complete feed (`fh:complete`) is the whole list, so it has
/// no paging or archive link but `current`, and that one names the feed
/// itself (§2); the first page has no `previous`, the last no `next` (§3).
/// "Itself" is the document's `self` link (the W3C service uses the URL it
/// fetched).
fn feed_history(doc: &Document<'_>, id: usize, sink: &mut Sink) {
    const PAGING: &[&str] = &[
        "current",
        "first",
        "last",
        "next",
        "next-archive",
        "prev-archive",
        "previous",
    ];
    let links: Vec<(Node<'_, '_>, &str, &str)> = doc
        .children_named(id, A, "link")
        .map(|(_, l)| {
            let rel = l.attr("rel").map_or("alternate", |r| r.value().trim());
            let rel = rel
                .strip_prefix("http://www.iana.org/assignments/relation/")
                .unwrap_or(rel);
            (l, rel, l.attr("href").map_or("", |h| h.value().trim()))
        })
        .collect();
    // Sets, and each rule applied once per link: a hostile feed with many
    // links must stay linear.
    let this: HashSet<&str> = links
        .iter()
        .filter(|(_, rel, _)| *rel == "self")
        .map(|(_, _, href)| *href)
        .collect();
    let ends_here = |end: &str| {
        links
            .iter()
            .any(|(_, rel, href)| *rel == end && this.contains(href))
    };
    let (first_here, last_here) = (ends_here("first"), ends_here("last"));
    let complete = doc
        .children_named(id, Some(FH_NS), "complete")
        .next()
        .is_some();
    for &(l, rel, href) in &links {
        if complete && PAGING.contains(&rel) && !(rel == "current" && this.contains(&href)) {
            let why = if rel == "current" {
                "its current link must name the feed itself (its self link)".to_string()
            } else {
                format!("it has no rel=\"{rel}\" link")
            };
            sink.at(
                "feed.history",
                l.pos(),
                format!("a complete feed (fh:complete) is the whole list, so {why} (RFC 5005 §2)"),
            );
        }
        let end = match rel {
            "previous" if first_here => Some("first"),
            "next" if last_here => Some("last"),
            _ => None,
        };
        if let Some(end) = end {
            sink.at(
                "feed.history",
                l.pos(),
                format!(
                    "this page is the {end} (its rel=\"{end}\" link is its self link), so it has no rel=\"{rel}\" link (RFC 5005 §3)"
                ),
            );
        }
    }
}

/// Atom rules of the W3C service that `atom.rs` does not already apply.
pub(crate) fn atom(doc: &Document<'_>, root: usize, sink: &mut Sink) {
    feed_history(doc, root, sink);
    media_values(doc, sink);
    atom_container(doc, root, FEED, sink);
    misplaced_metadata(doc, root, sink);
    for (eid, entry) in doc.children_named(root, A, "entry") {
        atom_container(doc, eid, ENTRY, sink);
        missing_summary(doc, eid, entry, sink);
        if let Some((sid, _)) = doc.children_named(eid, A, "source").next() {
            atom_container(doc, sid, SOURCE, sink);
        }
    }
    for el in doc.nodes() {
        if is_dc_date(el) {
            dc_date(el, sink);
        }
        if el.ns() != A {
            continue;
        }
        match el.local() {
            "link" => atom_link(el, sink),
            "content" => {
                if let Some(src) = el.attr("src") {
                    uri_chars(src.value(), true, "<content src>", src.pos(), sink);
                } else {
                    base64_content(el, sink);
                }
            }
            local @ ("icon" | "logo" | "uri" | "id") => {
                uri_chars(&el.text(), true, &format!("<{local}>"), el.pos(), sink);
                if local != "uri" {
                    no_surrounding_space(el, sink);
                }
            }
            "updated" | "published" => no_surrounding_space(el, sink),
            _ => {}
        }
    }
}

const FEED: &[&str] = &[
    "author",
    "category",
    "contributor",
    "generator",
    "icon",
    "id",
    "link",
    "logo",
    "rights",
    "subtitle",
    "title",
    "updated",
    "entry",
];
const ENTRY: &[&str] = &[
    "author",
    "category",
    "content",
    "contributor",
    "id",
    "link",
    "published",
    "rights",
    "source",
    "summary",
    "title",
    "updated",
];
const SOURCE: &[&str] = &[
    "author",
    "category",
    "contributor",
    "generator",
    "icon",
    "id",
    "link",
    "logo",
    "rights",
    "subtitle",
    "title",
    "updated",
];
const PERSON: &[&str] = &["name", "uri", "email"];

/// The Atom children of feed, entry or source `id` (RFC 4287 §4.1.1,
/// §4.1.2, §4.2.11), one level into persons, and what is inside text
/// constructs and content.
fn atom_container(doc: &Document<'_>, id: usize, allowed: &[&str], sink: &mut Sink) {
    let Some(parent) = doc.get(id) else { return };
    attributes(parent, &[], "atom.attribute.unexpected", sink);
    unexpected_text(parent, "atom.text.unexpected", sink);
    let once: &[&str] = if parent.local() == "entry" {
        &[
            "content",
            "id",
            "published",
            "rights",
            "source",
            "summary",
            "title",
            "updated",
        ]
    } else {
        &[
            "generator",
            "icon",
            "id",
            "logo",
            "rights",
            "subtitle",
            "title",
            "updated",
        ]
    };
    duplicates(doc, id, A, once, "atom.element.duplicate", sink);
    for (cid, c) in doc.children(id) {
        if c.ns() != A {
            continue;
        }
        let local = c.local();
        if !allowed.contains(&local) {
            undefined_atom(c, parent, sink);
            continue;
        }
        let defined: &[&str] = match local {
            "link" => &["href", "rel", "type", "hreflang", "title", "length"],
            "category" => &["term", "scheme", "label"],
            "content" => &["type", "src"],
            "title" | "subtitle" | "rights" | "summary" => &["type"],
            "generator" => &["uri", "version"],
            _ => &[],
        };
        // Entry and source are judged as containers by the caller.
        if !matches!(local, "entry" | "source") {
            attributes(c, defined, "atom.attribute.unexpected", sink);
        }
        match local {
            "category" if c.attr("term").is_none() => sink.at(
                "atom.category.term",
                c.pos(),
                "<category> requires a term attribute".into(),
            ),
            "author" | "contributor" => {
                unexpected_text(c, "atom.text.unexpected", sink);
                duplicates(doc, cid, A, PERSON, "atom.element.duplicate", sink);
                if doc.child(cid, A, "name").is_none() && local == "contributor" {
                    // An author without a name is `atom.author.name` (atom.rs).
                    sink.at(
                        "atom.author.name",
                        c.pos(),
                        "<contributor> requires a <name>".into(),
                    );
                }
                for (gid, g) in doc.children(cid) {
                    if g.is(A, "email") {
                        email(g, sink);
                    }
                    if g.ns() == A {
                        attributes(g, &[], "atom.attribute.unexpected", sink);
                    }
                    if g.ns() != A {
                        continue;
                    }
                    if !PERSON.contains(&g.local()) {
                        undefined_atom(g, c, sink);
                    } else {
                        no_atom_children(doc, gid, g, sink);
                    }
                }
            }
            "title" | "subtitle" | "rights" | "summary" | "content" => {
                text_construct(doc, cid, c, sink)
            }
            "id" | "updated" | "published" | "icon" | "logo" | "generator" => {
                no_atom_children(doc, cid, c, sink)
            }
            // link and category may carry extension content; entry and source are walked by
            // the caller.
            _ => {}
        }
    }
}

fn undefined_atom(c: Node<'_, '_>, parent: Node<'_, '_>, sink: &mut Sink) {
    sink.at(
        "atom.element.undefined",
        c.pos(),
        format!(
            "<{}> is not an element RFC 4287 defines in <{}>",
            c.qname(),
            parent.qname()
        ),
    );
}

/// An Atom `<email>` is an e-mail address (RFC 4287 §3.2.3: an RFC 2822
/// addr-spec), nothing around it.
fn email(el: Node<'_, '_>, sink: &mut Sink) {
    let text = el.text();
    let v = text.trim();
    let ok = v.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
            && domain.contains('.')
            && domain
                .split('.')
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
    });
    if !ok {
        sink.at(
            "atom.person.email",
            el.pos(),
            format!(
                "<email> {} is not an e-mail address (name@example.com)",
                quote(v)
            ),
        );
    }
}

/// An element holding text (a date, an id, a name) takes no Atom element.
fn no_atom_children(doc: &Document<'_>, id: usize, el: Node<'_, '_>, sink: &mut Sink) {
    if let Some((_, g)) = doc.children(id).find(|(_, g)| g.ns() == A) {
        undefined_atom(g, el, sink);
    }
}

/// A text construct or `content`: `type="xhtml"` is one XHTML `div` and
/// nothing else (RFC 4287 §3.1.1.3, §4.1.3.3); `text` and `html` hold text,
/// so an element inside is undefined; other media types are judged by
/// `atom.rs`.
fn text_construct(doc: &Document<'_>, id: usize, el: Node<'_, '_>, sink: &mut Sink) {
    let ty = el.attr("type").map_or("text", |t| t.value().trim());
    match ty {
        "xhtml" => {
            let mut children = doc.children(id);
            let first = children.next();
            let alone = children.next().is_none();
            let ok = alone
                && el.text().trim().is_empty()
                && first.is_some_and(|(_, d)| d.is(Some(XHTML_NS), "div"));
            // `content src` with type xhtml is `atom.content.src-not-empty`'s business.
            if !ok && el.attr("src").is_none() {
                sink.at(
                    "atom.content.xhtml-div",
                    el.pos(),
                    format!(
                        "<{} type=\"xhtml\"> must hold exactly one <div xmlns=\"{XHTML_NS}\"> and nothing else",
                        el.qname()
                    ),
                );
            }
        }
        "text" | "html" => {
            if let Some((_, c)) = doc.children(id).next() {
                sink.at(
                    "atom.element.undefined",
                    c.pos(),
                    format!(
                        "<{} type=\"{ty}\"> holds text; the element <{}> is not allowed in it (escape it, or use type=\"xhtml\")",
                        el.qname(),
                        c.qname()
                    ),
                );
            }
        }
        _ => {}
    }
}

/// RFC 4287 §4.1.1 puts the feed's metadata before its entries only by
/// example, but the W3C service (and readers that stream) take an Atom
/// element after the first entry as misplaced.
fn misplaced_metadata(doc: &Document<'_>, root: usize, sink: &mut Sink) {
    let mut seen_entry = false;
    for (_, c) in doc.children(root) {
        if c.ns() != A {
            continue;
        }
        if c.local() == "entry" {
            seen_entry = true;
        } else if seen_entry {
            sink.at(
                "atom.metadata.misplaced",
                c.pos(),
                format!(
                    "<{}> comes after the first <entry>; feed metadata must precede the entries",
                    c.qname()
                ),
            );
        }
    }
}

/// RFC 4287 §4.1.1.1: an entry whose content is elsewhere (`src`) or is
/// not text (a non-XML, non-text media type, so Base64) needs a summary.
fn missing_summary(doc: &Document<'_>, eid: usize, entry: Node<'_, '_>, sink: &mut Sink) {
    let Some(content) = doc.child(eid, A, "content") else {
        return;
    };
    let ty = content
        .attr("type")
        .map_or(String::new(), |t| t.value().trim().to_ascii_lowercase());
    let essence = ty.split(';').next().unwrap_or("").trim();
    let binary = essence.contains('/')
        && !essence.starts_with("text/")
        && !essence.ends_with("+xml")
        && !essence.ends_with("/xml");
    if (content.attr("src").is_some() || binary) && doc.child(eid, A, "summary").is_none() {
        sink.at(
            "atom.summary.required",
            entry.pos(),
            "an <entry> whose <content> has src or a non-text media type needs a <summary>".into(),
        );
    }
}

/// An id, a date, an icon or a logo is one token, compared character by
/// character (RFC 4287 §4.2.6.1 for ids): white space around it is part of
/// the value to a reader that does not trim, so the same id no longer
/// matches (W3C `UnexpectedWhitespace`).
fn no_surrounding_space(el: Node<'_, '_>, sink: &mut Sink) {
    let text = el.text();
    if !el.has_children() && text.trim() != text {
        sink.at(
            "atom.whitespace",
            el.pos(),
            format!(
                "<{}> {} has white space around it; write the value alone",
                el.qname(),
                quote(&text)
            ),
        );
    }
}

/// RFC 4287 §4.1.3.3: content of a media type that is neither text nor
/// XML is Base64.
fn base64_content(el: Node<'_, '_>, sink: &mut Sink) {
    let ty = el
        .attr("type")
        .map_or(String::new(), |t| t.value().trim().to_ascii_lowercase());
    let essence = ty.split(';').next().unwrap_or("").trim();
    let binary = essence.contains('/')
        && !essence.starts_with("text/")
        && !essence.ends_with("+xml")
        && !essence.ends_with("/xml");
    if !binary || el.has_children() {
        return;
    }
    let text = el.text();
    let b64: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let body = b64.trim_end_matches('=');
    let ok = b64.len().is_multiple_of(4)
        && b64.len() - body.len() <= 2
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/');
    if !ok {
        sink.at(
            "atom.content.base64",
            el.pos(),
            format!("<content type=\"{essence}\"> must be Base64 (RFC 4287 §4.1.3.3)"),
        );
    }
}

/// `hreflang` is a language tag; `href` holds IRI characters; `thr:when`
/// was dropped from RFC 4685 (`thr:updated` replaced it).
fn atom_link(el: Node<'_, '_>, sink: &mut Sink) {
    if let Some(w) = el.attr_ns(THR_NS, "when") {
        sink.at(
            "atom.link.thr-when",
            w.pos(),
            "thr:when is not part of RFC 4685; use thr:updated".into(),
        );
    }
    if let Some(h) = el.attr("hreflang") {
        if !is_language_tag(h.value().trim()) {
            sink.at(
                "atom.link.hreflang",
                h.pos(),
                format!("hreflang={} is not a language tag", quote(h.value())),
            );
        }
    }
    if let Some(href) = el.attr("href") {
        uri_chars(href.value(), true, "<link href>", href.pos(), sink);
    }
}

/// The first character of `value` that no URI may contain: ASCII outside
/// RFC 3986's characters (a space, `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`,
/// `|`, `}`, controls) and, unless `iri` (Atom takes IRIs, RFC 3987), any
/// non-ASCII character, which RSS wants percent-encoded. Surrounding white
/// space is not part of the value (readers trim it).
pub(crate) fn bad_uri_char(value: &str, iri: bool) -> Option<char> {
    value.trim().chars().find(|&c| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || ";/?:@&=+$.-_!~*'()%,#[]".contains(c))
        } else {
            !iri
        }
    })
}

fn uri_chars(value: &str, iri: bool, what: &str, pos: (usize, usize), sink: &mut Sink) {
    if let Some(c) = bad_uri_char(value, iri) {
        let fix = if c.is_ascii() {
            format!(
                "{:?} (U+{:04X}) is not allowed in a URI; percent-encode it",
                c, c as u32
            )
        } else {
            format!("{c:?} is not ASCII; RSS takes URIs, so percent-encode it (UTF-8 bytes as %XX)")
        };
        sink.at("url.chars", pos, format!("{what} {}: {fix}", quote(value)));
    }
}

/// HTML 4 element names, as the W3C service lists them, for end tags such
/// as `</b>` in a plain-text title.
const HTML_TAGS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "base",
    "basefont",
    "bdi",
    "bdo",
    "big",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "command",
    "data",
    "datagrid",
    "datalist",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "em",
    "eventsource",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "isindex",
    "kbd",
    "label",
    "legend",
    "li",
    "link",
    "m",
    "main",
    "mark",
    "map",
    "menu",
    "meta",
    "meter",
    "nav",
    "noframes",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "param",
    "picture",
    "pre",
    "progress",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "script",
    "section",
    "select",
    "slot",
    "small",
    "source",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "tt",
    "u",
    "ul",
    "var",
    "xmp",
    "plaintext",
    "embed",
    "comment",
    "listing",
    "video",
    "wbr",
];

/// The HTML 4 named character references (and `apos`).
const HTML_ENTITIES: &str = "AElig Aacute Acirc Agrave Alpha Aring Atilde Auml Beta Ccedil Chi \
Dagger Delta ETH Eacute Ecirc Egrave Epsilon Eta Euml Gamma Iacute Icirc Igrave Iota Iuml Kappa \
Lambda Mu Ntilde Nu OElig Oacute Ocirc Ograve Omega Omicron Oslash Otilde Ouml Phi Pi Prime Psi \
Rho Scaron Sigma THORN Tau Theta Uacute Ucirc Ugrave Upsilon Uuml Xi Yacute Yuml Zeta aacute \
acirc acute aelig agrave alefsym alpha amp and ang apos aring asymp atilde auml bdquo beta brvbar \
bull cap ccedil cedil cent chi circ clubs cong copy crarr cup curren dArr dagger darr deg delta \
diams divide eacute ecirc egrave empty emsp ensp epsilon equiv eta eth euml euro exist fnof forall \
frac12 frac14 frac34 frasl gamma ge gt hArr harr hearts hellip iacute icirc iexcl igrave image \
infin int iota iquest isin iuml kappa lArr lambda lang laquo larr lceil ldquo le lfloor lowast loz \
lrm lsaquo lsquo lt macr mdash micro middot minus mu nabla nbsp ndash ne ni not notin nsub ntilde \
nu oacute ocirc oelig ograve oline omega omicron oplus or ordf ordm oslash otilde otimes ouml para \
part permil perp phi pi piv plusmn pound prime prod prop psi quot rArr radic rang raquo rarr rceil \
rdquo real reg rfloor rho rlm rsaquo rsquo sbquo scaron sdot sect shy sigma sigmaf sim spades sub \
sube sum sup sup1 sup2 sup3 supe szlig tau there4 theta thetasym thinsp thorn tilde times trade \
uArr uacute uarr ucirc ugrave uml upsih upsilon uuml weierp xi yacute yen yuml zeta zwj zwnj";

/// `rss.title.html`: an RSS title is plain text, but most readers render it
/// as HTML, so markup in it is either lost or live. The W3C service warns
/// (`ContainsHTML`) for an HTML end tag such as `</b>` in the text, and for
/// an HTML reference (`&amp;`, `&#60;`) or, in RSS 2.0, a `<` starting a tag
/// or a numeric reference (`CharacterData`), unless the source escapes with
/// hexadecimal character references (`&#x26;`, `&#x3C;`), the RSS Best
/// Practices Profile's form. The W3C service looks for `&#x` anywhere on the
/// element's source lines; this looks in the element's own source, so in a
/// one-line feed one escaped title does not excuse every other.
fn title_markup(el: Node<'_, '_>, sink: &mut Sink) {
    let text = el.text();
    let hex_escaped = || el.raw_content().contains("&#x");
    let problem = if let Some(tag) = html_end_tag(&text) {
        Some(format!("the HTML end tag </{tag}>"))
    } else if let Some(reference) = html_reference(&text) {
        (!hex_escaped()).then(|| format!("the HTML reference &{reference};"))
    } else if let Some(at) = markup_start(&text) {
        (!hex_escaped()).then(|| format!("markup ('{at}')"))
    } else {
        None
    };
    if let Some(problem) = problem {
        sink.at(
            "rss.title.html",
            el.pos(),
            format!(
                "<title> holds {problem}: readers show a title as HTML, so write a literal & or < as &#x26; and &#x3C; (HTML-escape it), and no markup"
            ),
        );
    }
}

/// The name of the first `</name>` in `text` that names an HTML element.
fn html_end_tag(text: &str) -> Option<&str> {
    text.match_indices("</").find_map(|(i, _)| {
        let rest = &text[i + 2..];
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
        let name = &rest[..end];
        (end > 0
            && rest[end..].starts_with('>')
            && HTML_TAGS.contains(&name.to_ascii_lowercase().as_str()))
        .then_some(name)
    })
}

/// The first `&name` (a known HTML entity) or `&#...` reference in `text`.
fn html_reference(text: &str) -> Option<&str> {
    // A set, built once: a hostile title may hold a million `&name`s.
    static KNOWN: OnceLock<HashSet<&'static str>> = OnceLock::new();
    let known_names = KNOWN.get_or_init(|| HTML_ENTITIES.split(' ').collect());
    text.match_indices('&').find_map(|(i, _)| {
        let rest = &text[i + 1..];
        let (hash, body) = match rest.strip_prefix('#') {
            Some(b) => (1, b),
            None => (0, rest),
        };
        let len = body
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        if len == 0 {
            return None;
        }
        let name = &body[..len];
        let known =
            hash == 1 || !name.chars().all(char::is_alphabetic) || known_names.contains(name);
        known.then_some(&rest[..hash + len])
    })
}

/// A `<` that starts a tag (`<a`, `</`) or a numeric reference (`&#1`,
/// `&#x`) in the text, as a few characters for the message.
fn markup_start(text: &str) -> Option<String> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(1)).find_map(|i| {
        let next = b[i + 1];
        let hit = (b[i] == b'<' && (next == b'/' || next.is_ascii_alphabetic()))
            || (b[i] == b'&'
                && next == b'#'
                && b.get(i + 2)
                    .is_some_and(|c| *c == b'x' || c.is_ascii_digit()));
        hit.then(|| text[i..].chars().take(8).collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_page_has_no_previous_and_current_may_be_self_in_a_complete_feed() {
        let feed = |links: &str, complete: &str| {
            format!(
                r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:fh="http://purl.org/syndication/history/1.0" xml:lang="en"><title>T</title><id>urn:x:f</id><updated>2024-05-01T12:30:00Z</updated><author><name>D</name></author>{complete}<link rel="self" href="https://e.com/1.xml"/>{links}</feed>"#
            )
        };
        let codes = |xml: String| -> Vec<&'static str> {
            crate::validate::check(xml.as_bytes(), &Default::default())
                .unwrap()
                .findings
                .iter()
                .map(|f| f.code)
                .filter(|c| *c == "feed.history")
                .collect()
        };
        let first = r#"<link rel="first" href="https://e.com/1.xml"/>"#;
        let previous = r#"<link rel="previous" href="https://e.com/0.xml"/>"#;
        assert_eq!(codes(feed(&format!("{first}{previous}"), "")).len(), 1);
        assert!(codes(feed(first, "")).is_empty());
        let current_self = r#"<link rel="current" href="https://e.com/1.xml"/>"#;
        let current_other = r#"<link rel="current" href="https://e.com/2.xml"/>"#;
        assert!(codes(feed(current_self, "<fh:complete/>")).is_empty());
        assert_eq!(codes(feed(current_other, "<fh:complete/>")).len(), 1);
        // Paging links without fh:complete are what an archive or a paged feed has.
        assert!(codes(feed(current_other, "")).is_empty());
    }

    #[test]
    fn play_times() {
        for ok in ["now", "12", "12.5", "0:01:30", "10:00:00.25"] {
            assert!(is_npt(ok), "{ok}");
        }
        for bad in ["", "1:30", "0:1:30", "12.", "soon", "0:01:30:00"] {
            assert!(!is_npt(bad), "{bad}");
        }
    }

    #[test]
    fn w3cdtf_dates() {
        for ok in [
            "2025",
            "2025-06",
            "2025-06-18",
            "2025-06-18T14:30Z",
            "2025-06-18T14:30:00+05:00",
            "2025-06-18T14:30:00.25-04:00",
        ] {
            assert!(is_w3cdtf(ok), "{ok}");
        }
        for bad in [
            "",
            "18.06.2025",
            "2025-13",
            "2025-02-30",
            "2025-06-18T14:30",
            "2025-06-18T14:30:00",
            "2025-06-18 14:30:00Z",
            "2025-06-18T25:00Z",
            "Wed, 18 Jun 2025 14:30:00 +0500",
        ] {
            assert!(!is_w3cdtf(bad), "{bad}");
        }
    }

    #[test]
    fn uri_characters() {
        assert_eq!(bad_uri_char("https://example.com/a?b=c&d#e", false), None);
        assert_eq!(bad_uri_char(" https://example.com/%D0%B0 ", false), None);
        assert_eq!(bad_uri_char("https://example.com/а", false), Some('а'));
        assert_eq!(bad_uri_char("https://example.com/а", true), None);
        assert_eq!(bad_uri_char("https://example.com/a b", true), Some(' '));
        assert_eq!(bad_uri_char("https://example.com/{x}", true), Some('{'));
    }

    #[test]
    fn title_markup_detectors() {
        assert_eq!(html_end_tag("a <b>x</b>"), Some("b"));
        assert_eq!(html_end_tag("a </notatag> b"), None);
        assert_eq!(html_end_tag("1 </ 2"), None);
        assert_eq!(html_reference("A&B"), None);
        assert_eq!(html_reference("A&amp;B"), Some("amp"));
        assert_eq!(html_reference("x &#x3C;y"), Some("#x3C"));
        assert_eq!(html_reference("AT&T1"), Some("T1"));
        assert_eq!(
            markup_start("Обновление <script> и"),
            Some("<script>".into())
        );
        assert_eq!(markup_start("1 < 2 & 3"), None);
        assert_eq!(markup_start("<"), None);
    }
}

//! Atom 1.0 rules after RFC 4287. Checks are fixed-depth lookups on the
//! feed and entry elements (plus an iterative walk of xhtml content), so
//! hostile nesting cannot blow the stack.

use super::date::parse_rfc3339;
use super::html::check_html;
use super::media::{self, is_media_type};
use super::report::Sink;
use super::scheme::{check_hub, check_id, check_link, script_scheme};
use super::xml::{Document, Node, XML_NS};
use super::{is_absolute_url, is_language_tag, CheckOptions, ATOM_NS};
use chrono::{DateTime, FixedOffset};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

const A: Option<&str> = Some(ATOM_NS);
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
/// RFC 6721's namespace.
const TOMBSTONES_NS: &str = "http://purl.org/atompub/tombstones/1.0";

struct Ctx<'a> {
    doc: &'a Document<'a>,
    opts: &'a CheckOptions,
}

impl Ctx<'_> {
    /// Checks an RFC 3339 date element; returns the parsed value.
    fn date(&self, el: Node<'_, '_>, sink: &mut Sink) -> Option<DateTime<FixedOffset>> {
        match parse_rfc3339(&el.text()) {
            Ok(d) => {
                if let Some(now) = self.opts.now {
                    if d > now {
                        sink.at(
                            "date.future",
                            el.pos(),
                            format!("<{}> {} is in the future", el.local(), el.text().trim()),
                        );
                    }
                }
                Some(d)
            }
            Err(m) => {
                sink.at(
                    "atom.date.format",
                    el.pos(),
                    format!("<{}>: {m}", el.local()),
                );
                None
            }
        }
    }

    /// `id`, `title`, `updated`, authors and links common to feed and entry.
    /// Returns (has author, updated).
    fn common(
        &self,
        id: usize,
        el: Node<'_, '_>,
        what: &str,
        sink: &mut Sink,
    ) -> (bool, Option<DateTime<FixedOffset>>) {
        let doc = self.doc;
        required_id(doc, id, el, what, sink);
        if doc.child(id, A, "title").is_none() {
            sink.at(
                "atom.title.missing",
                el.pos(),
                format!("<{what}> requires a <title>"),
            );
        }
        let updated = match doc.child(id, A, "updated") {
            None => {
                sink.at(
                    "atom.updated.missing",
                    el.pos(),
                    format!("<{what}> requires an <updated>"),
                );
                None
            }
            Some(u) => self.date(u, sink),
        };
        if let Some(p) = doc.child(id, A, "published") {
            self.date(p, sink);
        }
        let has_author = authors(doc, id, sink);
        self.text_constructs(id, sink);
        link_elements(doc, id, sink);
        (has_author, updated)
    }

    /// The `type` of the text constructs of `id`, and the HTML in a summary.
    fn text_constructs(&self, id: usize, sink: &mut Sink) {
        for local in ["title", "subtitle", "rights", "summary"] {
            for (tid, t) in self.doc.children_named(id, A, local) {
                if let Some(ty) = t.attr("type") {
                    if !matches!(ty.value().trim(), "text" | "html" | "xhtml") {
                        sink.at(
                            "atom.type.invalid",
                            ty.pos(),
                            format!(
                                "<{local} type=\"{}\"> must be text, html or xhtml",
                                ty.value()
                            ),
                        );
                    }
                }
                if local == "summary" {
                    self.html_checks(Some(tid), t, sink);
                }
            }
        }
    }

    /// Checks the entries of the feed `root`; returns the newest valid
    /// `updated` among them.
    fn entries(
        &self,
        root: usize,
        feed_author: bool,
        sink: &mut Sink,
    ) -> Option<DateTime<FixedOffset>> {
        let doc = self.doc;
        let mut ids: HashSet<Cow<'_, str>> = HashSet::new();
        let mut newest: Option<DateTime<FixedOffset>> = None;
        for (eid, entry) in doc.children_named(root, A, "entry") {
            let (has_author, updated) = self.common(eid, entry, "entry", sink);
            if let Some(u) = updated {
                newest = Some(newest.map_or(u, |n| n.max(u)));
            }
            if let Some(i) = doc.child(eid, A, "id") {
                let v = i.trimmed_text();
                if ids.contains(&v) {
                    sink.at(
                        "atom.id.duplicate",
                        i.pos(),
                        format!("entry <id> '{v}' is used by an earlier entry"),
                    );
                } else {
                    ids.insert(v);
                }
            }
            let source_author = doc
                .children_named(eid, A, "source")
                .any(|(sid, _)| doc.child(sid, A, "author").is_some());
            if !has_author && !feed_author && !source_author {
                sink.at(
                    "atom.author.missing",
                    entry.pos(),
                    "<entry> has no <author> and neither the feed nor the entry's <source> provides one".into(),
                );
            }
            self.content(eid, entry, sink);
        }
        newest
    }

    /// An entry needs `<content>` or an alternate link to show; content by
    /// reference (`src`) must be empty, and `type` says how to read it.
    fn content(&self, eid: usize, entry: Node<'_, '_>, sink: &mut Sink) {
        let doc = self.doc;
        let content = doc.children_named(eid, A, "content").next();
        let has_alternate = doc.children_named(eid, A, "link").any(|(_, l)| {
            l.attr("rel")
                .is_none_or(|r| r.value().trim() == "alternate")
        });
        if content.is_none() && !has_alternate {
            sink.at(
                "atom.entry.link-or-content",
                entry.pos(),
                "<entry> needs a <content> or a <link rel=\"alternate\">".into(),
            );
        }
        let Some((cid, c)) = content else { return };
        if c.attr("src").is_some() && (!c.text().trim().is_empty() || c.has_children()) {
            sink.at(
                "atom.content.src-not-empty",
                c.pos(),
                "<content src=\"...\"> must be empty".into(),
            );
        }
        if let Some(ty) = c.attr("type") {
            let v = ty.value().trim();
            if !matches!(v, "text" | "html" | "xhtml") && !is_media_type(v) {
                sink.at(
                    "atom.type.invalid",
                    ty.pos(),
                    format!("<content type=\"{v}\"> must be text, html, xhtml or a MIME type"),
                );
            }
        }
        self.html_checks(Some(cid), c, sink);
    }

    /// HTML-level checks for a text construct or content of type html/xhtml.
    fn html_checks(&self, id: Option<usize>, el: Node<'_, '_>, sink: &mut Sink) {
        match el.attr("type").map(|t| t.value().trim()) {
            Some("html") => check_html(&el.text(), el.base(), el.pos(), sink),
            Some("xhtml") => {
                // Re-serialise just the attributes of the xhtml subtree so the
                // same scanner applies; only names and values matter.
                let Some(id) = id else { return };
                let mut synthetic = String::new();
                for d in self.doc.descendants(id) {
                    let Some(e) = self.doc.get(d) else { continue };
                    if e.ns() != Some(XHTML_NS) {
                        continue;
                    }
                    synthetic.push('<');
                    synthetic.push_str(e.local());
                    for a in e.attrs().filter(|a| a.ns().is_none()) {
                        let link = a.local() == "href" || a.local() == "src";
                        // xml:base may differ per element, so a relative link is
                        // judged here; a script URL stays for the scanner, which
                        // ignores any base.
                        let v = if link && e.base().is_some() && script_scheme(a.value()).is_none()
                        {
                            "#".to_string()
                        } else {
                            // XML already expanded the references: keep `&` literal
                            // for the scanner, which decodes HTML references.
                            a.value().replace(['"', '>'], "").replace('&', "&amp;")
                        };
                        synthetic.push_str(&format!(" {}=\"{v}\"", a.local()));
                    }
                    synthetic.push('>');
                }
                check_html(&synthetic, None, el.pos(), sink);
            }
            _ => {}
        }
    }
}

/// Applies the Atom rules to a document whose root is Atom `<feed>`.
pub(crate) fn check(doc: &Document<'_>, root: usize, opts: &CheckOptions, sink: &mut Sink) {
    let cx = Ctx { doc, opts };
    let Some(feed) = doc.get(root) else { return };
    let (feed_author, feed_updated) = cx.common(root, feed, "feed", sink);
    check_every_element(doc, sink);
    super::w3c::atom(doc, root, sink);
    if feed.lang().is_none_or(|l| l.trim().is_empty()) {
        sink.at(
            "feed.lang.missing",
            feed.pos(),
            "<feed> has no xml:lang".into(),
        );
    }
    let has_self = doc
        .children_named(root, A, "link")
        .any(|(_, l)| l.attr("rel").is_some_and(|r| r.value().trim() == "self"));
    if !has_self {
        sink.at(
            "atom.self.missing",
            feed.pos(),
            "<feed> has no <link rel=\"self\" href=\"...\"/>".into(),
        );
    }
    let newest = cx.entries(root, feed_author, sink);
    tombstones(doc, root, sink);
    if let (Some(fu), Some(n)) = (feed_updated, newest) {
        if fu < n {
            let pos = doc
                .child(root, A, "updated")
                .map_or(feed.pos(), |u| u.pos());
            sink.at(
                "feed.updated.stale",
                pos,
                format!(
                    "feed <updated> {} is older than the newest entry's {}",
                    fu.to_rfc3339(),
                    n.to_rfc3339()
                ),
            );
        }
    }
}

/// RFC 6721 tombstones (`at:deleted-entry`) among the feed's children: each names the id of
/// an entry (`ref`) and when it was deleted (`when`); an entry of the same feed with that id
/// contradicts it.
fn tombstones(doc: &Document<'_>, root: usize, sink: &mut Sink) {
    let live: HashSet<Cow<'_, str>> = doc
        .children_named(root, A, "entry")
        .filter_map(|(eid, _)| doc.child(eid, A, "id").map(|i| i.trimmed_text()))
        .collect();
    for (_, t) in doc.children_named(root, Some(TOMBSTONES_NS), "deleted-entry") {
        match t.attr("ref").map(|r| r.value().trim().to_string()) {
            Some(r) if is_absolute_url(&r) => {
                if live.contains(r.as_str()) {
                    sink.at(
                        "atom.tombstone.live",
                        t.pos(),
                        format!("<at:deleted-entry ref=\"{r}\"> names an entry that is still in the feed; readers keep the later of the two"),
                    );
                }
            }
            other => sink.at(
                "atom.tombstone.ref",
                t.pos(),
                format!(
                    "<at:deleted-entry> needs a ref that is an absolute IRI (the deleted entry's id), not {}",
                    other.map_or("nothing".to_string(), |r| format!("'{r}'"))
                ),
            ),
        }
        let when = t.attr("when").map(|w| w.value().trim().to_string());
        let problem = match when.as_deref() {
            None => Some("is missing".to_string()),
            Some(w) => parse_rfc3339(w).err().map(|m| format!("'{w}': {m}")),
        };
        if let Some(problem) = problem {
            sink.at(
                "atom.tombstone.when",
                t.pos(),
                format!("<at:deleted-entry> when {problem}; an RFC 3339 date-time is required"),
            );
        }
    }
}

/// The rules that hold for an element wherever it is (feed, entry, source,
/// author): URL schemes, media (links, Media RSS) and `xml:lang`.
fn check_every_element(doc: &Document<'_>, sink: &mut Sink) {
    // Element ids are positions in document order, as `nodes` yields them.
    for (id, el) in doc.nodes().enumerate() {
        media::check_element(doc, id, sink);
        if el.ns() == A {
            check_links(el, sink);
        }
        if let Some(l) = el.attr_ns(XML_NS, "lang") {
            let v = l.value().trim();
            // xml:lang="" legitimately means "no language".
            if !v.is_empty() && !is_language_tag(v) {
                sink.at(
                    "atom.lang.invalid",
                    l.pos(),
                    format!("xml:lang=\"{v}\" is not a language tag"),
                );
            }
        }
    }
}

/// The `<id>` of feed or entry `id`: required, and an absolute IRI.
fn required_id(doc: &Document<'_>, id: usize, el: Node<'_, '_>, what: &str, sink: &mut Sink) {
    match doc.child(id, A, "id") {
        None => sink.at(
            "atom.id.missing",
            el.pos(),
            format!("<{what}> requires an <id>"),
        ),
        // A script scheme is absolute but worse: `url.scheme` reports it.
        Some(i) if !is_absolute_url(&i.text()) && script_scheme(&i.text()).is_none() => sink.at(
            "atom.id.relative",
            i.pos(),
            format!(
                "<id> '{}' is not an absolute IRI (use e.g. tag: or urn:uuid:)",
                i.text().trim()
            ),
        ),
        Some(i) => {
            if let Some(problem) = crate::id_syntax::problem(&i.text()) {
                sink.at(
                    "atom.id.syntax",
                    i.pos(),
                    format!("<id> '{}': {problem}", i.text().trim()),
                );
            }
        }
    }
}

/// Whether `id` has an `<author>`; each one needs a `<name>`.
fn authors(doc: &Document<'_>, id: usize, sink: &mut Sink) -> bool {
    let mut has_author = false;
    for (aid, a) in doc.children_named(id, A, "author") {
        has_author = true;
        if doc.child(aid, A, "name").is_none() {
            sink.at(
                "atom.author.name",
                a.pos(),
                "<author> requires a <name>".into(),
            );
        }
    }
    has_author
}

/// The `<link>`s of `id`: each needs an href, and two alternates with the
/// same type and hreflang leave a reader no way to choose.
fn link_elements(doc: &Document<'_>, id: usize, sink: &mut Sink) {
    let mut alternates: HashMap<(String, String), (usize, usize)> = HashMap::new();
    for (_, l) in doc.children_named(id, A, "link") {
        if l.attr("href").is_none() {
            sink.at(
                "atom.link.href",
                l.pos(),
                "<link> requires an href attribute".into(),
            );
        }
        let rel = l.attr("rel").map_or("alternate", |r| r.value().trim());
        if rel == "alternate" || rel == "http://www.iana.org/assignments/relation/alternate" {
            let key = (
                l.attr("type")
                    .map(|t| t.value().trim().to_ascii_lowercase())
                    .unwrap_or_default(),
                l.attr("hreflang")
                    .map(|t| t.value().trim().to_ascii_lowercase())
                    .unwrap_or_default(),
            );
            if let Some(first) = alternates.get(&key) {
                sink.at(
                    "atom.link.alternate-duplicate",
                    l.pos(),
                    format!(
                        "second alternate link with type '{}' and hreflang '{}' (first at line {})",
                        key.0, key.1, first.0
                    ),
                );
            } else {
                alternates.insert(key, l.pos());
            }
        }
    }
}

/// `url.scheme` for an Atom element wherever it is (feed, entry, source,
/// author): links must be http(s); ids may be `tag:`/`urn:` but not script.
fn check_links(el: Node<'_, '_>, sink: &mut Sink) {
    let attr = |name: &str| el.attr(name).map(|a| (a.value(), a.pos()));
    match el.local() {
        "link" => {
            if let Some((v, pos)) = attr("href") {
                check_link(v, "<link href>", pos, sink);
                if attr("rel").is_some_and(|(rel, _)| rel.trim() == "hub") {
                    check_hub(v, "<link rel=\"hub\" href>", pos, sink);
                }
            }
        }
        "content" => {
            if let Some((v, pos)) = attr("src") {
                check_link(v, "<content src>", pos, sink);
            }
        }
        local @ ("icon" | "logo" | "uri") => {
            check_link(&el.text(), &format!("<{local}>"), el.pos(), sink);
        }
        "id" => {
            check_id(&el.text(), "<id>", el.pos(), sink);
        }
        _ => {}
    }
}

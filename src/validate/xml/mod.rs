//! XML layer: from the bytes of a feed to a light element tree with
//! positions, reporting what XML itself forbids (a contradictory encoding,
//! well-formedness errors, characters outside XML 1.0, undeclared
//! namespace prefixes) before any format rule runs.
//!
//! The files follow the way in: `encoding` turns bytes into text, `chars`
//! says what character data may hold, `tree` is the document the rules
//! read and `position` turns its byte offsets into line:column;
//! `stylesheet` checks the one processing instruction browsers act on. This file
//! builds the tree from quick-xml's events: it resolves namespace prefixes
//! and `xml:base`/`xml:lang` scopes and links each element to its parent.
//! It keeps open elements on an explicit stack, so deeply nested hostile
//! input cannot overflow the call stack.

mod chars;
mod encoding;
mod position;
mod stylesheet;
mod tree;

pub(super) use encoding::decode;
pub(super) use position::LineIndex;
pub(super) use tree::{Document, Node, MAX_TEXT};

use super::report::Sink;
use chars::{check_chars, check_references, unescape};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::borrow::Cow;
use std::collections::HashMap;
use tree::{split_qname, Attr, Element, Scope, NONE};

/// The namespace bound to the reserved `xml` prefix.
pub(super) const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Byte offset of `part` in `text` when `part` is a slice of it, as
/// everything a reader over borrowed text hands out is.
fn offset_in(text: &str, part: &[u8]) -> Option<usize> {
    let start = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    (start + part.len() <= text.len()).then_some(start)
}

/// Resolves `reference` against `base` when `base` is absolute.
fn resolve_url(base: Option<&str>, reference: &str) -> Option<String> {
    if let Ok(u) = url::Url::parse(reference) {
        return Some(u.to_string());
    }
    let b = url::Url::parse(base?).ok()?;
    b.join(reference).ok().map(|u| u.to_string())
}

/// A byte offset as stored in the tree; [`check`](super::check) refuses
/// documents longer than [`MAX_TEXT`], so this never saturates.
fn narrow(x: usize) -> u32 {
    u32::try_from(x).unwrap_or(NONE)
}

/// An element whose end tag has not been read yet.
struct Open {
    id: u32,
    /// Length of `Builder::bindings` before the element's declarations.
    mark: usize,
    /// Last child element so far, to link the next one after it.
    last_child: u32,
}

/// An attribute read from a start tag whose prefix is not resolved yet.
struct RawAttr<'t> {
    /// Name as written.
    key: &'t str,
    /// Value with references expanded.
    value: Cow<'t, str>,
    /// Byte offset of the name.
    offset: usize,
}

/// The state of [`parse`] between two events of the reader.
struct Builder<'t> {
    text: &'t str,
    doc: Document<'t>,
    stack: Vec<Open>,
    /// In-scope prefix declarations, innermost last: (prefix, namespace
    /// index, or `NONE` for `xmlns=""`).
    bindings: Vec<(&'t str, u32)>,
    /// Namespace URI → index in `doc.namespaces`.
    interned: HashMap<Box<str>, u32>,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str, lines: LineIndex<'t>) -> Self {
        Builder {
            text,
            doc: Document {
                text,
                lines,
                elements: Vec::new(),
                attrs: Vec::new(),
                namespaces: Vec::new(),
                scopes: vec![Scope::default()],
                has_doctype: false,
                root: None,
                wellformed: false,
            },
            stack: Vec::new(),
            bindings: Vec::new(),
            interned: HashMap::new(),
        }
    }

    /// Applies one event of the reader, `start..end` in the text; false
    /// when parsing must stop.
    fn event(&mut self, ev: Event<'_>, start: usize, end: usize, sink: &mut Sink) -> bool {
        match ev {
            Event::Start(e) => self.start(&e, start, end, sink),
            Event::Empty(e) => {
                let r = self.start(&e, start, end, sink);
                self.end(None);
                r
            }
            Event::End(_) => {
                self.end(Some((start, end)));
                true
            }
            Event::Text(t) => {
                let raw = within(self.text, &t);
                self.text(&raw, start, false, sink)
            }
            // quick-xml reports `&name;` apart from the text around it; put it back so
            // `unescape` checks and resolves it like any other reference.
            Event::GeneralRef(r) => {
                let raw = format!("&{};", String::from_utf8_lossy(&r));
                self.text(&raw, start, false, sink)
            }
            Event::CData(t) => {
                let raw = within(self.text, &t);
                self.text(&raw, start, true, sink)
            }
            Event::DocType(_) => {
                self.doc.has_doctype = true;
                true
            }
            Event::PI(pi) => {
                let in_prolog = self.doc.root.is_none();
                stylesheet::check(&pi, start, in_prolog, &self.doc.lines, sink);
                true
            }
            // `parse` ends at Eof before asking here.
            Event::Decl(_) | Event::Comment(_) | Event::Eof => true,
        }
    }

    /// Checks that the document, now read to its end, was complete.
    fn eof(&self, sink: &mut Sink) -> bool {
        if let Some(open) = self.stack.last() {
            let name = self
                .doc
                .get(open.id as usize)
                .map(|n| n.qname())
                .unwrap_or_default();
            let p = self.doc.lines.pos(self.text.len());
            sink.at(
                "xml.wellformed",
                p,
                format!("document ends before <{name}> is closed"),
            );
            false
        } else if self.doc.root.is_none() {
            let p = self.doc.lines.pos(self.text.len());
            sink.at("xml.wellformed", p, "no root element".into());
            false
        } else {
            true
        }
    }

    fn intern(&mut self, uri: &str) -> u32 {
        if let Some(&i) = self.interned.get(uri) {
            return i;
        }
        let i = narrow(self.doc.namespaces.len());
        self.doc.namespaces.push(uri.into());
        self.interned.insert(uri.into(), i);
        i
    }

    fn lookup(&self, prefix: &str) -> Option<u32> {
        self.bindings
            .iter()
            .rev()
            .find(|(p, _)| *p == prefix)
            .map(|&(_, ns)| ns)
            .filter(|&ns| ns != NONE)
    }

    /// The slice of the source that `part` (handed out by the reader) is.
    fn source(&self, part: &[u8]) -> Option<(usize, &'t str)> {
        let at = offset_in(self.text, part)?;
        Some((at, self.text.get(at..at + part.len())?))
    }

    /// Opens an element; false when parsing must stop. The namespace
    /// declarations of a tag are read before any of its prefixes is
    /// resolved, since a tag may use a prefix it declares itself.
    fn start(&mut self, e: &BytesStart<'_>, start: usize, end: usize, sink: &mut Sink) -> bool {
        let Some((_, qname)) = self.source(e.name().as_ref()) else {
            sink.at(
                "xml.wellformed",
                self.doc.lines.pos(start),
                "unreadable element name".into(),
            );
            return false;
        };
        let mark = self.bindings.len();
        let Some((raw_attrs, fatal)) = self.read_attrs(e, qname, start, sink) else {
            return false;
        };
        let ns = self.element_ns(qname, start, sink);
        let attrs_from = narrow(self.doc.attrs.len());
        let scope = self.store_attrs(raw_attrs, sink);
        let id = narrow(self.doc.elements.len());
        self.doc.elements.push(Element {
            start: narrow(start),
            name_len: narrow(qname.len()),
            content: (narrow(end), narrow(end)),
            end: narrow(end),
            attrs: (attrs_from, narrow(self.doc.attrs.len())),
            ns,
            scope,
            first_child: NONE,
            next_sibling: NONE,
        });
        if !self.link(id, qname, start, sink) {
            return false;
        }
        self.stack.push(Open {
            id,
            mark,
            last_child: NONE,
        });
        !fatal
    }

    /// Reads the attributes of a start tag. Namespace declarations become
    /// bindings at once; the other attributes wait in the returned list
    /// until every declaration of the tag is known. `None` when the tag is
    /// too broken to go on; otherwise also whether an error was fatal.
    fn read_attrs(
        &mut self,
        e: &BytesStart<'_>,
        qname: &str,
        start: usize,
        sink: &mut Sink,
    ) -> Option<(Vec<RawAttr<'t>>, bool)> {
        let mut raw_attrs = Vec::new();
        let mut fatal = false;
        for a in e.attributes() {
            let a = match a {
                Ok(a) => a,
                Err(err) => {
                    sink.at(
                        "xml.wellformed",
                        self.doc.lines.pos(start),
                        format!("malformed attributes in <{qname}>: {err}"),
                    );
                    return None;
                }
            };
            let Some((aoff, key)) = self.source(a.key.as_ref()) else {
                sink.at(
                    "xml.wellformed",
                    self.doc.lines.pos(start),
                    format!("unreadable attribute name in <{qname}>"),
                );
                return None;
            };
            let (value, f) = self.attr_value(&a.value, aoff, sink);
            fatal |= f;
            // Checked on the raw text: an escaped &lt; is fine.
            if a.value.contains(&b'<') {
                sink.at(
                    "xml.wellformed",
                    self.doc.lines.pos(aoff),
                    format!("attribute {key} contains '<' (write &lt;)"),
                );
                fatal = true;
            }
            if key == "xmlns" {
                self.declare("", &value);
            } else if let Some(p) = key.strip_prefix("xmlns:") {
                self.declare(p, &value);
            } else {
                raw_attrs.push(RawAttr {
                    key,
                    value,
                    offset: aoff,
                });
            }
        }
        Some((raw_attrs, fatal))
    }

    /// The value of the attribute whose name is at `aoff`, with references
    /// expanded and reported; true when one of them is fatal. It stays
    /// borrowed from the source unless the reader had to copy it or a
    /// reference had to be expanded.
    fn attr_value(&self, raw: &[u8], aoff: usize, sink: &mut Sink) -> (Cow<'t, str>, bool) {
        let (voff, raw_val) = match self.source(raw) {
            Some((voff, v)) => (voff, Cow::Borrowed(v)),
            None => (aoff, String::from_utf8_lossy(raw).into_owned().into()),
        };
        match raw_val {
            Cow::Borrowed(v) => unescape(v, voff, self.doc.has_doctype, &self.doc.lines, sink),
            Cow::Owned(v) => {
                let (x, f) = unescape(&v, voff, self.doc.has_doctype, &self.doc.lines, sink);
                (Cow::Owned(x.into_owned()), f)
            }
        }
    }

    /// Binds `prefix` (`""`: the default namespace) for the element being
    /// opened and its content; an empty URI undeclares it.
    fn declare(&mut self, prefix: &'t str, uri: &str) {
        let ns = if uri.is_empty() {
            NONE
        } else {
            self.intern(uri)
        };
        self.bindings.push((prefix, ns));
    }

    /// Namespace of the element named `qname`: an unprefixed name is in the
    /// default namespace, the `xml` prefix is bound without a declaration.
    fn element_ns(&mut self, qname: &str, start: usize, sink: &mut Sink) -> u32 {
        match split_qname(qname).0 {
            None => self.lookup("").unwrap_or(NONE),
            Some("xml") => self.intern(XML_NS),
            Some(p) => self.lookup(p).unwrap_or_else(|| {
                sink.at(
                    "xml.namespace.undeclared",
                    self.doc.lines.pos(start),
                    format!("element prefix '{p}' in <{qname}> is not declared"),
                );
                NONE
            }),
        }
    }

    /// Namespace of the attribute named `key` at `aoff`: unlike an element,
    /// an unprefixed attribute has none (Namespaces in XML, 6.2).
    fn attr_ns(&mut self, key: &str, aoff: usize, sink: &mut Sink) -> u32 {
        match split_qname(key).0 {
            None => NONE,
            Some("xml") => self.intern(XML_NS),
            Some(p) => self.lookup(p).unwrap_or_else(|| {
                sink.at(
                    "xml.namespace.undeclared",
                    self.doc.lines.pos(aoff),
                    format!("attribute prefix '{p}' in {key} is not declared"),
                );
                NONE
            }),
        }
    }

    /// Stores the attributes of the element being opened and returns its
    /// scope. Elements share their parent's scope unless they set
    /// `xml:base` or `xml:lang`, so a scope is not paid for per element.
    fn store_attrs(&mut self, raw_attrs: Vec<RawAttr<'t>>, sink: &mut Sink) -> u32 {
        let parent = self.stack.last().map(|o| o.id);
        let parent_scope = parent
            .and_then(|p| self.doc.elements.get(p as usize))
            .map_or(0, |p| p.scope);
        let (mut base, mut lang) = match self.doc.scopes.get(parent_scope as usize) {
            Some(s) => (s.base.clone(), s.lang.clone()),
            None => (None, None),
        };
        let mut new_scope = false;
        for RawAttr { key, value, offset } in raw_attrs {
            let ans = self.attr_ns(key, offset, sink);
            if self.doc.namespace(ans) == Some(XML_NS) {
                match split_qname(key).1 {
                    "base" => {
                        let resolved = resolve_url(base.as_deref(), value.trim())
                            .unwrap_or_else(|| value.to_string());
                        base = Some(resolved.into());
                        new_scope = true;
                    }
                    "lang" => {
                        lang = Some((*value).into());
                        new_scope = true;
                    }
                    _ => {}
                }
            }
            self.doc.attrs.push(Attr {
                qname: key,
                value,
                offset: narrow(offset),
                ns: ans,
            });
        }
        if new_scope {
            self.doc.scopes.push(Scope { base, lang });
            narrow(self.doc.scopes.len() - 1)
        } else {
            parent_scope
        }
    }

    /// Links element `id` after the last child of the innermost open
    /// element, or makes it the root; false (reported) when it would be a
    /// second root.
    fn link(&mut self, id: u32, qname: &str, start: usize, sink: &mut Sink) -> bool {
        match self.stack.last_mut() {
            Some(open) => {
                let prev = std::mem::replace(&mut open.last_child, id);
                let link = if prev == NONE {
                    self.doc
                        .elements
                        .get_mut(open.id as usize)
                        .map(|p| &mut p.first_child)
                } else {
                    self.doc
                        .elements
                        .get_mut(prev as usize)
                        .map(|p| &mut p.next_sibling)
                };
                if let Some(link) = link {
                    *link = id;
                }
            }
            None => {
                if self.doc.root.is_some() {
                    sink.at(
                        "xml.wellformed",
                        self.doc.lines.pos(start),
                        format!("<{qname}> is a second root element; a document has exactly one"),
                    );
                    return false;
                }
                self.doc.root = Some(id as usize);
            }
        }
        true
    }

    /// Closes the innermost element; `close` is the byte range of its end
    /// tag, `None` for an empty-element tag.
    fn end(&mut self, close: Option<(usize, usize)>) {
        if let Some(open) = self.stack.pop() {
            self.bindings.truncate(open.mark);
            if let (Some((from, to)), Some(el)) =
                (close, self.doc.elements.get_mut(open.id as usize))
            {
                el.content.1 = narrow(from);
                el.end = narrow(to);
            }
        }
    }

    /// Checks character data; the tree keeps only the content ranges, and
    /// [`Node::text`] reads the text back from them.
    fn text(&mut self, raw: &str, start: usize, cdata: bool, sink: &mut Sink) -> bool {
        if self.stack.is_empty() {
            if !raw.trim().is_empty() {
                let lead = raw.len() - raw.trim_start().len();
                sink.at(
                    "xml.wellformed",
                    self.doc.lines.pos(start + lead),
                    "character data outside the root element".into(),
                );
                return false;
            }
            return true;
        }
        if cdata {
            return true;
        }
        !check_references(raw, start, self.doc.has_doctype, &self.doc.lines, sink)
    }
}

/// The text of an event's bytes: the reader reads from `whole`, so they are a slice of it, and
/// taking that slice spares checking the UTF-8 of every text again (a feed is mostly text);
/// bytes from anywhere else are decoded.
fn within<'t>(whole: &'t str, part: &[u8]) -> std::borrow::Cow<'t, str> {
    let start = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    match start.checked_add(part.len()) {
        Some(end) if end <= whole.len() => match whole.get(start..end) {
            Some(text) => std::borrow::Cow::Borrowed(text),
            None => String::from_utf8_lossy(part).into_owned().into(),
        },
        _ => String::from_utf8_lossy(part).into_owned().into(),
    }
}

/// Parses decoded text into a [`Document`], reporting XML-level findings.
pub(super) fn parse<'t>(text: &'t str, sink: &mut Sink) -> Document<'t> {
    let lines = LineIndex::new(text);
    check_chars(text, &lines, sink);
    let mut reader = Reader::from_str(text);
    {
        let cfg = reader.config_mut();
        cfg.check_end_names = true;
        cfg.check_comments = true;
        cfg.expand_empty_elements = false;
        cfg.trim_text(false);
    }
    let mut b = Builder::new(text, lines);
    let ok = loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let ev = reader.read_event();
        let end = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match ev {
            Err(err) => {
                let off = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                let p = b.doc.lines.pos(off);
                sink.at("xml.wellformed", p, err.to_string());
                break false;
            }
            Ok(Event::Eof) => break b.eof(sink),
            Ok(ev) => {
                if !b.event(ev, start, end, sink) {
                    break false;
                }
            }
        }
    };
    let mut doc = b.doc;
    doc.wellformed = ok;
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn parse_str(s: &str) -> (Document<'_>, Vec<crate::validate::Finding>) {
        let mut sink = Sink::default();
        let doc = parse(s, &mut sink);
        (doc, sink.into_sorted())
    }

    #[test]
    fn escaped_lt_in_attribute_is_fine() {
        let (doc, f) = parse_str("<a t='1 &lt; 2'/>");
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(
            doc.nodes()
                .next()
                .and_then(|e| e.attr("t"))
                .map(|a| a.value()),
            Some("1 < 2")
        );
        let (_, f) = parse_str("<a t='1 < 2'/>");
        assert_eq!(f[0].code, "xml.wellformed");
    }

    #[test]
    fn mismatched_end_tag() {
        let (doc, f) = parse_str("<a>\n<b></c></a>");
        assert!(!doc.wellformed);
        assert_eq!(f[0].code, "xml.wellformed");
        assert_eq!(f[0].line, 2);
    }

    #[test]
    fn namespaces_resolve_and_undeclared_reported() {
        let (doc, f) = parse_str("<a xmlns='urn:x' xmlns:p='urn:p'><p:b/><q:c/></a>");
        let ns: Vec<_> = doc.nodes().map(|e| e.ns()).collect();
        assert_eq!(ns, [Some("urn:x"), Some("urn:p"), None]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "xml.namespace.undeclared");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let s = "<a>".repeat(200_000) + &"</a>".repeat(200_000);
        let (doc, f) = parse_str(&s);
        assert!(f.is_empty());
        assert_eq!(doc.descendants(0).len(), 199_999);
    }

    #[test]
    fn scopes_inherit_base_and_lang() {
        let (doc, _) = parse_str(
            "<a xml:base='https://e.com/x/' xml:lang='ru'><b xml:base='y/'><c/></b><d/></a>",
        );
        let base: Vec<_> = doc.nodes().map(|n| n.base()).collect();
        assert_eq!(
            base,
            [
                Some("https://e.com/x/"),
                Some("https://e.com/x/y/"),
                Some("https://e.com/x/y/"),
                Some("https://e.com/x/")
            ]
        );
        assert!(doc.nodes().all(|n| n.lang() == Some("ru")));
        let kids: Vec<_> = doc.children(0).map(|(_, n)| n.local()).collect();
        assert_eq!(kids, ["b", "d"]);
        assert_eq!(doc.descendants(0), [1, 2, 3]);
    }
}

//! XML layer: encoding detection, well-formedness, XML 1.0 character rules,
//! namespace resolution and a light element tree with positions.
//!
//! The format checkers need random access (e.g. "does the feed have an
//! author?") so the document is materialised into a flat arena of elements.
//! The arena is built with an explicit stack, and every later walk is a
//! linear scan or a fixed-depth lookup, so deeply nested hostile input cannot
//! overflow the call stack.
//!
//! Memory is kept near the size of the input: names, attribute values and
//! text are not copied but borrowed from the source text (an element keeps
//! only the byte range of its content, and [`Node::text`] unescapes it when
//! a rule asks), positions are byte offsets turned into line and column only
//! for the few nodes that are reported, and an element is 44 bytes of
//! 32-bit offsets and indices. That is why documents are limited to 4 GiB.

mod chars;
mod encoding;
mod position;

pub(super) use encoding::decode;
pub(super) use position::LineIndex;

use super::report::Sink;
use chars::{check_chars, check_references, expand, unescape};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

/// The namespace bound to the reserved `xml` prefix.
pub(super) const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Largest decoded document the tree can index (offsets are `u32`).
pub(super) const MAX_TEXT: usize = u32::MAX as usize;

/// "No element", "no namespace": the `u32` index that points nowhere.
const NONE: u32 = u32::MAX;

/// An attribute with its resolved namespace and unescaped value.
#[derive(Debug)]
pub(super) struct Attr<'t> {
    /// Name as written, borrowed from the source.
    qname: &'t str,
    /// Value with references expanded (borrowed when there were none).
    value: Cow<'t, str>,
    /// Byte offset of the name.
    offset: u32,
    /// Index in [`Document::namespaces`], or `NONE` (unprefixed attributes
    /// have no namespace, per Namespaces in XML).
    ns: u32,
}

/// One element of the tree: offsets into the source and indices into the
/// document's tables, nothing copied.
#[derive(Debug, Clone)]
struct Element {
    /// Byte offset of the `<` of the start tag; the name follows it.
    start: u32,
    /// Length in bytes of the name as written (`prefix:local`).
    name_len: u32,
    /// Byte range of the content, between the start tag and the end tag
    /// (empty for `<x/>`).
    content: (u32, u32),
    /// Byte offset just past the end of the element.
    end: u32,
    /// Range of this element's attributes in [`Document::attrs`].
    attrs: (u32, u32),
    /// Index in [`Document::namespaces`], or `NONE`.
    ns: u32,
    /// Index in [`Document::scopes`]: the innermost `xml:base`/`xml:lang`.
    scope: u32,
    /// First child element, or `NONE`.
    first_child: u32,
    /// Next element with the same parent, or `NONE`.
    next_sibling: u32,
}

/// The `xml:base` and `xml:lang` in scope for a set of elements.
#[derive(Debug, Default)]
struct Scope {
    /// Innermost `xml:base`, resolved against outer bases.
    base: Option<Rc<str>>,
    /// Innermost `xml:lang`.
    lang: Option<Rc<str>>,
}

/// The parsed document.
pub(super) struct Document<'t> {
    text: &'t str,
    lines: LineIndex<'t>,
    /// Arena of elements; ids are indices.
    elements: Vec<Element>,
    /// Attributes of all elements, each element's contiguous.
    attrs: Vec<Attr<'t>>,
    /// Namespace URIs, each once.
    namespaces: Vec<Box<str>>,
    /// `xml:base`/`xml:lang` scopes; scope 0 has neither.
    scopes: Vec<Scope>,
    /// A DOCTYPE may declare entities, so unknown ones are kept as written.
    has_doctype: bool,
    /// Root element id.
    pub root: Option<usize>,
    /// False if parsing stopped at a well-formedness error (the tree is then
    /// partial and the format rules are not applied).
    pub wellformed: bool,
}

/// An element of a [`Document`], with the accessors the rules use.
#[derive(Clone, Copy)]
pub(super) struct Node<'d, 't> {
    doc: &'d Document<'t>,
    el: &'d Element,
}

impl<'d, 't> Node<'d, 't> {
    /// Name as written, for messages.
    pub(super) fn qname(&self) -> &'t str {
        let s = self.el.start as usize + 1;
        self.doc
            .text
            .get(s..s + self.el.name_len as usize)
            .unwrap_or("")
    }

    /// Local name.
    pub(super) fn local(&self) -> &'t str {
        split_qname(self.qname()).1
    }

    /// Resolved namespace URI.
    pub(super) fn ns(&self) -> Option<&'d str> {
        self.doc.namespace(self.el.ns)
    }

    /// True when the element has namespace `ns` and local name `local`.
    pub(super) fn is(&self, ns: Option<&str>, local: &str) -> bool {
        self.local() == local && self.ns() == ns
    }

    /// Position of the `<` of the start tag.
    pub(super) fn pos(&self) -> (usize, usize) {
        self.doc.lines.pos(self.el.start as usize)
    }

    /// Attributes except namespace declarations.
    pub(super) fn attrs(&self) -> impl Iterator<Item = AttrRef<'d, 't>> + 'd {
        let (from, to) = self.el.attrs;
        let doc = self.doc;
        doc.attrs
            .get(from as usize..to as usize)
            .unwrap_or(&[])
            .iter()
            .map(move |a| AttrRef { doc, a })
    }

    /// Attribute without namespace.
    pub(super) fn attr(&self, local: &str) -> Option<AttrRef<'d, 't>> {
        self.attrs()
            .find(|a| a.ns().is_none() && a.local() == local)
    }

    /// Attribute in namespace `ns`.
    pub(super) fn attr_ns(&self, ns: &str, local: &str) -> Option<AttrRef<'d, 't>> {
        self.attrs()
            .find(|a| a.ns() == Some(ns) && a.local() == local)
    }

    /// Innermost `xml:base` in scope, resolved against outer bases.
    pub(super) fn base(&self) -> Option<&'d str> {
        self.doc
            .scopes
            .get(self.el.scope as usize)
            .and_then(|s| s.base.as_deref())
    }

    /// Innermost `xml:lang` in scope.
    pub(super) fn lang(&self) -> Option<&'d str> {
        self.doc
            .scopes
            .get(self.el.scope as usize)
            .and_then(|s| s.lang.as_deref())
    }

    /// True when the element has child elements.
    pub(super) fn has_children(&self) -> bool {
        self.el.first_child != NONE
    }

    /// [`text`](Self::text) without leading and trailing whitespace, still
    /// borrowed when the text is.
    pub(super) fn trimmed_text(&self) -> Cow<'t, str> {
        match self.text() {
            Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
            Cow::Owned(s) if s.trim().len() == s.len() => Cow::Owned(s),
            Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
        }
    }

    /// Concatenated direct character data (text and CDATA), unescaped;
    /// borrowed from the source when it is one run without references.
    pub(super) fn text(&self) -> Cow<'t, str> {
        let doc = self.doc;
        let mut acc = TextAcc::default();
        let mut at = self.el.content.0 as usize;
        let mut child = self.el.first_child;
        while let Some(c) = doc.elements.get(child as usize) {
            acc.gap(doc.text.get(at..c.start as usize).unwrap_or(""), doc);
            at = c.end as usize;
            child = c.next_sibling;
        }
        acc.gap(
            doc.text.get(at..self.el.content.1 as usize).unwrap_or(""),
            doc,
        );
        acc.text
    }
}

/// An attribute of a [`Node`].
#[derive(Clone, Copy)]
pub(super) struct AttrRef<'d, 't> {
    doc: &'d Document<'t>,
    a: &'d Attr<'t>,
}

impl<'d, 't> AttrRef<'d, 't> {
    /// Local part of the name.
    pub(super) fn local(&self) -> &'t str {
        split_qname(self.a.qname).1
    }

    /// Namespace URI (`None` for unprefixed attributes).
    pub(super) fn ns(&self) -> Option<&'d str> {
        self.doc.namespace(self.a.ns)
    }

    /// Value with references expanded.
    pub(super) fn value(&self) -> &'d str {
        &self.a.value
    }

    /// Position of the attribute name.
    pub(super) fn pos(&self) -> (usize, usize) {
        self.doc.lines.pos(self.a.offset as usize)
    }
}

/// Builds the text of an element from the pieces between its children,
/// borrowing while there is only one piece without references.
#[derive(Default)]
struct TextAcc<'t> {
    text: Cow<'t, str>,
}

impl<'t> TextAcc<'t> {
    fn push(&mut self, piece: Cow<'t, str>) {
        if self.text.is_empty() {
            self.text = piece;
        } else if !piece.is_empty() {
            self.text.to_mut().push_str(&piece);
        }
    }

    /// Adds the character data of `raw`, a stretch of content that holds no
    /// element (text, references, CDATA sections, comments and PIs). The
    /// document was checked well-formed, so the markup is known to be
    /// complete; a cut one is skipped rather than trusted.
    fn gap(&mut self, raw: &'t str, doc: &Document<'t>) {
        let mut rest = raw;
        while !rest.is_empty() {
            let lt = rest.find('<').unwrap_or(rest.len());
            let (chars, markup) = rest.split_at(lt);
            self.push(expand(chars, doc.has_doctype));
            rest = if let Some(body) = markup.strip_prefix("<![CDATA[") {
                let end = body.find("]]>").unwrap_or(body.len());
                self.push(Cow::Borrowed(&body[..end]));
                body.get(end + 3..).unwrap_or("")
            } else if let Some(body) = markup.strip_prefix("<!--") {
                body.find("-->").map_or("", |e| &body[e + 3..])
            } else if let Some(body) = markup.strip_prefix("<?") {
                body.find("?>").map_or("", |e| &body[e + 2..])
            } else {
                markup
                    .get(1..)
                    .map_or("", |m| m.find('>').map_or("", |e| &m[e + 1..]))
            };
        }
    }
}

impl<'t> Document<'t> {
    /// Element by id (ids come from this document, so this cannot fail for
    /// them; an unknown id yields `None`).
    pub(super) fn get(&self, id: usize) -> Option<Node<'_, 't>> {
        self.elements.get(id).map(|el| Node { doc: self, el })
    }

    /// Every element, in document order.
    pub(super) fn nodes(&self) -> impl Iterator<Item = Node<'_, 't>> + '_ {
        self.elements.iter().map(move |el| Node { doc: self, el })
    }

    /// Child elements of `id`.
    pub(super) fn children(&self, id: usize) -> impl Iterator<Item = (usize, Node<'_, 't>)> + '_ {
        let mut next = self.elements.get(id).map_or(NONE, |e| e.first_child);
        std::iter::from_fn(move || {
            let id = next as usize;
            let el = self.elements.get(id)?;
            next = el.next_sibling;
            Some((id, Node { doc: self, el }))
        })
    }

    /// Children of `id` named (`ns`, `local`).
    pub(super) fn children_named<'s>(
        &'s self,
        id: usize,
        ns: Option<&'s str>,
        local: &'s str,
    ) -> impl Iterator<Item = (usize, Node<'s, 't>)> + 's {
        self.children(id).filter(move |(_, e)| e.is(ns, local))
    }

    /// First child of `id` named (`ns`, `local`).
    pub(super) fn child(&self, id: usize, ns: Option<&str>, local: &str) -> Option<Node<'_, 't>> {
        self.children(id)
            .find(|(_, e)| e.is(ns, local))
            .map(|(_, e)| e)
    }

    /// All descendants of `id` in document order, iteratively.
    pub(super) fn descendants(&self, id: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![self.elements.get(id).map_or(NONE, |e| e.first_child)];
        while let Some(top) = stack.last_mut() {
            let Some(e) = self.elements.get(*top as usize) else {
                stack.pop();
                continue;
            };
            out.push(*top as usize);
            *top = e.next_sibling;
            stack.push(e.first_child);
        }
        out
    }

    fn namespace(&self, i: u32) -> Option<&str> {
        self.namespaces.get(i as usize).map(|s| &**s)
    }
}

/// Byte offset of `part` in `text` when `part` is a slice of it, as
/// everything a reader over borrowed text hands out is.
fn offset_in(text: &str, part: &[u8]) -> Option<usize> {
    let start = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    (start + part.len() <= text.len()).then_some(start)
}

fn split_qname(q: &str) -> (Option<&str>, &str) {
    match q.split_once(':') {
        Some((p, l)) => (Some(p), l),
        None => (None, q),
    }
}

/// Resolves `reference` against `base` when `base` is absolute.
pub(super) fn resolve_url(base: Option<&str>, reference: &str) -> Option<String> {
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

    fn start(&mut self, e: &BytesStart<'_>, start: usize, end: usize, sink: &mut Sink) -> bool {
        let lines = &self.doc.lines;
        let Some((_, qname)) = self.source(e.name().as_ref()) else {
            sink.at(
                "xml.wellformed",
                lines.pos(start),
                "unreadable element name".into(),
            );
            return false;
        };
        let mark = self.bindings.len();
        let mut raw_attrs: Vec<(&'t str, Cow<'t, str>, usize)> = Vec::new();
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
                    return false;
                }
            };
            let Some((aoff, key)) = self.source(a.key.as_ref()) else {
                sink.at(
                    "xml.wellformed",
                    self.doc.lines.pos(start),
                    format!("unreadable attribute name in <{qname}>"),
                );
                return false;
            };
            let (voff, raw_val) = match self.source(&a.value) {
                Some((voff, v)) => (voff, Cow::Borrowed(v)),
                None => (aoff, String::from_utf8_lossy(&a.value).into_owned().into()),
            };
            let (value, f) = match raw_val {
                Cow::Borrowed(v) => unescape(v, voff, self.doc.has_doctype, &self.doc.lines, sink),
                Cow::Owned(v) => {
                    let (x, f) = unescape(&v, voff, self.doc.has_doctype, &self.doc.lines, sink);
                    (Cow::Owned(x.into_owned()), f)
                }
            };
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
                let ns = if value.is_empty() {
                    NONE
                } else {
                    self.intern(&value)
                };
                self.bindings.push(("", ns));
            } else if let Some(p) = key.strip_prefix("xmlns:") {
                let ns = if value.is_empty() {
                    NONE
                } else {
                    self.intern(&value)
                };
                self.bindings.push((p, ns));
            } else {
                raw_attrs.push((key, value, aoff));
            }
        }
        let (prefix, _) = split_qname(qname);
        let ns = match prefix {
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
        };
        let parent = self.stack.last().map(|o| o.id);
        let parent_scope = parent
            .and_then(|p| self.doc.elements.get(p as usize))
            .map_or(0, |p| p.scope);
        let (mut base, mut lang) = match self.doc.scopes.get(parent_scope as usize) {
            Some(s) => (s.base.clone(), s.lang.clone()),
            None => (None, None),
        };
        let mut new_scope = false;
        let attrs_from = narrow(self.doc.attrs.len());
        for (key, value, aoff) in raw_attrs {
            let (ap, _) = split_qname(key);
            let ans = match ap {
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
            };
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
                offset: narrow(aoff),
                ns: ans,
            });
        }
        let scope = if new_scope {
            self.doc.scopes.push(Scope { base, lang });
            narrow(self.doc.scopes.len() - 1)
        } else {
            parent_scope
        };
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
        self.stack.push(Open {
            id,
            mark,
            last_child: NONE,
        });
        !fatal
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
    let mut b = Builder {
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
    };
    let mut ok = true;
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let ev = reader.read_event();
        let end = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let step_ok = match ev {
            Err(err) => {
                let off = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                let p = b.doc.lines.pos(off);
                sink.at("xml.wellformed", p, err.to_string());
                false
            }
            Ok(Event::Eof) => {
                if let Some(open) = b.stack.last() {
                    let name = b
                        .doc
                        .get(open.id as usize)
                        .map(|n| n.qname())
                        .unwrap_or_default();
                    let p = b.doc.lines.pos(text.len());
                    sink.at(
                        "xml.wellformed",
                        p,
                        format!("document ends before <{name}> is closed"),
                    );
                    ok = false;
                } else if b.doc.root.is_none() {
                    let p = b.doc.lines.pos(text.len());
                    sink.at("xml.wellformed", p, "no root element".into());
                    ok = false;
                }
                break;
            }
            Ok(Event::Start(e)) => b.start(&e, start, end, sink),
            Ok(Event::Empty(e)) => {
                let r = b.start(&e, start, end, sink);
                b.end(None);
                r
            }
            Ok(Event::End(_)) => {
                b.end(Some((start, end)));
                true
            }
            Ok(Event::Text(t)) => {
                let raw = String::from_utf8_lossy(&t);
                b.text(&raw, start, false, sink)
            }
            // quick-xml reports `&name;` apart from the text around it; put it back so
            // `unescape` checks and resolves it like any other reference.
            Ok(Event::GeneralRef(r)) => {
                let raw = format!("&{};", String::from_utf8_lossy(&r));
                b.text(&raw, start, false, sink)
            }
            Ok(Event::CData(t)) => {
                let raw = String::from_utf8_lossy(&t);
                b.text(&raw, start, true, sink)
            }
            Ok(Event::DocType(_)) => {
                b.doc.has_doctype = true;
                true
            }
            Ok(Event::Decl(_) | Event::PI(_) | Event::Comment(_)) => true,
        };
        if !step_ok {
            ok = false;
            break;
        }
    }
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
    fn line_and_column_count_characters() {
        let (doc, f) = parse_str("<a>\n<ü>é<b x='1'/></ü></a>");
        assert!(f.is_empty(), "{f:?}");
        let b = doc.nodes().find(|e| e.local() == "b").expect("b");
        assert_eq!(b.pos(), (2, 5));
        assert_eq!(b.attr("x").expect("x").pos(), (2, 8));
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
    fn text_is_the_direct_character_data() {
        let (doc, f) =
            parse_str("<a>x &amp; y<b>inner</b><![CDATA[<c>]]><!-- no -->z<?pi?>&#233;<d/>\n</a>");
        assert!(f.is_empty(), "{f:?}");
        let a = doc.get(0).expect("root");
        assert_eq!(a.text(), "x & y<c>zé\n");
        assert_eq!(doc.nodes().nth(1).expect("b").text(), "inner");
        assert!(matches!(
            doc.nodes().nth(1).expect("b").text(),
            Cow::Borrowed(_)
        ));
        assert_eq!(doc.nodes().nth(2).expect("d").text(), "");
        let (doc, _) = parse_str("<a><b></b><c>1</c></a>");
        assert_eq!(doc.get(1).expect("b").text(), "");
        assert_eq!(doc.get(0).expect("a").text(), "");
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

    #[test]
    fn an_element_stays_small() {
        // The tree is the part of check's memory that grows with the number
        // of elements; a feed of short items has one per ~50 input bytes.
        assert_eq!(std::mem::size_of::<Element>(), 44);
    }
}

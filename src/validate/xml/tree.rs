//! The document the format rules read: an arena of elements over the
//! decoded text, with the accessors (name, namespace, attributes, text,
//! `xml:base`/`xml:lang` in scope, children) the rules use.
//!
//! The format checkers need random access (e.g. "does the feed have an
//! author?") so the document is materialised into a flat arena of elements.
//! Every walk is a linear scan or a fixed-depth lookup, so deeply nested
//! hostile input cannot overflow the call stack.
//!
//! Memory is kept near the size of the input: names, attribute values and
//! text are not copied but borrowed from the source text (an element keeps
//! only the byte range of its content, and [`Node::text`] unescapes it when
//! a rule asks), positions are byte offsets turned into line and column only
//! for the few nodes that are reported, and an element is 44 bytes of
//! 32-bit offsets and indices. That is why documents are limited to 4 GiB.
//!
//! The builder in `mod.rs` fills the tables, so their fields are
//! `pub(super)`; the rules outside `xml` only see the accessors.

use super::chars::expand;
use super::position::LineIndex;
use std::borrow::Cow;
use std::rc::Rc;

/// Largest decoded document the tree can index (offsets are `u32`).
pub(in crate::validate) const MAX_TEXT: usize = u32::MAX as usize;

/// "No element", "no namespace": the `u32` index that points nowhere.
pub(super) const NONE: u32 = u32::MAX;

/// An attribute with its resolved namespace and unescaped value.
#[derive(Debug)]
pub(super) struct Attr<'t> {
    /// Name as written, borrowed from the source.
    pub(super) qname: &'t str,
    /// Value with references expanded (borrowed when there were none).
    pub(super) value: Cow<'t, str>,
    /// Byte offset of the name.
    pub(super) offset: u32,
    /// Index in [`Document::namespaces`], or `NONE` (unprefixed attributes
    /// have no namespace, per Namespaces in XML).
    pub(super) ns: u32,
}

/// One element of the tree: offsets into the source and indices into the
/// document's tables, nothing copied.
#[derive(Debug, Clone)]
pub(super) struct Element {
    /// Byte offset of the `<` of the start tag; the name follows it.
    pub(super) start: u32,
    /// Length in bytes of the name as written (`prefix:local`).
    pub(super) name_len: u32,
    /// Byte range of the content, between the start tag and the end tag
    /// (empty for `<x/>`).
    pub(super) content: (u32, u32),
    /// Byte offset just past the end of the element.
    pub(super) end: u32,
    /// Range of this element's attributes in [`Document::attrs`].
    pub(super) attrs: (u32, u32),
    /// Index in [`Document::namespaces`], or `NONE`.
    pub(super) ns: u32,
    /// Index in [`Document::scopes`]: the innermost `xml:base`/`xml:lang`.
    pub(super) scope: u32,
    /// First child element, or `NONE`.
    pub(super) first_child: u32,
    /// Next element with the same parent, or `NONE`.
    pub(super) next_sibling: u32,
}

/// The `xml:base` and `xml:lang` in scope for a set of elements.
#[derive(Debug, Default)]
pub(super) struct Scope {
    /// Innermost `xml:base`, resolved against outer bases.
    pub(super) base: Option<Rc<str>>,
    /// Innermost `xml:lang`.
    pub(super) lang: Option<Rc<str>>,
}

/// The parsed document.
pub(in crate::validate) struct Document<'t> {
    pub(super) text: &'t str,
    pub(super) lines: LineIndex<'t>,
    /// Arena of elements; ids are indices.
    pub(super) elements: Vec<Element>,
    /// Attributes of all elements, each element's contiguous.
    pub(super) attrs: Vec<Attr<'t>>,
    /// Namespace URIs, each once.
    pub(super) namespaces: Vec<Box<str>>,
    /// `xml:base`/`xml:lang` scopes; scope 0 has neither.
    pub(super) scopes: Vec<Scope>,
    /// A DOCTYPE may declare entities, so unknown ones are kept as written.
    pub(super) has_doctype: bool,
    /// Root element id.
    pub(in crate::validate) root: Option<usize>,
    /// False if parsing stopped at a well-formedness error (the tree is then
    /// partial and the format rules are not applied).
    pub(in crate::validate) wellformed: bool,
}

/// An element of a [`Document`], with the accessors the rules use.
#[derive(Clone, Copy)]
pub(in crate::validate) struct Node<'d, 't> {
    doc: &'d Document<'t>,
    el: &'d Element,
}

impl<'d, 't> Node<'d, 't> {
    /// Name as written, for messages.
    pub(in crate::validate) fn qname(&self) -> &'t str {
        let s = self.el.start as usize + 1;
        self.doc
            .text
            .get(s..s + self.el.name_len as usize)
            .unwrap_or("")
    }

    /// Local name.
    pub(in crate::validate) fn local(&self) -> &'t str {
        split_qname(self.qname()).1
    }

    /// Resolved namespace URI.
    pub(in crate::validate) fn ns(&self) -> Option<&'d str> {
        self.doc.namespace(self.el.ns)
    }

    /// True when the element has namespace `ns` and local name `local`.
    pub(in crate::validate) fn is(&self, ns: Option<&str>, local: &str) -> bool {
        self.local() == local && self.ns() == ns
    }

    /// Position of the `<` of the start tag.
    pub(in crate::validate) fn pos(&self) -> (usize, usize) {
        self.doc.lines.pos(self.el.start as usize)
    }

    /// Attributes except namespace declarations.
    pub(in crate::validate) fn attrs(&self) -> impl Iterator<Item = AttrRef<'d, 't>> + 'd {
        let (from, to) = self.el.attrs;
        let doc = self.doc;
        doc.attrs
            .get(from as usize..to as usize)
            .unwrap_or(&[])
            .iter()
            .map(move |a| AttrRef { doc, a })
    }

    /// Attribute without namespace.
    pub(in crate::validate) fn attr(&self, local: &str) -> Option<AttrRef<'d, 't>> {
        self.attrs()
            .find(|a| a.ns().is_none() && a.local() == local)
    }

    /// Attribute in namespace `ns`.
    pub(in crate::validate) fn attr_ns(&self, ns: &str, local: &str) -> Option<AttrRef<'d, 't>> {
        self.attrs()
            .find(|a| a.ns() == Some(ns) && a.local() == local)
    }

    /// Innermost `xml:base` in scope, resolved against outer bases.
    pub(in crate::validate) fn base(&self) -> Option<&'d str> {
        self.doc
            .scopes
            .get(self.el.scope as usize)
            .and_then(|s| s.base.as_deref())
    }

    /// Innermost `xml:lang` in scope.
    pub(in crate::validate) fn lang(&self) -> Option<&'d str> {
        self.doc
            .scopes
            .get(self.el.scope as usize)
            .and_then(|s| s.lang.as_deref())
    }

    /// The element's content as written in the source (references not
    /// expanded, child markup included): some rules judge how a text was
    /// escaped, not only what it says.
    pub(in crate::validate) fn raw_content(&self) -> &'t str {
        self.doc
            .text
            .get(self.el.content.0 as usize..self.el.content.1 as usize)
            .unwrap_or("")
    }

    /// True when the element has child elements.
    pub(in crate::validate) fn has_children(&self) -> bool {
        self.el.first_child != NONE
    }

    /// [`text`](Self::text) without leading and trailing whitespace, still
    /// borrowed when the text is.
    pub(in crate::validate) fn trimmed_text(&self) -> Cow<'t, str> {
        match self.text() {
            Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
            Cow::Owned(s) if s.trim().len() == s.len() => Cow::Owned(s),
            Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
        }
    }

    /// Concatenated direct character data (text and CDATA), unescaped;
    /// borrowed from the source when it is one run without references.
    pub(in crate::validate) fn text(&self) -> Cow<'t, str> {
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
pub(in crate::validate) struct AttrRef<'d, 't> {
    doc: &'d Document<'t>,
    a: &'d Attr<'t>,
}

impl<'d, 't> AttrRef<'d, 't> {
    /// Local part of the name.
    pub(in crate::validate) fn local(&self) -> &'t str {
        split_qname(self.a.qname).1
    }

    /// Namespace URI (`None` for unprefixed attributes).
    pub(in crate::validate) fn ns(&self) -> Option<&'d str> {
        self.doc.namespace(self.a.ns)
    }

    /// Value with references expanded.
    pub(in crate::validate) fn value(&self) -> &'d str {
        &self.a.value
    }

    /// Position of the attribute name.
    pub(in crate::validate) fn pos(&self) -> (usize, usize) {
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
    pub(in crate::validate) fn get(&self, id: usize) -> Option<Node<'_, 't>> {
        self.elements.get(id).map(|el| Node { doc: self, el })
    }

    /// Every element, in document order.
    pub(in crate::validate) fn nodes(&self) -> impl Iterator<Item = Node<'_, 't>> + '_ {
        self.elements.iter().map(move |el| Node { doc: self, el })
    }

    /// Child elements of `id`.
    pub(in crate::validate) fn children(
        &self,
        id: usize,
    ) -> impl Iterator<Item = (usize, Node<'_, 't>)> + '_ {
        let mut next = self.elements.get(id).map_or(NONE, |e| e.first_child);
        std::iter::from_fn(move || {
            let id = next as usize;
            let el = self.elements.get(id)?;
            next = el.next_sibling;
            Some((id, Node { doc: self, el }))
        })
    }

    /// Children of `id` named (`ns`, `local`).
    pub(in crate::validate) fn children_named<'s>(
        &'s self,
        id: usize,
        ns: Option<&'s str>,
        local: &'s str,
    ) -> impl Iterator<Item = (usize, Node<'s, 't>)> + 's {
        self.children(id).filter(move |(_, e)| e.is(ns, local))
    }

    /// First child of `id` named (`ns`, `local`).
    pub(in crate::validate) fn child(
        &self,
        id: usize,
        ns: Option<&str>,
        local: &str,
    ) -> Option<Node<'_, 't>> {
        self.children(id)
            .find(|(_, e)| e.is(ns, local))
            .map(|(_, e)| e)
    }

    /// All descendants of `id` in document order, iteratively.
    pub(in crate::validate) fn descendants(&self, id: usize) -> Vec<usize> {
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

    pub(super) fn namespace(&self, i: u32) -> Option<&str> {
        self.namespaces.get(i as usize).map(|s| &**s)
    }
}

pub(super) fn split_qname(q: &str) -> (Option<&str>, &str) {
    match q.split_once(':') {
        Some((p, l)) => (Some(p), l),
        None => (None, q),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::parse_str;
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let (doc, f) = parse_str("<a>\n<ü>é<b x='1'/></ü></a>");
        assert!(f.is_empty(), "{f:?}");
        let b = doc.nodes().find(|e| e.local() == "b").expect("b");
        assert_eq!(b.pos(), (2, 5));
        assert_eq!(b.attr("x").expect("x").pos(), (2, 8));
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
    fn an_element_stays_small() {
        // The tree is the part of check's memory that grows with the number
        // of elements; a feed of short items has one per ~50 input bytes.
        assert_eq!(std::mem::size_of::<Element>(), 44);
    }
}

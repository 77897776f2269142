//! XML layer: encoding detection, well-formedness, XML 1.0 character rules,
//! namespace resolution and a light element tree with positions.
//!
//! The format checkers need random access (e.g. "does the feed have an
//! author?") so the document is materialised into a flat arena of elements.
//! The arena is built with an explicit stack, and every later walk is a
//! linear scan or a fixed-depth lookup, so deeply nested hostile input cannot
//! overflow the call stack.

use super::report::Sink;
use super::CheckError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// The namespace bound to the reserved `xml` prefix.
pub(super) const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Maps byte offsets of the decoded text to 1-based (line, column), where
/// the column counts characters.
pub(super) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    // Offsets mostly arrive in increasing order; remembering the last answer
    // keeps long single-line (minified) documents linear instead of quadratic.
    last: (usize, usize, usize),
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text` (LF, CRLF and lone CR all end lines).
    pub(super) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if b.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            text,
            starts,
            last: (0, 1, 1),
        }
    }

    /// Position of byte `offset` (clamped and snapped back to a char boundary).
    pub(super) fn pos(&mut self, offset: usize) -> (usize, usize) {
        let mut off = offset.min(self.text.len());
        while off > 0 && !self.text.is_char_boundary(off) {
            off -= 1;
        }
        let line_idx = self.starts.partition_point(|&s| s <= off).saturating_sub(1);
        let line_start = self.starts.get(line_idx).copied().unwrap_or(0);
        let (last_off, last_line, last_col) = self.last;
        let col = if last_line == line_idx + 1 && last_off <= off && last_off >= line_start {
            last_col
                + self
                    .text
                    .get(last_off..off)
                    .map_or(0, |s| s.chars().count())
        } else {
            1 + self
                .text
                .get(line_start..off)
                .map_or(0, |s| s.chars().count())
        };
        self.last = (off, line_idx + 1, col);
        (line_idx + 1, col)
    }
}

/// An attribute with its resolved namespace and unescaped value.
#[derive(Debug, Clone)]
pub(super) struct Attr {
    /// Local part of the name.
    pub local: String,
    /// Namespace URI (`None` for unprefixed attributes, per Namespaces in XML).
    pub ns: Option<String>,
    /// Value with references expanded.
    pub value: String,
    /// Position of the attribute name.
    pub pos: (usize, usize),
}

/// One element of the tree.
#[derive(Debug, Clone)]
pub(super) struct Element {
    /// Prefix as written (for messages).
    pub prefix: Option<String>,
    /// Local name.
    pub local: String,
    /// Resolved namespace URI.
    pub ns: Option<String>,
    /// Attributes except namespace declarations.
    pub attrs: Vec<Attr>,
    /// Concatenated direct character data (text and CDATA), unescaped.
    pub text: String,
    /// Child element ids, in document order.
    pub children: Vec<usize>,
    /// Position of the `<` of the start tag.
    pub pos: (usize, usize),
    /// Innermost `xml:base` in scope, resolved against outer bases.
    pub base: Option<String>,
    /// Innermost `xml:lang` in scope.
    pub lang: Option<String>,
}

impl Element {
    /// True when the element has namespace `ns` and local name `local`.
    pub(super) fn is(&self, ns: Option<&str>, local: &str) -> bool {
        self.local == local && self.ns.as_deref() == ns
    }

    /// Attribute without namespace.
    pub(super) fn attr(&self, local: &str) -> Option<&Attr> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_none() && a.local == local)
    }

    /// Attribute in namespace `ns`.
    pub(super) fn attr_ns(&self, ns: &str, local: &str) -> Option<&Attr> {
        self.attrs
            .iter()
            .find(|a| a.ns.as_deref() == Some(ns) && a.local == local)
    }

    /// Name as written, for messages.
    pub(super) fn qname(&self) -> String {
        match &self.prefix {
            Some(p) => format!("{p}:{}", self.local),
            None => self.local.clone(),
        }
    }
}

/// The parsed document.
#[derive(Debug, Default)]
pub(super) struct Document {
    /// Arena of elements; ids are indices.
    pub elements: Vec<Element>,
    /// Root element id.
    pub root: Option<usize>,
    /// False if parsing stopped at a well-formedness error (the tree is then
    /// partial and the format rules are not applied).
    pub wellformed: bool,
}

impl Document {
    /// Element by id (ids come from this document, so this cannot fail for
    /// them; an unknown id yields `None`).
    pub(super) fn get(&self, id: usize) -> Option<&Element> {
        self.elements.get(id)
    }

    /// Child elements of `id`.
    pub(super) fn children(&self, id: usize) -> impl Iterator<Item = (usize, &Element)> + '_ {
        self.get(id)
            .map(|e| e.children.as_slice())
            .unwrap_or(&[])
            .iter()
            .filter_map(move |&c| self.get(c).map(|e| (c, e)))
    }

    /// Children of `id` named (`ns`, `local`).
    pub(super) fn children_named<'s>(
        &'s self,
        id: usize,
        ns: Option<&'s str>,
        local: &'s str,
    ) -> impl Iterator<Item = (usize, &'s Element)> + 's {
        self.children(id).filter(move |(_, e)| e.is(ns, local))
    }

    /// First child of `id` named (`ns`, `local`).
    pub(super) fn child(&self, id: usize, ns: Option<&str>, local: &str) -> Option<&Element> {
        self.children(id)
            .find(|(_, e)| e.is(ns, local))
            .map(|(_, e)| e)
    }

    /// All descendants of `id` (document order not guaranteed), iteratively.
    pub(super) fn descendants(&self, id: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self.get(id).map(|e| e.children.clone()).unwrap_or_default();
        while let Some(c) = stack.pop() {
            out.push(c);
            if let Some(e) = self.get(c) {
                stack.extend(e.children.iter().copied());
            }
        }
        out
    }
}

/// Is `c` a `Char` in the XML 1.0 (fifth edition) sense?
pub(super) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Reads the `encoding="..."` pseudo-attribute of an XML declaration at the
/// start of `head` (which must already be ASCII-compatible text).
fn declared_encoding(head: &str) -> Option<String> {
    let head = head.strip_prefix("<?xml")?;
    let end = head.find("?>")?;
    let decl = &head[..end];
    let i = decl.find("encoding")?;
    let rest = decl[i + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let val = &rest[1..];
    let close = val.find(quote)?;
    Some(val[..close].to_string())
}

fn is_utf8_label(l: &str) -> bool {
    l.eq_ignore_ascii_case("utf-8") || l.eq_ignore_ascii_case("utf8")
}

/// Decodes the raw bytes to text, reporting `xml.encoding.mismatch` when the
/// declared encoding contradicts the bytes. Rejects input that cannot be a
/// text document at all.
pub(super) fn decode(bytes: &[u8], sink: &mut Sink) -> Result<String, CheckError> {
    let not_xml = |message: &str| CheckError::NotXml {
        line: 1,
        column: 1,
        message: message.to_string(),
    };
    if bytes.is_empty() {
        return Err(not_xml("the input is empty"));
    }
    let utf16 = match bytes {
        [0xFF, 0xFE, ..] => Some((encoding_rs::UTF_16LE, 2)),
        [0xFE, 0xFF, ..] => Some((encoding_rs::UTF_16BE, 2)),
        [b'<', 0, b'?', 0, ..] => Some((encoding_rs::UTF_16LE, 0)),
        [0, b'<', 0, b'?', ..] => Some((encoding_rs::UTF_16BE, 0)),
        _ => None,
    };
    if let Some((enc, skip)) = utf16 {
        let (text, had_errors) = enc.decode_without_bom_handling(bytes.get(skip..).unwrap_or(&[]));
        let text = text.into_owned();
        if had_errors {
            sink.push(
                "xml.encoding.mismatch",
                1,
                1,
                "the byte order mark says UTF-16 but the bytes are not valid UTF-16".into(),
            );
        } else if let Some(label) = declared_encoding(&text) {
            if !label.to_ascii_lowercase().starts_with("utf-16") {
                sink.push(
                    "xml.encoding.mismatch",
                    1,
                    1,
                    format!("encoding=\"{label}\" is declared but the document is UTF-16"),
                );
            }
        }
        return Ok(text);
    }
    let (body, had_bom) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    // The declaration is ASCII by construction, so a lossy look is enough.
    let head = String::from_utf8_lossy(&body[..body.len().min(256)]);
    let label = declared_encoding(&head);
    let report_invalid_utf8 = |sink: &mut Sink, label: &str| -> String {
        match std::str::from_utf8(body) {
            Ok(s) => s.to_string(),
            Err(e) => {
                let valid = String::from_utf8_lossy(&body[..e.valid_up_to()]).into_owned();
                let mut idx = LineIndex::new(&valid);
                let (l, c) = idx.pos(valid.len());
                sink.push(
                    "xml.encoding.mismatch",
                    l,
                    c,
                    format!("the document is declared (or defaults to) {label} but contains bytes that are not valid UTF-8"),
                );
                String::from_utf8_lossy(body).into_owned()
            }
        }
    };
    match label {
        None => Ok(report_invalid_utf8(sink, "UTF-8")),
        Some(l) if is_utf8_label(&l) => Ok(report_invalid_utf8(sink, &l)),
        Some(l) => {
            if had_bom {
                sink.push(
                    "xml.encoding.mismatch",
                    1,
                    1,
                    format!("encoding=\"{l}\" is declared but the document starts with a UTF-8 byte order mark"),
                );
                return Ok(String::from_utf8_lossy(body).into_owned());
            }
            match encoding_rs::Encoding::for_label(l.as_bytes()) {
                Some(enc) if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE => {
                    sink.push(
                        "xml.encoding.mismatch",
                        1,
                        1,
                        format!("encoding=\"{l}\" is declared but the bytes are not UTF-16"),
                    );
                    Ok(String::from_utf8_lossy(body).into_owned())
                }
                Some(enc) => {
                    let (text, had_errors) = enc.decode_without_bom_handling(body);
                    if had_errors {
                        sink.push(
                            "xml.encoding.mismatch",
                            1,
                            1,
                            format!("the bytes are not valid {l}"),
                        );
                    }
                    Ok(text.into_owned())
                }
                None => {
                    sink.push(
                        "xml.encoding.mismatch",
                        1,
                        1,
                        format!("encoding=\"{l}\" is not a known character encoding"),
                    );
                    Ok(String::from_utf8_lossy(body).into_owned())
                }
            }
        }
    }
}

/// Reports characters outside the XML 1.0 `Char` production.
fn check_chars(text: &str, idx: &mut LineIndex<'_>, sink: &mut Sink) {
    for (off, c) in text.char_indices() {
        if !is_xml_char(c) {
            sink.at(
                "xml.char.invalid",
                idx.pos(off),
                format!("U+{:04X} is not allowed in XML 1.0", c as u32),
            );
        }
    }
}

/// Expands predefined entities and character references in `raw`, which
/// starts at byte `base` of the text. Character references to non-XML
/// characters are reported; unknown entities are well-formedness errors
/// unless a DOCTYPE might declare them. Returns the expanded text and
/// whether a fatal well-formedness error occurred.
fn unescape(
    raw: &str,
    base: usize,
    has_doctype: bool,
    idx: &mut LineIndex<'_>,
    sink: &mut Sink,
) -> (String, bool) {
    if !raw.contains('&') {
        return (raw.to_string(), false);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    let mut consumed = 0;
    let mut fatal = false;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let at = base + consumed + amp;
        let Some(semi) = after.find(';').filter(|&s| s <= 64) else {
            sink.at(
                "xml.wellformed",
                idx.pos(at),
                "'&' must start an entity or character reference (write &amp;)".into(),
            );
            fatal = true;
            out.push('&');
            consumed += amp + 1;
            rest = after;
            continue;
        };
        let name = &after[..semi];
        let expanded: Option<char> = match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if name.starts_with("#x") || name.starts_with('#') => {
                let num = if let Some(h) = name.strip_prefix("#x") {
                    u32::from_str_radix(h, 16).ok()
                } else {
                    name[1..].parse::<u32>().ok()
                };
                match num.and_then(char::from_u32).filter(|c| is_xml_char(*c)) {
                    Some(c) => Some(c),
                    None => {
                        sink.at(
                            "xml.char.invalid",
                            idx.pos(at),
                            format!("character reference &{name}; does not refer to an allowed XML 1.0 character"),
                        );
                        Some('\u{FFFD}')
                    }
                }
            }
            _ => {
                if !has_doctype {
                    sink.at(
                        "xml.wellformed",
                        idx.pos(at),
                        format!("undefined entity &{name}; (only amp, lt, gt, quot, apos are predefined)"),
                    );
                    fatal = true;
                }
                None
            }
        };
        match expanded {
            Some(c) => out.push(c),
            None => {
                out.push('&');
                out.push_str(name);
                out.push(';');
            }
        }
        consumed += amp + 1 + semi + 1;
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    (out, fatal)
}

/// Finds the byte offset of attribute `name` inside the raw tag text.
fn find_attr_offset(tag: &str, name: &str) -> Option<usize> {
    let b = tag.as_bytes();
    tag.match_indices(name).map(|(i, _)| i).find(|&i| {
        let before_ok = i > 0 && b.get(i - 1).is_some_and(u8::is_ascii_whitespace);
        let after = tag.get(i + name.len()..).unwrap_or("").trim_start();
        before_ok && after.starts_with('=')
    })
}

fn split_qname(q: &str) -> (Option<&str>, &str) {
    match q.split_once(':') {
        Some((p, l)) => (Some(p), l),
        None => (None, q),
    }
}

fn lookup<'b>(bindings: &'b [(String, String)], prefix: &str) -> Option<&'b str> {
    bindings
        .iter()
        .rev()
        .find(|(p, _)| p == prefix)
        .map(|(_, u)| u.as_str())
}

/// Resolves `reference` against `base` when `base` is absolute.
pub(super) fn resolve_url(base: Option<&str>, reference: &str) -> Option<String> {
    if let Ok(u) = url::Url::parse(reference) {
        return Some(u.to_string());
    }
    let b = url::Url::parse(base?).ok()?;
    b.join(reference).ok().map(|u| u.to_string())
}

struct Builder<'t, 'i> {
    text: &'t str,
    idx: &'i mut LineIndex<'t>,
    doc: Document,
    stack: Vec<(usize, usize)>, // (element id, bindings length before it)
    bindings: Vec<(String, String)>,
    has_doctype: bool,
}

impl Builder<'_, '_> {
    fn start(&mut self, e: &BytesStart<'_>, start: usize, end: usize, sink: &mut Sink) -> bool {
        let pos = self.idx.pos(start);
        let tag = self.text.get(start..end).unwrap_or("");
        let qname = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        let mark = self.bindings.len();
        let mut raw_attrs: Vec<(String, String, (usize, usize))> = Vec::new();
        let mut fatal = false;
        for a in e.attributes() {
            match a {
                Ok(a) => {
                    let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                    let raw_val = String::from_utf8_lossy(&a.value).into_owned();
                    let aoff = find_attr_offset(tag, &key).map_or(start, |o| start + o);
                    let voff = tag
                        .get(aoff.saturating_sub(start)..)
                        .and_then(|t| t.find(['"', '\'']))
                        .map_or(aoff, |q| aoff + q + 1);
                    let (value, f) = unescape(&raw_val, voff, self.has_doctype, self.idx, sink);
                    fatal |= f;
                    // Checked on the raw text: an escaped &lt; is fine.
                    if raw_val.contains('<') {
                        sink.at(
                            "xml.wellformed",
                            self.idx.pos(aoff),
                            format!("attribute {key} contains '<' (write &lt;)"),
                        );
                        fatal = true;
                    }
                    let apos = self.idx.pos(aoff);
                    if key == "xmlns" {
                        self.bindings.push((String::new(), value));
                    } else if let Some(p) = key.strip_prefix("xmlns:") {
                        self.bindings.push((p.to_string(), value));
                    } else {
                        raw_attrs.push((key, value, apos));
                    }
                }
                Err(err) => {
                    sink.at(
                        "xml.wellformed",
                        pos,
                        format!("malformed attributes in <{qname}>: {err}"),
                    );
                    return false;
                }
            }
        }
        let (prefix, local) = split_qname(&qname);
        let ns = match prefix {
            None => lookup(&self.bindings, "")
                .filter(|u| !u.is_empty())
                .map(str::to_string),
            Some("xml") => Some(XML_NS.to_string()),
            Some(p) => match lookup(&self.bindings, p).filter(|u| !u.is_empty()) {
                Some(u) => Some(u.to_string()),
                None => {
                    sink.at(
                        "xml.namespace.undeclared",
                        pos,
                        format!("element prefix '{p}' in <{qname}> is not declared"),
                    );
                    None
                }
            },
        };
        let parent = self.stack.last().map(|&(id, _)| id);
        let parent_el = parent.and_then(|p| self.doc.elements.get(p));
        let mut base = parent_el.and_then(|p| p.base.clone());
        let mut lang = parent_el.and_then(|p| p.lang.clone());
        let mut attrs = Vec::with_capacity(raw_attrs.len());
        for (key, value, apos) in raw_attrs {
            let (ap, al) = split_qname(&key);
            let ans = match ap {
                None => None,
                Some("xml") => Some(XML_NS.to_string()),
                Some(p) => match lookup(&self.bindings, p).filter(|u| !u.is_empty()) {
                    Some(u) => Some(u.to_string()),
                    None => {
                        sink.at(
                            "xml.namespace.undeclared",
                            apos,
                            format!("attribute prefix '{p}' in {key} is not declared"),
                        );
                        None
                    }
                },
            };
            if ans.as_deref() == Some(XML_NS) {
                match al {
                    "base" => {
                        base = resolve_url(base.as_deref(), value.trim()).or(Some(value.clone()))
                    }
                    "lang" => lang = Some(value.clone()),
                    _ => {}
                }
            }
            attrs.push(Attr {
                local: al.to_string(),
                ns: ans,
                value,
                pos: apos,
            });
        }
        let id = self.doc.elements.len();
        self.doc.elements.push(Element {
            prefix: prefix.map(str::to_string),
            local: local.to_string(),
            ns,
            attrs,
            text: String::new(),
            children: Vec::new(),
            pos,
            base,
            lang,
        });
        match parent {
            Some(p) => {
                if let Some(pe) = self.doc.elements.get_mut(p) {
                    pe.children.push(id);
                }
            }
            None => {
                if self.doc.root.is_some() {
                    sink.at(
                        "xml.wellformed",
                        pos,
                        format!("<{qname}> is a second root element; a document has exactly one"),
                    );
                    return false;
                }
                self.doc.root = Some(id);
            }
        }
        self.stack.push((id, mark));
        !fatal
    }

    fn end(&mut self) {
        if let Some((_, mark)) = self.stack.pop() {
            self.bindings.truncate(mark);
        }
    }

    fn text(&mut self, raw: &str, start: usize, cdata: bool, sink: &mut Sink) -> bool {
        let Some(&(cur, _)) = self.stack.last() else {
            if !raw.trim().is_empty() {
                let lead = raw.len() - raw.trim_start().len();
                sink.at(
                    "xml.wellformed",
                    self.idx.pos(start + lead),
                    "character data outside the root element".into(),
                );
                return false;
            }
            return true;
        };
        let (value, fatal) = if cdata {
            (raw.to_string(), false)
        } else {
            unescape(raw, start, self.has_doctype, self.idx, sink)
        };
        if let Some(el) = self.doc.elements.get_mut(cur) {
            el.text.push_str(&value);
        }
        !fatal
    }
}

/// Parses decoded text into a [`Document`], reporting XML-level findings.
pub(super) fn parse(text: &str, sink: &mut Sink) -> Document {
    let mut idx = LineIndex::new(text);
    check_chars(text, &mut idx, sink);
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
        idx: &mut idx,
        doc: Document::default(),
        stack: Vec::new(),
        bindings: Vec::new(),
        has_doctype: false,
    };
    let mut ok = true;
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let ev = reader.read_event();
        let end = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let step_ok = match ev {
            Err(err) => {
                let off = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                let p = b.idx.pos(off);
                sink.at("xml.wellformed", p, err.to_string());
                false
            }
            Ok(Event::Eof) => {
                if let Some(&(open, _)) = b.stack.last() {
                    let name = b.doc.get(open).map(Element::qname).unwrap_or_default();
                    let p = b.idx.pos(text.len());
                    sink.at(
                        "xml.wellformed",
                        p,
                        format!("document ends before <{name}> is closed"),
                    );
                    ok = false;
                } else if b.doc.root.is_none() {
                    let p = b.idx.pos(text.len());
                    sink.at("xml.wellformed", p, "no root element".into());
                    ok = false;
                }
                break;
            }
            Ok(Event::Start(e)) => b.start(&e, start, end, sink),
            Ok(Event::Empty(e)) => {
                let r = b.start(&e, start, end, sink);
                b.end();
                r
            }
            Ok(Event::End(_)) => {
                b.end();
                true
            }
            Ok(Event::Text(t)) => {
                let raw = String::from_utf8_lossy(&t).into_owned();
                b.text(&raw, start, false, sink)
            }
            // quick-xml reports `&name;` apart from the text around it; put it back so
            // `unescape` checks and resolves it like any other reference.
            Ok(Event::GeneralRef(r)) => {
                let raw = format!("&{};", String::from_utf8_lossy(&r));
                b.text(&raw, start, false, sink)
            }
            Ok(Event::CData(t)) => {
                let raw = String::from_utf8_lossy(&t).into_owned();
                b.text(&raw, start, true, sink)
            }
            Ok(Event::DocType(_)) => {
                b.has_doctype = true;
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

    fn parse_str(s: &str) -> (Document, Vec<crate::validate::Finding>) {
        let mut sink = Sink::default();
        let doc = parse(s, &mut sink);
        (doc, sink.into_sorted())
    }

    #[test]
    fn xml_chars() {
        assert!(is_xml_char('a'));
        assert!(is_xml_char('\t'));
        assert!(is_xml_char('\u{10FFFF}'));
        assert!(!is_xml_char('\u{1}'));
        assert!(!is_xml_char('\u{FFFE}'));
        assert!(!is_xml_char('\u{0}'));
    }

    #[test]
    fn char_reference_to_control_char_is_reported() {
        let (_, f) = parse_str("<a>\n  x&#1;y</a>");
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].code, f[0].line, f[0].column),
            ("xml.char.invalid", 2, 4)
        );
    }

    #[test]
    fn raw_control_char_is_reported() {
        let (_, f) = parse_str("<a>\u{7}</a>");
        assert_eq!(
            (f[0].code, f[0].line, f[0].column),
            ("xml.char.invalid", 1, 4)
        );
    }

    #[test]
    fn line_and_column_count_characters() {
        let (doc, f) = parse_str("<a>\n<ü>é<b x='1'/></ü></a>");
        assert!(f.is_empty(), "{f:?}");
        let b = doc.elements.iter().find(|e| e.local == "b").expect("b");
        assert_eq!(b.pos, (2, 5));
        assert_eq!(b.attrs[0].pos, (2, 8));
    }

    #[test]
    fn escaped_lt_in_attribute_is_fine() {
        let (doc, f) = parse_str("<a t='1 &lt; 2'/>");
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(doc.elements[0].attrs[0].value, "1 < 2");
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
        assert_eq!(doc.elements[0].ns.as_deref(), Some("urn:x"));
        assert_eq!(doc.elements[1].ns.as_deref(), Some("urn:p"));
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
}

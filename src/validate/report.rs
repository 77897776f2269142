//! Findings, the rule catalogue and the collector the checkers write into.
//!
//! Severity lives in the catalogue rather than at each call site so that a
//! code can never be reported with a severity that contradicts its
//! documentation (`docs/CHECK_RULES.md` and [`rules`](super::rules)).

use serde::Serialize;
use std::fmt;

/// How serious a finding is: errors make a feed invalid, warnings are advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The document violates a specification requirement.
    Error,
    /// The document is valid but likely to misbehave in some readers.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem found in a document, positioned at the offending node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Error or warning (the severity documented for `code`).
    pub severity: Severity,
    /// Stable dotted rule code, e.g. `rss.date.format`.
    pub code: &'static str,
    /// Human-readable explanation naming the offending value.
    pub message: String,
    /// 1-based line of the offending element, attribute or character.
    pub line: usize,
    /// 1-based column, counted in characters (not bytes).
    pub column: usize,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}: {}",
            self.line, self.column, self.severity, self.code, self.message
        )
    }
}

/// The syndication format a document was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// RSS 2.0 (`<rss>` root).
    Rss,
    /// Atom 1.0 (`<feed xmlns="http://www.w3.org/2005/Atom">` root).
    Atom,
    /// JSON Feed 1.x.
    JsonFeed,
    /// IPTC ninjs 3.x objects, as JSON Lines (or one object).
    Ninjs,
    /// A Yandex news feed: RSS 2.0 with elements in the `http://news.yandex.ru` namespace.
    Yandex,
    /// A sitemap (`urlset` or `sitemapindex` in the sitemaps.org 0.9 namespace), such as a
    /// Google News sitemap.
    Sitemap,
}

/// The result of checking one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The recognised format; `None` when the root could not be classified.
    pub kind: Option<DocumentKind>,
    /// Findings sorted by (line, column, code).
    pub findings: Vec<Finding>,
}

impl Report {
    /// Number of error findings.
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    /// Number of warning findings.
    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count()
    }

    /// True when there is no finding at all (not even a warning).
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// A documented rule: its code, severity and a one-line summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable dotted code.
    pub code: &'static str,
    /// Severity every finding with this code carries.
    pub severity: Severity,
    /// What the rule checks.
    pub summary: &'static str,
}

const fn e(code: &'static str, summary: &'static str) -> Rule {
    Rule {
        code,
        severity: Severity::Error,
        summary,
    }
}

const fn w(code: &'static str, summary: &'static str) -> Rule {
    Rule {
        code,
        severity: Severity::Warning,
        summary,
    }
}

/// The catalogue; keep in sync with docs/CHECK_RULES.md (a test enforces
/// that every code here has a fixture).
pub(crate) static RULES: &[Rule] = &[
    e("xml.wellformed", "document must be well-formed XML 1.0"),
    e(
        "xml.encoding.mismatch",
        "declared encoding must match the actual bytes",
    ),
    e(
        "xml.char.invalid",
        "characters (also via character references) must be allowed XML 1.0 Chars",
    ),
    e(
        "xml.namespace.undeclared",
        "every element/attribute prefix must be declared",
    ),
    e(
        "xml.stylesheet",
        "<?xml-stylesheet?> must be in the prolog with type text/xsl or text/css and an href that is not javascript:, data:, vbscript: or file:",
    ),
    w(
        "websub.hub.relative",
        "a WebSub hub link (rel=\"hub\", JSON Feed hubs[].url) should be an absolute http(s) URL; an error with CheckOptions::publishing",
    ),
    w(
        "xml.stylesheet.href",
        "the <?xml-stylesheet?> href should be an absolute http(s) URL; an error with CheckOptions::publishing",
    ),
    e("xml.version", "the XML declaration must say version 1.0"),
    e(
        "dc.date",
        "Dublin Core dates (dc:date, dcterms:created/issued/modified/date) must be W3C-DTF",
    ),
    e(
        "feed.kind.unknown",
        "root element must be RSS 2.0 <rss>, Atom <feed> or a sitemap <urlset>/<sitemapindex>",
    ),
    e("rss.version", "<rss> must carry version=\"2.0\""),
    e(
        "rss.channel.required",
        "<channel> and its <title>, <link>, <description> are required",
    ),
    e(
        "rss.item.title-or-description",
        "an <item> needs a <title> or a <description>",
    ),
    e(
        "rss.date.format",
        "pubDate/lastBuildDate must be RFC 822 dates with a valid zone",
    ),
    e(
        "rss.date.dayname",
        "the day name of an RFC 822 date must match the date",
    ),
    e(
        "rss.guid.permalink",
        "a permalink <guid> (the default) must be an absolute URL",
    ),
    e(
        "rss.guid.duplicate",
        "<guid> values must be unique within the channel",
    ),
    e(
        "rss.url.relative",
        "link, comments, enclosure/source/image URLs must be absolute",
    ),
    e("rss.source.url", "<source> requires a url attribute"),
    e(
        "rss.author.email",
        "<author> must contain an e-mail address",
    ),
    w(
        "rss.self.missing",
        "channel should have <atom:link rel=\"self\">",
    ),
    w(
        "rss.self.type",
        "the self link should have type=\"application/rss+xml\"",
    ),
    e("rss.language", "<language> must be a valid language tag"),
    e("rss.ttl", "<ttl> must be a non-negative integer"),
    e("rss.skiphours", "<skipHours><hour> must be 0-23"),
    e(
        "rss.skipdays",
        "<skipDays><day> must be an English day name",
    ),
    w(
        "rss.content.empty",
        "<content:encoded> is present but empty",
    ),
    w(
        "rss.namespace.unknown",
        "element from a namespace readers are unlikely to understand",
    ),
    e(
        "rss.enclosure.required",
        "<enclosure> needs url, integer length and type",
    ),
    e(
        "rss.element.undefined",
        "an element in no namespace must be one RSS 2.0 defines where it stands",
    ),
    e(
        "rss.image.required",
        "<image> needs url, title and link; width 1-144, height 1-400",
    ),
    e(
        "rss.textinput.required",
        "<textInput> needs title, description, name and link",
    ),
    e(
        "rss.cloud.required",
        "<cloud> needs domain, port, path, registerProcedure and protocol",
    ),
    e(
        "rss.element.duplicate",
        "a non-repeatable RSS element appears twice in its parent",
    ),
    e(
        "rss.attribute.unexpected",
        "an RSS element carries an attribute in no namespace that RSS 2.0 does not define",
    ),
    e(
        "rss.text.unexpected",
        "character data directly in rss, channel, item, image, textInput, skipHours or skipDays",
    ),
    w(
        "rss.title.html",
        "an RSS title holds markup or HTML references not escaped the RSS Profile's way",
    ),
    e(
        "url.chars",
        "a URL holds a character no URI may (RSS: also any non-ASCII character)",
    ),
    e(
        "mime.type",
        "enclosure, link, media:content and attachment types must be type/subtype",
    ),
    e(
        "media.value",
        "Media RSS values come from the spec's vocabularies (credit role, text type, hash, rating, play time, restriction, expression)",
    ),
    e(
        "media.group",
        "a media:group holds two or more media:content alternatives",
    ),
    e(
        "media.content",
        "media:content needs an absolute http(s) url (or a player), numeric sizes and a known medium",
    ),
    e("atom.id.missing", "feed and entry require <id>"),
    e("atom.id.relative", "<id> must be an absolute IRI"),
    e(
        "atom.id.syntax",
        "a tag: or urn: <id> follows its RFC (4151; 8141, 4122 for urn:uuid:)",
    ),
    e("atom.id.duplicate", "entry ids must be unique"),
    e("atom.updated.missing", "feed and entry require <updated>"),
    e(
        "atom.date.format",
        "updated/published must be RFC 3339 date-times",
    ),
    e(
        "atom.author.missing",
        "entry needs an author unless the feed or its source has one",
    ),
    e("atom.author.name", "<author> requires <name>"),
    e("atom.title.missing", "feed and entry require <title>"),
    e(
        "atom.entry.link-or-content",
        "entry needs <content> or an alternate <link>",
    ),
    e(
        "atom.link.alternate-duplicate",
        "at most one alternate link per (type, hreflang)",
    ),
    e("atom.link.href", "<link> requires href"),
    e(
        "atom.link.length",
        "<link length> must be a non-negative integer",
    ),
    w(
        "atom.link.enclosure-length",
        "an enclosure <link> should have a length",
    ),
    w("atom.self.missing", "feed should have <link rel=\"self\">"),
    e(
        "atom.tombstone.ref",
        "<at:deleted-entry> needs a ref that is an absolute IRI",
    ),
    e(
        "atom.tombstone.when",
        "<at:deleted-entry> needs a when that is an RFC 3339 date-time",
    ),
    w(
        "atom.tombstone.live",
        "a tombstone and an entry with the same id",
    ),
    e(
        "atom.content.src-not-empty",
        "<content src=...> must be empty",
    ),
    e(
        "atom.type.invalid",
        "text construct type must be text|html|xhtml; content also a MIME type",
    ),
    e("atom.lang.invalid", "xml:lang must be a valid language tag"),
    e(
        "atom.element.undefined",
        "an Atom element must be one RFC 4287 defines where it stands",
    ),
    e(
        "atom.content.xhtml-div",
        "type=\"xhtml\" content must be exactly one XHTML div",
    ),
    e(
        "atom.summary.required",
        "an entry with content src or non-text content needs a summary",
    ),
    e(
        "atom.metadata.misplaced",
        "feed metadata must come before the first entry",
    ),
    e("atom.link.hreflang", "hreflang must be a language tag"),
    e(
        "atom.element.duplicate",
        "a non-repeatable Atom element appears twice in its parent",
    ),
    e(
        "atom.attribute.unexpected",
        "an Atom element carries an attribute in no namespace that RFC 4287 does not define",
    ),
    e(
        "atom.text.unexpected",
        "character data directly in feed, entry, source, author or contributor",
    ),
    e("atom.category.term", "<category> requires a term"),
    e(
        "atom.whitespace",
        "id, updated, published, icon and logo hold their value with no white space around it",
    ),
    e(
        "atom.content.base64",
        "content of a non-text, non-XML media type must be Base64",
    ),
    e(
        "atom.link.thr-when",
        "thr:when is not part of RFC 4685 (use thr:updated)",
    ),
    e("atom.person.email", "<email> must be an e-mail address"),
    w(
        "html.url.relative",
        "relative href/src in escaped HTML without xml:base in scope",
    ),
    w(
        "html.script",
        "active content (<script>, <iframe>, <object>, <form>, <style>, on* handlers ...) inside HTML content; an error with CheckOptions::publishing",
    ),
    e(
        "url.scheme",
        "links in the feed must be http(s); ids must not use javascript:, data:, vbscript: or file:",
    ),
    e(
        "html.url.scheme",
        "no javascript:, data:, vbscript: or file: URLs in HTML content attributes",
    ),
    w("date.future", "date lies in the future"),
    w(
        "feed.updated.stale",
        "feed updated/lastBuildDate is older than its newest entry",
    ),
    w("feed.lang.missing", "no language declared for the feed"),
    e(
        "feed.history",
        "RFC 5005 links agree: a complete feed pages nowhere, the first/last page has no previous/next",
    ),
    e(
        "json.syntax",
        "JSON Feed must be syntactically valid JSON with an object at the top",
    ),
    e(
        "json.version",
        "version must be a https://jsonfeed.org/version/ URL",
    ),
    e("json.required", "title and items are required"),
    e("json.item.id", "each item needs a string id"),
    e(
        "json.item.content",
        "each item needs content_html or content_text",
    ),
    e(
        "json.attachment",
        "attachments need url and mime_type; size and duration are numbers",
    ),
    e(
        "ninjs.json",
        "each line of a ninjs document is one JSON object (JSON Lines)",
    ),
    e("ninjs.uri", "an object needs a uri that is an absolute URI"),
    e(
        "ninjs.uri.duplicate",
        "the uri of a live object (not canceled) appears once",
    ),
    e(
        "ninjs.property",
        "only the properties ninjs 3.3 defines, each of its JSON type",
    ),
    e("ninjs.type", "type is a ninjs news object type"),
    e("ninjs.pubstatus", "pubStatus is usable, withheld or canceled"),
    e("ninjs.date", "ninjs date-time properties are RFC 3339 date-times"),
    e("ninjs.language", "language is a BCP 47 language tag"),
    e(
        "ninjs.headline",
        "a headline has a string value and a media type as contentType",
    ),
    e(
        "ninjs.description",
        "a description has a string value and a media type as contentType",
    ),
    e(
        "ninjs.body",
        "a body has a string value, a media type as contentType and integer counts",
    ),
    e(
        "ninjs.rendition",
        "a rendition has a name, an absolute href, positive integer width/height, a byte count and a media type",
    ),
    e(
        "ninjs.association",
        "an association is a ninjs object with a name",
    ),
    e(
        "yandex.full-text.missing",
        "each item of a Yandex feed needs a non-empty <yandex:full-text>",
    ),
    e(
        "yandex.full-text.boilerplate",
        "<yandex:full-text> must not start with the wire dateline (CITY, DATE /AGENCY/.) nor hold a photo credit line",
    ),
    e(
        "yandex.genre",
        "each item of a Yandex feed needs <yandex:genre> message, article, interview or lenta",
    ),
    w("yandex.size", "a Yandex feed should stay under 10 MB"),
    e(
        "yandex.enclosure",
        "a Yandex feed's <enclosure> needs length > 0 and an image, video or audio type",
    ),
    e(
        "sitemap.shape",
        "urlset holds url, sitemapindex holds sitemap, each with the schema's children (changefreq, priority values)",
    ),
    e(
        "sitemap.loc",
        "each url/sitemap needs exactly one <loc>: an absolute http(s) URL of 12 to 2,048 characters",
    ),
    e(
        "sitemap.date",
        "lastmod and news:publication_date must be W3C datetimes",
    ),
    e(
        "sitemap.limit",
        "at most 50,000 URLs and 1,000 news:news per sitemap file",
    ),
    e("sitemap.news.count", "at most one <news:news> per <url>"),
    e(
        "sitemap.news.required",
        "news:news needs one news:publication (news:name, news:language), news:publication_date and news:title",
    ),
    e(
        "sitemap.news.language",
        "news:language must be an ISO 639 code: [a-z]{2,3}, zh-cn or zh-tw",
    ),
];

/// Warnings that are errors when the document is about to be published
/// (`CheckOptions::publishing`): advice to someone checking a feed, but a
/// publisher must not ship them.
const ERRORS_WHEN_PUBLISHING: &[&str] =
    &["html.script", "xml.stylesheet.href", "websub.hub.relative"];

/// Collects findings, positioned and with catalogue severities.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub(crate) findings: Vec<Finding>,
    /// Report [`ERRORS_WHEN_PUBLISHING`] as errors.
    publishing: bool,
}

/// Cap per code, so hostile input (e.g. binary junk) cannot produce
/// gigabytes of output.
const MAX_PER_CODE: usize = 100;

impl Sink {
    /// A sink for a document that is (`publishing`) or is not about to be
    /// published.
    pub(crate) fn new(publishing: bool) -> Self {
        Sink {
            findings: Vec::new(),
            publishing,
        }
    }

    /// Records a finding; the severity comes from the catalogue (raised to
    /// an error for [`ERRORS_WHEN_PUBLISHING`] when publishing).
    pub(crate) fn push(&mut self, code: &'static str, line: usize, column: usize, message: String) {
        let severity = if self.publishing && ERRORS_WHEN_PUBLISHING.contains(&code) {
            Severity::Error
        } else {
            RULES
                .iter()
                .find(|r| r.code == code)
                .map(|r| r.severity)
                .unwrap_or(Severity::Error)
        };
        debug_assert!(
            RULES.iter().any(|r| r.code == code),
            "undocumented code {code}"
        );
        if self.findings.iter().filter(|f| f.code == code).count() >= MAX_PER_CODE {
            return;
        }
        self.findings.push(Finding {
            severity,
            code,
            message,
            line,
            column,
        });
    }

    /// Convenience for `(line, column)` pairs.
    pub(crate) fn at(&mut self, code: &'static str, pos: (usize, usize), message: String) {
        self.push(code, pos.0, pos.1, message);
    }

    pub(crate) fn into_sorted(mut self) -> Vec<Finding> {
        self.findings
            .sort_by(|a, b| (a.line, a.column, a.code).cmp(&(b.line, b.column, b.code)));
        self.findings
    }
}

//! The HTML body of an entry: paragraphs, credit and related list.
//!
//! Every piece of story text is escaped here and only here, so markup-like text in a story
//! (`<script>`, `&`, `]]>`) is always published as text. The feed crates then escape this HTML
//! once more as element text, which is what `content:encoded` and `type="html"` expect.

use std::fmt::Write;

use quick_xml::escape::escape;

use crate::article::Article;
use crate::feed::RelatedLink;

/// Label of the related list and of the credit, in the story's language.
fn labels(lang: &str) -> (&'static str, &'static str) {
    match lang.split('-').next().unwrap_or(lang) {
        "tg" => ("Хабарҳои марбут", "Акс"),
        "en" => ("Related stories", "Photo"),
        _ => ("Читайте также", "Фото"),
    }
}

/// The full HTML content of a story.
pub fn content(article: &Article, related: &[RelatedLink]) -> String {
    let (related_label, credit_label) = labels(&article.lang);
    let mut html = String::with_capacity(
        article
            .paragraphs
            .iter()
            .map(|p| p.len() + 8)
            .sum::<usize>()
            + 256,
    );
    for p in &article.paragraphs {
        // write! to a String cannot fail.
        let _ = write!(html, "<p>{}</p>", escape(p.as_str()));
    }
    if let Some(credit) = &article.credit {
        let _ = write!(
            html,
            "<p class=\"credit\">{credit_label}: {}</p>",
            escape(credit.as_str())
        );
    }
    if !related.is_empty() {
        let _ = write!(html, "<h3>{related_label}</h3><ul class=\"related\">");
        for r in related {
            match &r.url {
                Some(url) => {
                    let _ = write!(
                        html,
                        "<li><a href=\"{}\">{}</a></li>",
                        escape(url.as_str()),
                        escape(r.title.as_str())
                    );
                }
                None => {
                    let _ = write!(html, "<li>{}</li>", escape(r.title.as_str()));
                }
            }
        }
        html.push_str("</ul>");
    }
    html
}

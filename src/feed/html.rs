//! The HTML body of an entry: paragraphs, credit and related list.
//!
//! Every piece of story text is escaped here and only here, so markup-like text in a story
//! (`<script>`, `&`, `]]>`) is always published as text. The feed crates then escape this HTML
//! once more as element text, which is what `content:encoded` and `type="html"` expect.

use std::borrow::Cow;
use std::fmt::Write;

use quick_xml::escape::escape;

use crate::article::Article;
use crate::feed::{Photo, RelatedLink};

/// A plain-text title as HTML, for where readers render a title as HTML (RSS `title`, Atom
/// `type="html"`): `&` and `<` become the hexadecimal references the RSS Best Practices
/// Profile names (`&#x26;`, `&#x3C;`), so a headline such as `Обновление <script> и A&B` shows
/// as that text and never as markup. A title without either is returned as it is.
pub fn title_html(title: &str) -> Cow<'_, str> {
    if !title.contains(['&', '<']) {
        return Cow::Borrowed(title);
    }
    let mut out = String::with_capacity(title.len() + 16);
    for c in title.chars() {
        match c {
            '&' => out.push_str("&#x26;"),
            '<' => out.push_str("&#x3C;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Label of the related list and of the credit, in the story's language.
fn labels(lang: &str) -> (&'static str, &'static str) {
    match lang.split('-').next().unwrap_or(lang) {
        "tg" => ("Хабарҳои марбут", "Акс"),
        "en" => ("Related stories", "Photo"),
        _ => ("Читайте также", "Фото"),
    }
}

/// The full HTML content of a story: its photo first, when it has one.
pub fn content(article: &Article, related: &[RelatedLink], photo: Option<&Photo>) -> String {
    let (related_label, credit_label) = labels(&article.lang);
    let mut html = String::with_capacity(
        article
            .paragraphs
            .iter()
            .map(|p| p.len() + 8)
            .sum::<usize>()
            + 256,
    );
    if let Some(photo) = photo {
        figure(&mut html, article, photo, credit_label);
    }
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

/// `<figure><img src alt width height><figcaption>caption — credit</figcaption></figure>`.
fn figure(html: &mut String, article: &Article, photo: &Photo, credit_label: &str) {
    let alt = photo.caption.as_deref().unwrap_or(&article.title);
    let _ = write!(
        html,
        "<figure><img src=\"{}\" alt=\"{}\"",
        escape(photo.url.as_str()),
        escape(alt)
    );
    if let (Some(w), Some(h)) = (photo.width, photo.height) {
        let _ = write!(html, " width=\"{w}\" height=\"{h}\"");
    }
    html.push('>');
    let caption = photo.caption.as_deref().map(|c| escape(c).into_owned());
    let credit = article
        .credit
        .as_deref()
        .map(|c| format!("{credit_label}: {}", escape(c)));
    let text: Vec<String> = caption.into_iter().chain(credit).collect();
    if !text.is_empty() {
        let _ = write!(html, "<figcaption>{}</figcaption>", text.join(" — "));
    }
    html.push_str("</figure>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::{parse, ParseOptions};

    #[test]
    fn a_photo_opens_the_content_with_its_figure() {
        let text = "Заголовок\nДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/. Текст.\nФОТО: Автор <b>\n";
        let a = parse(
            text.as_bytes(),
            "a.txt".as_ref(),
            "a.txt",
            &ParseOptions::default(),
        )
        .unwrap()
        .article;
        let photo = Photo {
            url: url::Url::parse("https://e.org/media/a.jpg?x=1&y=2").unwrap(),
            mime: Some("image/jpeg"),
            length: Some(10),
            width: Some(800),
            height: Some(600),
            caption: Some("Подпись <script>".into()),
        };
        let html = content(&a, &[], Some(&photo));
        assert!(
            html.starts_with(
                "<figure><img src=\"https://e.org/media/a.jpg?x=1&amp;y=2\" alt=\"Подпись &lt;script&gt;\" width=\"800\" height=\"600\">\
                 <figcaption>Подпись &lt;script&gt; — Фото: Автор &lt;b&gt;</figcaption></figure><p>"
            ),
            "{html}"
        );
        assert!(!content(&a, &[], None).contains("<figure>"));
    }
}

//! The rule for every URL wirefeed publishes, applied to the URL settings: an absolute
//! `http`/`https` URL with a host, no `user:password@`, on the site's host or one of the
//! configured `link_hosts`, written without white space or control characters.
//!
//! Feed readers follow these URLs and put them into `href`s; a `javascript:` or `data:` URL there
//! is script in a subscriber's reader, and a URL on a stranger's host is a link the desk never
//! meant to publish.

use url::Url;

use super::ConfigError;

/// Refuses white space and control characters anywhere in a URL setting. The URL parser would
/// silently strip leading spaces and drop tabs and newlines (WHATWG rules), so what is published
/// would differ from what was written, and such text is how script URLs sneak past filters.
pub(crate) fn plain_url_text(key: &'static str, value: &str) -> Result<(), ConfigError> {
    match value.chars().find(|c| c.is_whitespace() || c.is_control()) {
        Some(c) => Err(ConfigError::Invalid {
            key,
            value: value.escape_debug().to_string(),
            problem: format!(
                "contains {} ({c:?}); write the URL without spaces, tabs or line breaks (percent-encode a space as %20)",
                if c.is_whitespace() { "white space" } else { "a control character" }
            ),
        }),
        None => Ok(()),
    }
}

/// The rule for every URL wirefeed publishes: absolute `http`/`https` with a host and no
/// `user:password@`.
pub(crate) fn web_url_problem(url: &Url) -> Option<String> {
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        Some(format!(
            "resolves to `{url}`; only http:// or https:// URLs with a host are published"
        ))
    } else if !url.username().is_empty() || url.password().is_some() {
        Some("contains a user name or password (`user:password@`); they would be published in every feed".into())
    } else {
        None
    }
}

/// Whether `url` is on the site's host or one of the configured `link_hosts`.
pub(crate) fn on_allowed_host(url: &Url, site: &Url, link_hosts: &[String]) -> bool {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    Some(host.as_str()) == site.host_str() || link_hosts.contains(&host)
}

pub(crate) fn absolute_url(key: &'static str, value: &str) -> Result<Url, ConfigError> {
    plain_url_text(key, value)?;
    let invalid = |problem: String| ConfigError::Invalid {
        key,
        value: value.to_string(),
        problem,
    };
    let url = Url::parse(value).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => invalid(
            "a relative URL; feeds need an absolute one such as `https://example.org/`".into(),
        ),
        e => invalid(format!(
            "not a valid URL ({e}); expected e.g. `https://example.org/`"
        )),
    })?;
    match web_url_problem(&url) {
        Some(problem) => Err(invalid(problem)),
        None => Ok(url),
    }
}

/// Entry ids are permanent, and readers may follow one that is a URL: a `tag:` or `urn:` IRI,
/// or a web URL on the site.
pub(crate) fn check_id_prefix(
    prefix: &str,
    site: &Url,
    link_hosts: &[String],
) -> Result<(), ConfigError> {
    const KEY: &str = "feed.id_prefix";
    plain_url_text(KEY, prefix)?;
    let invalid = |problem: String| ConfigError::Invalid {
        key: KEY,
        value: prefix.to_string(),
        problem,
    };
    let sample = Url::parse(&format!("{prefix}x")).map_err(|_| {
        invalid("entry ids must be absolute IRIs; use e.g. `tag:example.org,2025:`".into())
    })?;
    match sample.scheme() {
        // The ids are the prefix and a percent-encoded story path: the prefix must make ids
        // that the build's own check (`atom.id.syntax`) takes.
        "tag" | "urn" => match crate::id_syntax::problem(&format!("{prefix}2025/06/x")) {
            Some(problem) => Err(invalid(format!(
                "{problem}; e.g. `tag:example.org,2025:` or `urn:example:`"
            ))),
            None => Ok(()),
        },
        "http" | "https" => match web_url_problem(&sample) {
            Some(problem) => Err(invalid(problem)),
            None if !on_allowed_host(&sample, site, link_hosts) => Err(invalid(
                "an id that is a web URL must be on the site's host (or one of `link_hosts`)".into(),
            )),
            None => Ok(()),
        },
        other => Err(invalid(format!(
            "the scheme `{other}:` is not allowed for ids; use `tag:example.org,2025:` (or `urn:`, or the site's https:// URL)"
        ))),
    }
}

//! wirefeed: publish a news desk's wire-copy stories as RSS 2.0, Atom 1.0 and JSON feeds.
//!
//! The library is organised the way the data flows:
//!
//! 1. [`article`] decodes one story file and parses it into a typed [`article::Article`]
//!    (with its [`article::Dateline`], language, credit and related headlines);
//! 2. the archive is scanned in parallel (through a per-file cache, [`CACHE_FILE`]), keeping
//!    only what a build needs from the stories that are not published;
//! 3. [`related`] resolves related headlines against the whole archive;
//! 4. [`feed`] turns the chosen stories into a format-neutral [`feed::Feed`] and renders it
//!    as RSS, Atom or JSON Feed;
//! 5. [`validate`] checks every document before [`output`] writes it atomically.
//!
//! [`build()`] ties these steps together; the `wirefeed` binary is a thin layer over it. The
//! public surface is what a library user needs: the typed model and parser ([`article`]), the
//! settings ([`config`]), the feed model and renderers ([`feed`]), the validator ([`validate`]),
//! atomic writes ([`output`]) and how messages are shown ([`diagnostic`]); the scan, the cache
//! and the file-opening rules are internal.
//!
//! ```
//! use std::path::Path;
//! use wirefeed::article::{parse, ParseOptions};
//!
//! let story = "Заголовок\nДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/. Текст.\nФОТО: Автор\n\n\nДругая новость\n";
//! let parsed = parse(story.as_bytes(), Path::new("a.txt"), "2025/06/a.txt", &ParseOptions::default())?;
//! let a = parsed.article;
//! assert_eq!(a.id, "2025/06/a");
//! assert_eq!(a.date.to_rfc3339(), "2025-06-18T00:00:00+05:00");
//! assert_eq!(a.dateline.agency, "НИАТ «Ховар»");
//! assert_eq!(a.credit.as_deref(), Some("Автор"));
//! assert_eq!(a.related, ["Другая новость"]);
//! # Ok::<(), wirefeed::ArticleError>(())
//! ```
#![warn(missing_docs, rust_2018_idioms, unreachable_pub)]

pub mod article;
pub mod build;
mod cache;
pub mod clock;
pub mod config;
mod corpus;
pub mod diagnostic;
mod error;
pub mod feed;
mod file_list;
mod format;
mod fsx;
mod id_syntax;
mod language_tag;
pub mod ledger;
pub mod output;
pub mod photo;
mod published;
pub mod related;
mod slug;
pub mod validate;
pub mod watch;
mod websub;

pub use article::{ArticleError, Dateline};
pub use build::{build, BuildOptions, BuildReport};
pub use cache::CACHE_FILE;
pub use config::Config;
pub use error::Error;
pub use format::Format;

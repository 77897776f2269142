//! STUB (replaced by the xsl branch).
#![allow(missing_docs)]
pub const FEED_XSL: &str = "<xsl/>\n";

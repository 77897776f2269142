//! The integration tests, as one test binary: one link instead of ten on a 2-core machine, as
//! ripgrep and mdBook do. Each module runs the real `wirefeed` binary (or the library) on
//! fixture folders made in temp dirs; `common` holds the shared helpers.

mod aggregators;
mod archives;
mod build_shipped;
mod cache;
mod check_cli;
mod check_fuzz;
mod common;
mod feed_sets;
mod hardening;
#[cfg(unix)]
mod hostile_output;
mod layers;
mod ledger;
mod markup_title;
mod metadata;
mod ninjs;
mod photos;
mod properties;
mod related;
mod robustness;
mod shell;
mod watch;
mod websub;

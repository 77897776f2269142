#!/usr/bin/env bash
# Feed an aggregator through a pipe: stdout carries only the feed, diagnostics go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Atom feed on stdout, e.g. into an importer; here: count the entries.
cargo run --quiet --release -- build --format atom --output - | grep -c '<entry>'

# The parser's view of every story as JSON lines, for jq.
cargo run --quiet --release -- inspect articles/*/*/*.txt | head -n 3 | cut -c1-200

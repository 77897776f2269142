#!/usr/bin/env bash
# The cost of the aggregator formats (issue 13): the same N-story archive built from scratch
# (--no-cache) with `rss,atom` and with `rss,atom,json,yandex,news-sitemap`, alternating, as
# ratios measured in one run.
#
#   bench/formats.sh N        # env: ROUNDS (default 5), SKIP_BUILD=1, CARGO_TARGET_DIR, FORMATS
#
# Target: all formats together add at most 25 % to a full build (ratio ≤ 1.25x). The build
# clock is 2026-01-01T00:00Z, just after the generated corpus's newest stories, so the news
# sitemap holds the last two days of them (an agency's usual 48 hours), not an empty list.
# FORMATS overrides the second list (e.g. to add ninjs once it is on the branch).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/ab.sh"
CORPUS=/tmp/wirefeed-bench-$N
[[ -d $CORPUS ]] || { echo "no corpus $CORPUS: make it with examples/gen_corpus.rs" >&2; exit 2; }
ALL=${FORMATS:-rss,atom,json,yandex,news-sitemap}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600}

WORK=$(mktemp -d /tmp/wirefeed-formats.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
printf '[feed]\nsite_url = "https://bench.example/"\nlogo = "https://bench.example/logo.png"\nicon = "https://bench.example/icon.png"\naccent_color = "1A5FB4"\n' >"$WORK/bench.toml"
build() { # build OUT FORMATS; exit 1 (some files skipped) is fine
    "$WIREFEED" build --config "$WORK/bench.toml" --articles "$CORPUS" --out "$1" -q \
        --no-cache --no-ledger --format "$2" || [[ $? -eq 1 ]]
}

log "warming the page cache…"
find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null
build "$WORK/warm" "$ALL"
log "the news sitemap lists $(grep -c '<url>' "$WORK/warm/news-sitemap.xml") stories; yandex.xml is $(wc -c <"$WORK/warm/yandex.xml") bytes"
declare -a BASE=() MORE=()
for ((r = 1; r <= ROUNDS; r++)); do
    rm -rf "$WORK/base" "$WORK/more"
    BASE+=("$(timed build "$WORK/base" rss,atom)")
    sync
    MORE+=("$(timed build "$WORK/more" "$ALL")")
    sync
    log "round $r/$ROUNDS: rss,atom ${BASE[-1]}s / $ALL ${MORE[-1]}s"
done
b=$(median "${BASE[@]}") m=$(median "${MORE[@]}")
echo "N=$N rounds=$ROUNDS (medians, seconds; full build --no-cache --no-ledger)"
awk -v a="$b" -v b="$m" -v f="$ALL" 'BEGIN {printf "rss,atom %.3f / %s %.3f  ratio %.2fx (target 1.25x)\n", a, f, b, b / a}'

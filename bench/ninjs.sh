#!/usr/bin/env bash
# The cost of the IPTC ninjs stream (issue 13): the same N-story archive built from scratch
# (--no-cache) with `rss,atom` and with `rss,atom,ninjs`, alternating, as a ratio measured in
# one run.
#
#   bench/ninjs.sh N        # env: ROUNDS (default 5), SKIP_BUILD=1, CARGO_TARGET_DIR
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/ab.sh"
CORPUS=/tmp/wirefeed-bench-$N
[[ -d $CORPUS ]] || { "$GEN" "$N" "$CORPUS.partial" && mv "$CORPUS.partial" "$CORPUS"; }

WORK=$(mktemp -d /tmp/wirefeed-ninjs.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# A private copy: a target folder shared with other branches may swap the binary mid-run.
cp "$WIREFEED" "$WORK/wirefeed"
WIREFEED=$WORK/wirefeed
"$WIREFEED" build --help | grep -q ninjs || { log "$WIREFEED has no ninjs format"; exit 2; }

printf '[feed]\nsite_url = "https://bench.example/"\n' >"$WORK/bench.toml"
build() { # build OUT FORMATS; exit 1 (some files skipped) is fine
    "$WIREFEED" build --config "$WORK/bench.toml" --articles "$CORPUS" --out "$1" -q \
        --no-cache --no-ledger --format "$2" || [[ $? -eq 1 ]]
}

log "warming the page cache…"
find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null
build "$WORK/warm" rss,atom,ninjs
log "ninjs.jsonl files: $(find "$WORK/warm" -name ninjs.jsonl | wc -l), $(du -ch $(find "$WORK/warm" -name ninjs.jsonl) | tail -1 | cut -f1)"
declare -a FEEDS=() NINJS=()
for ((r = 1; r <= ROUNDS; r++)); do
    rm -rf "$WORK/a" "$WORK/b"
    FEEDS+=("$(timed build "$WORK/a" rss,atom)")
    NINJS+=("$(timed build "$WORK/b" rss,atom,ninjs)")
    sync
    log "round $r/$ROUNDS: rss,atom ${FEEDS[-1]}s / rss,atom,ninjs ${NINJS[-1]}s"
done
a=$(median "${FEEDS[@]}") b=$(median "${NINJS[@]}")
echo "N=$N rounds=$ROUNDS (medians, seconds; full build --no-cache --no-ledger)"
awk -v a="$a" -v b="$b" 'BEGIN {printf "rss,atom %.3f / rss,atom,ninjs %.3f  ratio %.2fx\n", a, b, b / a}'

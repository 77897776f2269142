#!/usr/bin/env bash
# The cost of RFC 5005 archives (issue 12): the same N-story archive built without and with
# `--archives`, alternating within each round, as ratios measured in one run.
#
#   bench/archives.sh N        # env: ROUNDS (default 5), SKIP_BUILD=1, CARGO_TARGET_DIR
#
# gen_corpus dates stories uniformly over 2016-01..2025-12, so N stories make 120 months: 240
# archive documents (Atom and RSS). Target: archives add at most 30% to a full build
# (`--no-cache`, empty output folder) and nothing to a no-change rerun. Checks on the way: one
# Atom archive document per month, every story in exactly one of them (entries counted), and a
# no-change rerun writes no archive document.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/ab.sh"
CORPUS=/tmp/wirefeed-bench-$N
[[ -d $CORPUS ]] || { "$GEN" "$N" "$CORPUS.partial" && mv "$CORPUS.partial" "$CORPUS"; }

WORK=$(mktemp -d /tmp/wirefeed-archives.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
printf '[feed]\nsite_url = "https://bench.example/"\n' >"$WORK/bench.toml"

build() { # build OUT [flags…]; exit 1 (some files skipped) is fine
    local out=$1
    shift
    "$WIREFEED" build --config "$WORK/bench.toml" --articles "$CORPUS" --out "$out" -q "$@" || [[ $? -eq 1 ]]
}

log "warming the page cache…"
find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null
build "$WORK/plain-cached"
build "$WORK/arch-cached" --archives
MONTHS=$(find "$CORPUS" -mindepth 2 -maxdepth 2 -type d | wc -l)
ATOM_DOCS=$(find "$WORK/arch-cached/archive" -name '*.xml' ! -name '*.rss.xml' | wc -l)
[[ $ATOM_DOCS -eq $MONTHS ]] || { log "FAIL: $ATOM_DOCS Atom archive documents for $MONTHS months"; exit 1; }
ENTRIES=$(cat "$WORK"/arch-cached/archive/*.xml | grep -c '<entry>' || true)
STORIES=$(find "$CORPUS" -name '*.txt' | wc -l)
[[ $ENTRIES -eq $STORIES ]] || { log "FAIL: $ENTRIES archived entries for $STORIES stories"; exit 1; }
BYTES=$(du -sb "$WORK/arch-cached/archive" | cut -f1)
log "$MONTHS months, $ENTRIES entries, $BYTES bytes of archive documents"

declare -a FULL_0=() FULL_A=() NOCH_0=() NOCH_A=()
for ((r = 1; r <= ROUNDS; r++)); do
    rm -rf "$WORK/plain" "$WORK/arch"
    FULL_0+=("$(timed build "$WORK/plain" --no-cache)")
    FULL_A+=("$(timed build "$WORK/arch" --no-cache --archives)")
    NOCH_0+=("$(timed build "$WORK/plain-cached")")
    find "$WORK/arch-cached/archive" -type f -printf '%T@ %p\n' | sort >"$WORK/before"
    NOCH_A+=("$(timed build "$WORK/arch-cached" --archives)")
    # Nothing changed: no archive document written (same modification times).
    find "$WORK/arch-cached/archive" -type f -printf '%T@ %p\n' | sort >"$WORK/after"
    cmp -s "$WORK/before" "$WORK/after" || { log "FAIL: a no-change rerun wrote archive documents"; exit 1; }
    log "round $r/$ROUNDS: full ${FULL_0[-1]}s / ${FULL_A[-1]}s, no-change ${NOCH_0[-1]}s / ${NOCH_A[-1]}s"
done
f0=$(median "${FULL_0[@]}") fa=$(median "${FULL_A[@]}")
n0=$(median "${NOCH_0[@]}") na=$(median "${NOCH_A[@]}")
echo "N=$N months=$MONTHS archive_bytes=$BYTES rounds=$ROUNDS (medians, seconds; without / with --archives)"
awk -v a="$f0" -v b="$fa" 'BEGIN {printf "full build      %.3f / %.3f  ratio %.2fx  (target 1.30x)\n", a, b, b / a}'
awk -v a="$n0" -v b="$na" 'BEGIN {printf "no-change rerun %.3f / %.3f  ratio %.2fx  (target ~1.0x)\n", a, b, b / a}'
echo "raw full:      ${FULL_0[*]} / ${FULL_A[*]}"
echo "raw no-change: ${NOCH_0[*]} / ${NOCH_A[*]}"

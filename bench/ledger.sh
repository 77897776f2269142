#!/usr/bin/env bash
# The cost of the publication ledger (issue 12): the same N-story archive built with the ledger
# and with --no-ledger, alternating, as ratios measured in one run.
#
#   bench/ledger.sh N        # env: ROUNDS (default 5), SKIP_BUILD=1, CARGO_TARGET_DIR
#
# Targets: the first build (which creates the ledger and records all N stories) within 1.5x a
# build without it; a no-change rerun within 1.1x. Also timed, with no target: a rerun after one
# story's text changed (the ledger is read whole and records one correction).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/ab.sh"
CORPUS=/tmp/wirefeed-bench-$N
[[ -d $CORPUS ]] || { "$GEN" "$N" "$CORPUS.partial" && mv "$CORPUS.partial" "$CORPUS"; }

WORK=$(mktemp -d /tmp/wirefeed-ledger.XXXXXX)
EDITED=$(find "$CORPUS" -name '*.txt' | sort | tail -n 1)
cp "$EDITED" "$WORK/edited.orig"
trap 'cp "$WORK/edited.orig" "$EDITED"; rm -rf "$WORK"' EXIT

printf '[feed]\nsite_url = "https://bench.example/"\n' >"$WORK/bench.toml"
build() { # build OUT LEDGER [flags…]; exit 1 (some files skipped) is fine
    local out=$1 ledger=$2
    shift 2
    "$WIREFEED" build --config "$WORK/bench.toml" --articles "$CORPUS" --out "$out" -q \
        --ledger "$ledger" "$@" || [[ $? -eq 1 ]]
}
L=$WORK/ledger.sqlite

log "warming the page cache…"
find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null
build "$WORK/with-cached" "$L"
build "$WORK/without-cached" "$L" --no-ledger
rows=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from story').fetchone()[0])" "$WORK/ledger.sqlite" 2>/dev/null || echo '?')
log "the ledger records $rows stories ($(du -h "$WORK/ledger.sqlite" | cut -f1))"
declare -a FULL_0=() FULL_L=() NOCH_0=() NOCH_L=() EDIT_0=() EDIT_L=()
for ((r = 1; r <= ROUNDS; r++)); do
    rm -rf "$WORK/with" "$WORK/without" "$WORK/first.sqlite"
    FULL_0+=("$(timed build "$WORK/without" "$L" --no-cache --no-ledger)")
    FULL_L+=("$(timed build "$WORK/with" "$WORK/first.sqlite" --no-cache)")
    # The first builds' writes reach the disk now, not during the next timings.
    sync
    NOCH_0+=("$(timed build "$WORK/without-cached" "$L" --no-ledger)")
    NOCH_L+=("$(timed build "$WORK/with-cached" "$L")")
    # One correction for both, so that the next round's no-change reruns are that for both.
    printf ' Поправка %d.\n' "$r" >>"$EDITED"
    sync
    EDIT_0+=("$(timed build "$WORK/without-cached" "$L" --no-ledger)")
    EDIT_L+=("$(timed build "$WORK/with-cached" "$L")")
    log "round $r/$ROUNDS: first build ${FULL_0[-1]}s / ${FULL_L[-1]}s, no-change ${NOCH_0[-1]}s / ${NOCH_L[-1]}s, one corrected ${EDIT_0[-1]}s / ${EDIT_L[-1]}s"
done
f0=$(median "${FULL_0[@]}") fl=$(median "${FULL_L[@]}")
n0=$(median "${NOCH_0[@]}") nl=$(median "${NOCH_L[@]}")
e0=$(median "${EDIT_0[@]}") el=$(median "${EDIT_L[@]}")
echo "N=$N rounds=$ROUNDS (medians, seconds; without the ledger / with it)"
awk -v a="$f0" -v b="$fl" 'BEGIN {printf "first build     %.3f / %.3f  ratio %.2fx (target 1.5x)\n", a, b, b / a}'
awk -v a="$n0" -v b="$nl" 'BEGIN {printf "no-change rerun %.3f / %.3f  ratio %.2fx (target 1.1x)\n", a, b, b / a}'
awk -v a="$e0" -v b="$el" 'BEGIN {printf "one corrected   %.3f / %.3f  ratio %.2fx\n", a, b, b / a}'

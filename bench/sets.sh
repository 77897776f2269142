#!/usr/bin/env bash
# The cost of feed sets (issue 11): the same N-story archive built as one feed set and as twenty
# (the root, one per dateline city, one per tag), alternating, as ratios measured in one run.
#
#   bench/sets.sh N        # env: ROUNDS (default 5), SKIP_BUILD=1, CARGO_TARGET_DIR
#
# Uses gen_corpus's archive with companions (every tenth story has a sidecar with tags), so that
# tag sets have stories. Target: twenty sets within 1.3x one set. Three cases: a full build
# (`--no-cache`, empty output folder), a no-change rerun, and a rerun after one story changed
# (its file touched: the cache reads it again and every set is chosen again).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/ab.sh"
CORPUS=/tmp/wirefeed-bench-$N-companions
[[ -d $CORPUS ]] || { "$GEN" "$N" "$CORPUS.partial" --companions && mv "$CORPUS.partial" "$CORPUS"; }

WORK=$(mktemp -d /tmp/wirefeed-sets.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
HEAD='[feed]
site_url = "https://bench.example/"

[[feeds]]
name = "all"
path = ""
'
printf '%s' "$HEAD" >"$WORK/one.toml"
{
    printf '%s' "$HEAD"
    # gen_corpus's twelve cities (in another spelling where the table has one) and its tags.
    for city in Dushanbe Khujand Bokhtar Kulob Tashkent Bishkek Almaty Moscow Beijing Tokyo Aktau Kabul; do
        printf '\n[[feeds]]\nname = "%s"\npath = "cities/%s"\ncities = ["%s"]\n' "$city" "${city,,}" "$city"
    done
    i=0
    for tag in бенчмарк тег-0 тег-1 тег-2 тег-3 тег-4 тег-5; do
        printf '\n[[feeds]]\nname = "%s"\npath = "tags/%d"\ntags = ["%s"]\n' "$tag" "$i" "$tag"
        i=$((i + 1))
    done
} >"$WORK/twenty.toml"
[[ $(grep -c '^\[\[feeds\]\]' "$WORK/twenty.toml") -eq 20 ]] || { log "FAIL: not 20 sets"; exit 1; }

build() { # build CONFIG OUT [flags…]; exit 1 (some files skipped) is fine
    local config=$1 out=$2
    shift 2
    "$WIREFEED" build --config "$config" --articles "$CORPUS" --out "$out" -q "$@" || [[ $? -eq 1 ]]
}

log "warming the page cache…"
find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null
build "$WORK/one.toml" "$WORK/one-cached"
build "$WORK/twenty.toml" "$WORK/twenty-cached"
# Every one of the twenty sets has stories: an empty set would measure nothing.
for f in "$WORK"/twenty-cached/cities/*/atom.xml "$WORK"/twenty-cached/tags/*/atom.xml; do
    grep -q '<entry>' "$f" || { log "FAIL: $f has no entry"; exit 1; }
done
cmp -s "$WORK/one-cached/atom.xml" "$WORK/twenty-cached/atom.xml" ||
    { log "FAIL: the root feed differs between one and twenty sets"; exit 1; }
TOUCHED=$(find "$CORPUS" -name '*.txt' | sort | tail -n 1)
declare -a FULL_1=() FULL_20=() NOCH_1=() NOCH_20=() EDIT_1=() EDIT_20=()
for ((r = 1; r <= ROUNDS; r++)); do
    rm -rf "$WORK/one" "$WORK/twenty"
    FULL_1+=("$(timed build "$WORK/one.toml" "$WORK/one" --no-cache)")
    FULL_20+=("$(timed build "$WORK/twenty.toml" "$WORK/twenty" --no-cache)")
    NOCH_1+=("$(timed build "$WORK/one.toml" "$WORK/one-cached")")
    NOCH_20+=("$(timed build "$WORK/twenty.toml" "$WORK/twenty-cached")")
    # One touch for both, so that the next round's no-change reruns are that for both.
    touch "$TOUCHED"
    EDIT_1+=("$(timed build "$WORK/one.toml" "$WORK/one-cached")")
    EDIT_20+=("$(timed build "$WORK/twenty.toml" "$WORK/twenty-cached")")
    log "round $r/$ROUNDS: full ${FULL_1[-1]}s / ${FULL_20[-1]}s, no-change ${NOCH_1[-1]}s / ${NOCH_20[-1]}s, one changed ${EDIT_1[-1]}s / ${EDIT_20[-1]}s"
done
f1=$(median "${FULL_1[@]}") f20=$(median "${FULL_20[@]}")
n1=$(median "${NOCH_1[@]}") n20=$(median "${NOCH_20[@]}")
e1=$(median "${EDIT_1[@]}") e20=$(median "${EDIT_20[@]}")
echo "N=$N rounds=$ROUNDS (medians, seconds; one set / twenty sets)"
awk -v a="$f1" -v b="$f20" 'BEGIN {printf "full build      %.3f / %.3f  ratio %.2fx\n", a, b, b / a}'
awk -v a="$n1" -v b="$n20" 'BEGIN {printf "no-change rerun %.3f / %.3f  ratio %.2fx\n", a, b, b / a}'
awk -v a="$e1" -v b="$e20" 'BEGIN {printf "one changed     %.3f / %.3f  ratio %.2fx\n", a, b, b / a}'

#!/usr/bin/env bash
# Reproducible benchmark of `wirefeed build` (issue 5). See bench/README.md.
#
#   bench/run.sh N [DIR]        # N stories, corpus in DIR (default /tmp/wirefeed-bench-N)
#
# Environment: ROUNDS (default 5), SEED (default 1), SKIP_BUILD=1 (use the binaries already in
# target/release), CARGO_TARGET_DIR (honoured), COLD=1 (also time builds on a cold page cache,
# dropped before each timed command; needs root) or COLD=only (just those).
set -euo pipefail

usage() {
    echo "usage: $0 N [DIR]   (env: ROUNDS=5 SEED=1 SKIP_BUILD=0 COLD=0|1|only)" >&2
    exit 2
}
[[ $# -ge 1 && $# -le 2 && $1 =~ ^[0-9]+$ && $1 -gt 0 ]] || usage
N=$1
CORPUS=${2:-/tmp/wirefeed-bench-$N}
ROUNDS=${ROUNDS:-5}
SEED=${SEED:-1}
COLD=${COLD:-0}
[[ $COLD == 0 || $COLD == 1 || $COLD == only ]] || usage
[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 ]] || usage

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
WIREFEED=$TARGET_DIR/release/wirefeed
GEN=$TARGET_DIR/release/examples/gen_corpus

die() {
    echo "bench: FAIL: $*" >&2
    exit 1
}
log() { echo "bench: $*" >&2; }

# ---- build -----------------------------------------------------------------------------------
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "building wirefeed and gen_corpus (release)…"
    (cd "$ROOT" && cargo build --release --quiet --bin wirefeed --example gen_corpus)
fi
[[ -x $WIREFEED ]] || die "$WIREFEED not found (build failed?)"
[[ -x $GEN ]] || die "$GEN not found (build failed?)"

# ---- corpus ----------------------------------------------------------------------------------
if [[ ! -d $CORPUS ]]; then
    log "generating $N stories into $CORPUS (seed $SEED)…"
    "$GEN" "$N" "$CORPUS.partial" --seed "$SEED"
    mv "$CORPUS.partial" "$CORPUS"
fi
FILES=$(find "$CORPUS" -type f | wc -l)
BYTES=$(find "$CORPUS" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f", s}')
[[ $FILES -eq $N ]] || log "note: $CORPUS holds $FILES files, not $N (left over from another run?)"

# ---- scratch space, and putting the corpus back whatever happens -----------------------------
WORK=$(mktemp -d /tmp/wirefeed-bench-work.XXXXXX)
declare -a ADDED=() EDITED=()
cleanup() {
    local f
    for f in "${ADDED[@]}"; do rm -f "$f"; done
    for f in "${EDITED[@]}"; do
        [[ -f $WORK/backup/${f//\//%} ]] && cp -p "$WORK/backup/${f//\//%}" "$f"
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/backup" "$WORK/snap"

CONFIG=$WORK/bench.toml
cat >"$CONFIG" <<EOF
# Written by bench/run.sh
[feed]
title = "wirefeed bench"
site_url = "https://bench.example/"

[build]
articles = "$CORPUS"
out = "$WORK/out-default"
EOF
OUT_FULL=$WORK/out-full
OUT_CACHED=$WORK/out-cached
OUT_CHECK=$WORK/out-check

# wirefeed exits 0 (ok) or 1 (some files skipped); anything else fails the benchmark.
SKIPPED_RUNS=0
wf() {
    local rc=0
    "$WIREFEED" build --config "$CONFIG" --quiet "$@" || rc=$?
    if [[ $rc -eq 1 ]]; then
        SKIPPED_RUNS=$((SKIPPED_RUNS + 1))
    elif [[ $rc -ne 0 ]]; then
        die "wirefeed build $* exited with $rc"
    fi
}

# Runs "$@", stores its wall time in seconds in the global T.
T=0
timed() {
    local start=$EPOCHREALTIME
    "$@"
    local end=$EPOCHREALTIME
    T=$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.6f", e - s}')
}

read_floor() { find "$CORPUS" -type f -print0 | xargs -0 -P2 cat >/dev/null; }
walk_floor() { find "$CORPUS" -type f >/dev/null; }
# What a rerun must at least do: stat every file (size, mtime, ctime, inode), on one process.
stat_floor() { find "$CORPUS" -type f -printf '%s %T@ %C@ %i\n' >/dev/null; }
full_build() {
    rm -rf "$OUT_FULL"
    wf --no-cache --out "$OUT_FULL"
}
cached_build() { wf --out "$OUT_CACHED"; }

same_feeds() { # same_feeds DIR_A DIR_B WHAT
    local f
    for f in rss.xml atom.xml; do
        [[ -f $1/$f && -f $2/$f ]] || die "$3: $f missing in $1 or $2"
        cmp -s "$1/$f" "$2/$f" || die "$3: $f differs ($1/$f vs $2/$f)"
    done
}

# One story edited (a different file each round, among the newest month's) and one added.
mapfile -t NEWEST < <(find "$CORPUS" -type f -name '*.txt' | sort | tail -n 64)
[[ ${#NEWEST[@]} -gt 0 ]] || die "no story files in $CORPUS"
mapfile -t CITED < <(printf '%s\n' "${NEWEST[@]:0:10}" | xargs head -qn1)
edit_and_add() { # edit_and_add ROUND
    local victim=${NEWEST[$((($1 - 1) % ${#NEWEST[@]}))]}
    local backup=$WORK/backup/${victim//\//%}
    if [[ ! -f $backup ]]; then
        cp -p "$victim" "$backup"
        EDITED+=("$victim")
    fi
    sed -i "3s/\$/ Правка бенчмарка, раунд $1: уточнены данные о сроках реализации проекта./" "$victim"
    local added
    added=$(dirname "${NEWEST[-1]}")/bench-added-$1.txt
    ADDED+=("$added")
    {
        echo "Добавленная в бенчмарке новость номер $1 о строительстве"
        echo "ДУШАНБЕ, 31.12.2025 23:5$(($1 % 10)) /НИАТ «Ховар»/. Новость, добавленная бенчмарком в раунде $1, чтобы проверить пересборку с кэшем после добавления файла."
        echo "Второй абзац добавленной новости с несколькими предложениями. Он нужен, чтобы файл был похож на настоящий."
        echo "ФОТО: НИАТ «Ховар»"
        printf '\n%.0s' {1..10}
        printf '%s\n' "${CITED[@]}"
    } >"$added"
}

declare -a T_READ=() T_FULL=() T_WALK=() T_STAT=() T_NOCH=() T_EDIT=()
declare -a T_CREAD=() T_CFULL=() T_CSTAT=() T_CNOCH=()

# ---- warm up ---------------------------------------------------------------------------------
log "warming the page cache…"
find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null
log "priming run (cache)…"
rm -rf "$OUT_CACHED"
cached_build
cp "$OUT_CACHED"/rss.xml "$OUT_CACHED"/atom.xml "$WORK/snap/"

# ---- rounds: the commands alternate within every round -----------------------------------------
HOT_ROUNDS=$ROUNDS
[[ $COLD == only ]] && HOT_ROUNDS=0
for ((r = 1; r <= HOT_ROUNDS; r++)); do
    timed read_floor
    T_READ+=("$T")
    timed full_build
    T_FULL+=("$T")
    # The no-cache build must equal what the cached build produced for the same corpus.
    same_feeds "$WORK/snap" "$OUT_FULL" "round $r: full --no-cache build vs previous cached build"
    timed walk_floor
    T_WALK+=("$T")
    timed stat_floor
    T_STAT+=("$T")
    timed cached_build
    T_NOCH+=("$T")
    same_feeds "$OUT_FULL" "$OUT_CACHED" "round $r: cached no-change rerun vs full --no-cache build"
    edit_and_add "$r"
    timed cached_build
    T_EDIT+=("$T")
    cmp -s "$WORK/snap/rss.xml" "$OUT_CACHED/rss.xml" &&
        die "round $r: the feed did not change after a story was added"
    cp "$OUT_CACHED"/rss.xml "$OUT_CACHED"/atom.xml "$WORK/snap/"
    log "round $r/$ROUNDS: read ${T_READ[-1]}s full ${T_FULL[-1]}s walk ${T_WALK[-1]}s stat ${T_STAT[-1]}s nochange ${T_NOCH[-1]}s edit+add ${T_EDIT[-1]}s"
done

# After the last edit+add: a fresh --no-cache build must equal the cached one.
rm -rf "$OUT_CHECK"
wf --no-cache --out "$OUT_CHECK"
same_feeds "$WORK/snap" "$OUT_CHECK" "after edit+add: cached build vs fresh --no-cache build"
log "feeds byte-identical across all variants: OK"

# ---- cold page cache (COLD=1 or COLD=only) -----------------------------------------------------
# After a reboot, or on an archive larger than memory, a build reads from the disk. The page
# cache is dropped before each timed command, so each starts cold; the floor is the same two
# `cat` readers, also cold. A no-change rerun cold is timed too, against a cold stat walk.
drop_caches() { sync && echo 3 >/proc/sys/vm/drop_caches; }
COLD_DONE=0
if [[ $COLD != 0 ]]; then
    if ! drop_caches 2>/dev/null; then
        log "cold variant SKIPPED: cannot drop the page cache (needs root: sync; echo 3 > /proc/sys/vm/drop_caches)"
    else
        cached_build # the cache in step with the corpus, for the cold reruns
        for ((r = 1; r <= ROUNDS; r++)); do
            drop_caches
            timed read_floor
            T_CREAD+=("$T")
            rm -rf "$OUT_FULL"
            drop_caches
            timed full_build
            T_CFULL+=("$T")
            same_feeds "$OUT_CACHED" "$OUT_FULL" "cold round $r: full --no-cache build vs cached build"
            drop_caches
            timed stat_floor
            T_CSTAT+=("$T")
            drop_caches
            timed cached_build
            T_CNOCH+=("$T")
            same_feeds "$OUT_FULL" "$OUT_CACHED" "cold round $r: cached no-change rerun vs full build"
            log "cold round $r/$ROUNDS: read ${T_CREAD[-1]}s full ${T_CFULL[-1]}s stat ${T_CSTAT[-1]}s nochange ${T_CNOCH[-1]}s"
        done
        COLD_DONE=1
    fi
fi

# ---- peak RSS --------------------------------------------------------------------------------
TIME_BIN=/usr/bin/time
if [[ ! -x $TIME_BIN ]] && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing GNU time…"
    apt-get install -y -qq time >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq time) >/dev/null 2>&1 || true
fi
rss_of() { # rss_of ARGS… → peak RSS in KiB
    "$TIME_BIN" -v -o "$WORK/time.txt" "$WIREFEED" build --config "$CONFIG" --quiet "$@" || [[ $? -eq 1 ]]
    awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt"
}
RSS_FULL=n/a RSS_NOCH=n/a
if [[ -x $TIME_BIN ]]; then
    cached_build # the edit+add rounds changed files: back in step before the no-change figure
    rm -rf "$OUT_CHECK"
    RSS_FULL=$(rss_of --no-cache --out "$OUT_CHECK")
    cached_build # sync the cache with the corpus, then a true no-change rerun
    RSS_NOCH=$(rss_of --out "$OUT_CACHED")
else
    log "note: $TIME_BIN not available; peak RSS not measured"
fi

# ---- report ----------------------------------------------------------------------------------
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {if (NR % 2) printf "%.4f", a[(NR + 1) / 2]; else printf "%.4f", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
calc() { awk "BEGIN {printf \"$1\", $2}"; }
verdict() { awk "BEGIN {print ($1) ? \"ok\" : \"**MISSED**\"}"; }
mib() { [[ $1 == n/a ]] && echo n/a || calc %.1f "$1 / 1024"; }
# Issue 14: at most 64 MB up to 100,000 stories, 128 MB up to 1,000,000 (checked as MiB).
RSS_LIMIT_MIB=$([[ $FILES -le 100000 ]] && echo 64 || echo 128)
rss_verdict() { [[ $1 == n/a ]] && echo "n/a" || verdict "$1 <= $RSS_LIMIT_MIB * 1024"; }

CPU=$(lscpu 2>/dev/null | awk -F': *' '/Model name/ {print $2; exit}')
REV=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -n $(cd "$ROOT" && git status --porcelain --untracked-files=no 2>/dev/null) ]] && REV="$REV (dirty)"

echo
echo "### wirefeed build benchmark: $FILES stories"
echo
echo "- corpus: \`$CORPUS\`, $FILES files, $(calc %.1f "$BYTES / 1048576") MiB ($BYTES bytes), gen_corpus seed $SEED"
echo "- machine: $(nproc) CPUs, ${CPU:-unknown CPU}; $(uname -sr)"
echo "- wirefeed $("$WIREFEED" --version | awk '{print $2}'), tree at $REV, binary built $(date -u -r "$WIREFEED" +%Y-%m-%dT%H:%M:%SZ); $ROUNDS rounds, page cache warm unless said otherwise, medians"
echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a) (other processes skew wall times; the commands alternate within each round so ratios are fairer)"
echo "- exit codes: $([[ $SKIPPED_RUNS -eq 0 ]] && echo "all 0" || echo "$SKIPPED_RUNS run(s) exited 1 (files skipped)")"
echo
if [[ $HOT_ROUNDS -gt 0 ]]; then
M_READ=$(median "${T_READ[@]}")
M_FULL=$(median "${T_FULL[@]}")
M_WALK=$(median "${T_WALK[@]}")
M_STAT=$(median "${T_STAT[@]}")
M_NOCH=$(median "${T_NOCH[@]}")
M_EDIT=$(median "${T_EDIT[@]}")
R_FULL=$(calc %.2f "$M_FULL / $M_READ")
R_NOCH=$(calc %.2f "$M_NOCH / $M_WALK")
R_NOCH_STAT=$(calc %.2f "$M_NOCH / $M_STAT")
R_EDIT=$(calc %.2f "$M_EDIT / $M_NOCH")
MS_STORY=$(calc %.4f "$M_FULL * 1000 / $FILES")
echo "| measurement | median | ratio | target | |"
echo "|---|---:|---:|---:|---|"
echo "| (a) read floor: \`find\` + \`xargs -P2 cat\` | ${M_READ} s | | | |"
echo "| (b) full build, fresh process, \`--no-cache\` | ${M_FULL} s | ${R_FULL}× read floor | ≤ 1.2× | $(verdict "$R_FULL <= 1.2") |"
echo "| (c) walk floor: \`find -type f\` | ${M_WALK} s | | | |"
echo "| (c2) stat walk floor: \`find -printf '%s %T@ %C@ %i'\` | ${M_STAT} s | | | |"
echo "| (d) no-change rerun with cache | ${M_NOCH} s | ${R_NOCH}× walk floor, ${R_NOCH_STAT}× stat walk | ≤ 5× walk (≤ 1.0× stat walk at 1M) | $(verdict "$R_NOCH <= 5") |"
echo "| (e) one edited + one added, with cache | ${M_EDIT} s | ${R_EDIT}× no-change | ≤ 2× | $(verdict "$R_EDIT <= 2") |"
echo "| full build per story | ${MS_STORY} ms | | | |"
echo "| peak RSS, full build | $(mib "$RSS_FULL") MiB | | ≤ $RSS_LIMIT_MIB MB | $(rss_verdict "$RSS_FULL") |"
echo "| peak RSS, no-change rerun | $(mib "$RSS_NOCH") MiB | | ≤ $RSS_LIMIT_MIB MB | $(rss_verdict "$RSS_NOCH") |"
echo
echo "Raw times (s), by round:"
echo
echo "    read     ${T_READ[*]}"
echo "    full     ${T_FULL[*]}"
echo "    walk     ${T_WALK[*]}"
echo "    stat     ${T_STAT[*]}"
echo "    nochange ${T_NOCH[*]}"
echo "    edit+add ${T_EDIT[*]}"
echo
echo "RESULT n=$FILES bytes=$BYTES read=$M_READ full=$M_FULL walk=$M_WALK stat=$M_STAT nochange=$M_NOCH edit=$M_EDIT rss_full_kib=$RSS_FULL rss_nochange_kib=$RSS_NOCH"
fi
if [[ $COLD_DONE -eq 1 ]]; then
    M_CREAD=$(median "${T_CREAD[@]}")
    M_CFULL=$(median "${T_CFULL[@]}")
    M_CSTAT=$(median "${T_CSTAT[@]}")
    M_CNOCH=$(median "${T_CNOCH[@]}")
    R_CFULL=$(calc %.2f "$M_CFULL / $M_CREAD")
    R_CNOCH=$(calc %.2f "$M_CNOCH / $M_CSTAT")
    echo
    echo "Cold page cache (dropped before each timed command; $ROUNDS rounds, medians):"
    echo
    echo "| measurement | median | ratio | target | |"
    echo "|---|---:|---:|---:|---|"
    echo "| (f) cold read floor: \`find\` + \`xargs -P2 cat\` | ${M_CREAD} s | | | |"
    echo "| (g) cold full build, \`--no-cache\` | ${M_CFULL} s | ${R_CFULL}× cold read floor | ≤ 0.6× | $(verdict "$R_CFULL <= 0.6") |"
    echo "| (h) cold stat walk: \`find -printf '%s %T@ %C@ %i'\` | ${M_CSTAT} s | | | |"
    echo "| (i) cold no-change rerun | ${M_CNOCH} s | ${R_CNOCH}× cold stat walk | | |"
    echo
    echo "Raw cold times (s), by round:"
    echo
    echo "    read     ${T_CREAD[*]}"
    echo "    full     ${T_CFULL[*]}"
    echo "    stat     ${T_CSTAT[*]}"
    echo "    nochange ${T_CNOCH[*]}"
    echo
    echo "RESULT-COLD n=$FILES read=$M_CREAD full=$M_CFULL stat=$M_CSTAT nochange=$M_CNOCH"
fi
[[ $SKIPPED_RUNS -eq 0 ]] || log "note: wirefeed exited 1 (files skipped) in $SKIPPED_RUNS run(s): the generated corpus should give 0"

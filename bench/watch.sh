#!/usr/bin/env bash
# `wirefeed watch` latency (issue 14): from a story renamed into the articles folder to the feed
# on disk containing it, at N stories, with floors measured in the same run.
#
#   bench/watch.sh N         # env: SAMPLES (default 21), ROUNDS (floors, default 5), SKIP_BUILD=1,
#                            # CARGO_TARGET_DIR, FORMATS (default rss,atom), EXTRA (more build
#                            # flags, e.g. "--archives")
#
# Target: p50 <= 250 ms at 100,000 stories on a 2-core machine. Floors: a stat walk of the
# archive (`find -type f`) and what cron would do, a one-shot `wirefeed build` after one story
# was added (the same work, plus starting a process, loading the cache and walking the folder).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/ab.sh"
SAMPLES=${SAMPLES:-21}
FORMATS=${FORMATS:-rss,atom}
LATENCY=$TARGET_DIR/release/examples/watch_latency
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    (cd "$ROOT" && cargo build --release --quiet --example watch_latency)
fi
CORPUS=/tmp/wirefeed-bench-$N
[[ -d $CORPUS ]] || { "$GEN" "$N" "$CORPUS.partial" && mv "$CORPUS.partial" "$CORPUS"; }
export SOURCE_DATE_EPOCH=1767225600

WORK=$(mktemp -d /tmp/wirefeed-watch.XXXXXX)
FOLDER=$(dirname "$(find "$CORPUS" -name '*.txt' | sort | tail -n 1)")
WATCH_PID=
cleanup() {
    [[ -n $WATCH_PID ]] && kill "$WATCH_PID" 2>/dev/null || true
    rm -f "$FOLDER"/zz-oneshot-*.txt "$FOLDER"/zz-latency-*.txt
    rm -rf "$WORK"
}
trap cleanup EXIT
printf '[feed]\nsite_url = "https://bench.example/"\n' >"$WORK/bench.toml"
ARGS=(--config "$WORK/bench.toml" --articles "$CORPUS" --out "$WORK/out" --ledger "$WORK/ledger.sqlite" --format "$FORMATS")
# shellcheck disable=SC2206 # EXTRA is split on purpose: a list of flags
ARGS+=(${EXTRA:-})
build() { "$WIREFEED" build "${ARGS[@]}" -q || [[ $? -eq 1 ]]; }
walk() { find "$CORPUS" -type f >/dev/null; }

log "warming the page cache, first build…"
find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null
build
declare -a WALK=() ONESHOT=()
for ((r = 1; r <= ROUNDS; r++)); do
    WALK+=("$(timed walk)")
    printf 'Разовая сборка %d\nДУШАНБЕ, 31.12.2025 22:%02d /НИАТ «Ховар»/. Текст.\n' "$r" "$r" >"$WORK/staged.txt"
    mv "$WORK/staged.txt" "$FOLDER/zz-oneshot-$r.txt"
    ONESHOT+=("$(timed build)")
done
rm -f "$FOLDER"/zz-oneshot-*.txt
build

log "starting wirefeed watch…"
"$WIREFEED" watch "${ARGS[@]}" 2>"$WORK/watch.log" &
WATCH_PID=$!
for _ in $(seq 600); do
    grep -q "built in" "$WORK/watch.log" && break
    sleep 0.1
done
grep -q "built in" "$WORK/watch.log" || { cat "$WORK/watch.log" >&2; exit 1; }
mkdir -p "$WORK/staging"
"$LATENCY" "$FOLDER" "$WORK/out/atom.xml" "$SAMPLES" "$WORK/staging" >"$WORK/latency.txt"
HWM=$(awk '/VmHWM/ {print $2}' "/proc/$WATCH_PID/status" 2>/dev/null || echo '?')
kill -TERM "$WATCH_PID"
code=0
wait "$WATCH_PID" || code=$?
WATCH_PID=
[[ $code -eq 0 ]] || { echo "watch exited $code after SIGTERM" >&2; cat "$WORK/watch.log" >&2; exit 1; }
BUILDS=$(grep -c "built in" "$WORK/watch.log")

walk=$(median "${WALK[@]}") oneshot=$(median "${ONESHOT[@]}")
read -r _ p50 _ p95 _ min _ max < <(tail -n 1 "$WORK/latency.txt")
echo "N=$N formats=$FORMATS extra=${EXTRA:-none} samples=$SAMPLES (floors: medians of $ROUNDS)"
echo "latencies (ms): $(head -n -1 "$WORK/latency.txt" | tr '\n' ' ')"
echo "watch latency   p50 ${p50} ms  p95 ${p95} ms  (min ${min}, max ${max}; target p50 <= 250 ms)"
awk -v w="$walk" -v o="$oneshot" -v p="$p50" 'BEGIN {
    printf "walk floor      %.1f ms   watch p50 = %.2fx\n", w * 1000, p / (w * 1000)
    printf "one-shot build  %.1f ms   watch p50 = %.2fx (cron: a build after one story added)\n", o * 1000, p / (o * 1000)
}'
echo "builds by the watch: $BUILDS (1 first + 1 per sample + 1 for the removals expected)"
echo "peak RSS of the watch: $HWM KiB"
grep "built in" "$WORK/watch.log" | tail -n 3 >&2

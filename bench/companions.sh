#!/usr/bin/env bash
# The cost of story companions (issue 10): the same N stories built with and without a metadata
# sidecar and a photo beside every tenth story, alternating, as ratios measured in one run.
#
#   bench/companions.sh N        # env: ROUNDS (default 5), SKIP_BUILD=1, CARGO_TARGET_DIR
#
# Target: a full build with companions within 1.3x the same archive without them.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/ab.sh"
PLAIN=/tmp/wirefeed-bench-$N
WITH=/tmp/wirefeed-bench-$N-companions
[[ -d $PLAIN ]] || { "$GEN" "$N" "$PLAIN.partial" && mv "$PLAIN.partial" "$PLAIN"; }
[[ -d $WITH ]] || { "$GEN" "$N" "$WITH.partial" --companions && mv "$WITH.partial" "$WITH"; }

WORK=$(mktemp -d /tmp/wirefeed-companions.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
printf '[feed]\nsite_url = "https://bench.example/"\n' >"$WORK/bench.toml"
build() { # build CORPUS OUT [flags…]
    local corpus=$1 out=$2
    shift 2
    "$WIREFEED" build --config "$WORK/bench.toml" --articles "$corpus" --out "$out" -q "$@"
}

log "warming the page cache…"
find "$PLAIN" "$WITH" -type f -print0 | xargs -0 cat >/dev/null
build "$PLAIN" "$WORK/plain-cached"
build "$WITH" "$WORK/with-cached"
declare -a FULL_P=() FULL_W=() NOCH_P=() NOCH_W=()
for ((r = 1; r <= ROUNDS; r++)); do
    rm -rf "$WORK/plain" "$WORK/with"
    FULL_P+=("$(timed build "$PLAIN" "$WORK/plain" --no-cache)")
    FULL_W+=("$(timed build "$WITH" "$WORK/with" --no-cache)")
    NOCH_P+=("$(timed build "$PLAIN" "$WORK/plain-cached")")
    NOCH_W+=("$(timed build "$WITH" "$WORK/with-cached")")
done
fp=$(median "${FULL_P[@]}") fw=$(median "${FULL_W[@]}")
np=$(median "${NOCH_P[@]}") nw=$(median "${NOCH_W[@]}")
photos=$(find "$WITH" -name '*.png' | wc -l)
echo "### companions benchmark: $N stories, $photos with a sidecar and a photo; $ROUNDS rounds, medians"
echo
echo "| | without | with | ratio | target |"
echo "|---|---:|---:|---:|---|"
awk -v p="$fp" -v w="$fw" 'BEGIN {printf "| full build, --no-cache | %.4f s | %.4f s | %.2fx | <= 1.3x %s |\n", p, w, w / p, (w / p <= 1.3 ? "ok" : "MISSED")}'
awk -v p="$np" -v w="$nw" 'BEGIN {printf "| no-change rerun | %.4f s | %.4f s | %.2fx | |\n", p, w, w / p}'
echo
echo "RESULT n=$N full_plain=$fp full_with=$fw nochange_plain=$np nochange_with=$nw"

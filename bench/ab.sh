# Shared by the A/B benchmarks (companions.sh, sets.sh): sourced, not run. Takes N from the
# command line, builds the release binaries unless SKIP_BUILD=1, and gives `log`, `timed` (wall
# seconds of a command, on stdout) and `median`.
[[ $# -eq 1 && $1 =~ ^[0-9]+$ && $1 -gt 0 ]] || { echo "usage: $0 N" >&2; exit 2; }
N=$1
ROUNDS=${ROUNDS:-5}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
WIREFEED=$TARGET_DIR/release/wirefeed
GEN=$TARGET_DIR/release/examples/gen_corpus

log() { echo "bench: $*" >&2; }
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "building wirefeed and gen_corpus (release)…"
    (cd "$ROOT" && cargo build --release --quiet --bin wirefeed --example gen_corpus)
fi
timed() {
    local start=$EPOCHREALTIME
    "$@"
    awk -v s="$start" -v e="$EPOCHREALTIME" 'BEGIN {printf "%.6f", e - s}'
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

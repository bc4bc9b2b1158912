#!/usr/bin/env bash
# Seeds the corpus and fuzzes `load_lower` for SECONDS (default 900) on one core.
# Usage: generator/fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-900}"
shift || true
"$here/seed.sh"
cd "$here"
# cargo-fuzz passes `-Zsanitizer=address`, which needs a nightly compiler: use the nightly
# toolchain when rustup has one, or let the stable compiler accept nightly flags.
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    toolchain=(+nightly)
else
    toolchain=()
    export RUSTC_BOOTSTRAP=1
fi
exec cargo "${toolchain[@]}" fuzz run load_lower corpus/load_lower -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -dict=openapi.dict -print_final_stats=1 "$@"

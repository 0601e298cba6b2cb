#!/usr/bin/env bash
# Builds and runs bench_policy; prints a Markdown table. Usage: bench/policy/run.sh [BUILD_DIR] [-- bench args]
# Bench args: --rules N (1000) --targets N (5000) --seconds S (3).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build}"
[[ $# -gt 0 ]] && shift
[[ "${1:-}" == "--" ]] && shift
cmake --build "$build" --target bench_policy -j"$(nproc)" >/dev/null
exe="$(find "$build" -type f -name bench_policy -perm -u+x | head -n1)"
[[ -n "$exe" ]] || { echo "bench_policy not found under $build" >&2; exit 1; }
exec "$exe" "$@"

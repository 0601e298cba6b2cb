#!/usr/bin/env bash
# Builds and runs bench_policy; prints a Markdown table. Usage: bench/policy/run.sh [BUILD_DIR] [-- bench args]
# Bench args: --rules N (1000) --targets N (5000) --requests N (20000) --seconds S (3).
# Exit: 0 ok, 1 bad arguments/policy or no build, 2 under 100,000 decisions/s, 3 degenerate or inconsistent mix.
# The target exists only in build trees configured with -DTAILOPS_BUILD_TESTS=ON (see the top-level CMakeLists.txt).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build}"
[[ $# -gt 0 ]] && shift
[[ "${1:-}" == "--" ]] && shift
if ! cmake --build "$build" --target bench_policy -j"$(nproc)" >/dev/null; then
    echo "$0: could not build bench_policy in $build (configured with -DTAILOPS_BUILD_TESTS=ON?)" >&2
    exit 1
fi
exe="$(find "$build" -type f -name bench_policy -perm -u+x | head -n1)"
[[ -n "$exe" ]] || { echo "bench_policy not found under $build" >&2; exit 1; }
exec "$exe" "$@"

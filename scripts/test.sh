#!/usr/bin/env bash
# Installs what is missing, builds, runs the benchmarks briefly and then every test (unit, integration,
# the official MCP SDK client and conformance suite), the .deb check, the console's screenshot tour, the
# valgrind run, a short run of every fuzzer, and the whole suite again under ASan + UBSan. Exit code 0 means
# everything passed.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
if [ ! -d tests/interop/node_modules ] || [ tests/interop/package-lock.json -nt tests/interop/node_modules/.package-lock.json ]; then
    npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
fi

cmake --preset ci >/dev/null
cmake --build --preset ci

echo "== benchmark: bench/mcp_throughput =="
bench/mcp_throughput --gateway build/bin/tailops-gateway --duration "${TAILOPS_BENCH_SECONDS:-5}"

echo "== benchmark: bench/ssh_exec =="
bench/ssh_exec --iterations 20

echo "== benchmark: bench/audit =="
bench/audit/run.sh

echo "== benchmark: bench/policy =="
# Exit 2 only says the 100k decisions/s target was missed on this machine (printed in the table); a broken
# request mix (exit 3) or build fails the run.
bench/policy/run.sh build || { rc=$?; [ "$rc" -eq 2 ] || exit "$rc"; }

echo "== benchmark: bench/load (quick) =="
bench/load/run.sh --quick --gateway build/bin/tailops-gateway

echo "== benchmark: bench/ui_latency (the console's event loop under 16 MCP clients) =="
build/bin/ui_latency_bench --clients 16 --seconds "${TAILOPS_BENCH_SECONDS:-5}"

echo "== tests =="
ctest --preset ci -j2

echo "== packaging: the .deb packages, installed into a scratch root =="
scripts/package-check.sh build

echo "== screenshots: the console under Xvfb with a tray host, every panel =="
shots=$(mktemp -d)
scripts/screenshots.sh "$shots"
[ "$(ls "$shots"/*.png | wc -l)" -ge 8 ] || { echo "screenshots.sh wrote too few PNGs" >&2; exit 1; }
rm -rf "$shots"

echo "== valgrind: the gateway end to end under memcheck =="
tests/valgrind/run.sh build/bin/tailops-gateway

echo "== fuzzing: every parser, ${TAILOPS_FUZZ_SECONDS:-20} s each =="
scripts/fuzz-smoke.sh "${TAILOPS_FUZZ_SECONDS:-20}"

echo "== sanitizers: the whole suite under AddressSanitizer + UndefinedBehaviorSanitizer =="
# Any report aborts the test that made it (halt_on_error / abort_on_error), so it fails.
cmake --preset asan >/dev/null
cmake --build build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan -j2 --output-on-failure --timeout 900

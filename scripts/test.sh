#!/usr/bin/env bash
# Installs what is missing, builds, runs the benchmarks briefly and then every test (unit, integration,
# the official MCP SDK client and conformance suite). Exit code 0 means everything passed.
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

echo "== tests =="
ctest --preset ci -j2

#!/usr/bin/env bash
# bench/load/run.sh - tailops-gateway under many concurrent MCP clients and under slow clients (issue 8).
# Starts a real sshd (tests/fixtures/sshd) and `tailops-gateway serve` on 127.0.0.1, runs the load, baseline and
# slow-client phases (bench/load/load_bench.cpp) and, unless --quick, the same load without SSH calls against
# @modelcontextprotocol/server-everything; prints Markdown tables and verdicts. Reports, does not assert:
# exit 0 when it ran, 1 when something could not run.
#
#   bench/load/run.sh [--quick] [--duration S] [--clients N] [--gateway PATH] [--keep] [load_bench options...]
#
# load_bench is built with the project (build/bin/load_bench; --bin PATH or $LOAD_BENCH for another).
set -euo pipefail
BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$BENCH_DIR/../.." && pwd -P)
GATEWAY="$REPO_ROOT/build/bin/tailops-gateway"
BIN="${LOAD_BENCH:-}"
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --gateway) GATEWAY=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exec "${BIN:-$REPO_ROOT/build/bin/load_bench}" --help ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
[ -x "$GATEWAY" ] || { echo "$0: gateway binary $GATEWAY not found (build it, or pass --gateway PATH)" >&2; exit 1; }
BIN=${BIN:-$REPO_ROOT/build/bin/load_bench}
[ -x "$BIN" ] || { echo "$0: $BIN not found (cmake --build --preset ci builds it)" >&2; exit 1; }
NODE=""
if [ -x "$REPO_ROOT/tests/interop/node_modules/node/bin/node" ]; then
  NODE=$REPO_ROOT/tests/interop/node_modules/node/bin/node
else
  NODE=$(command -v node || true)
fi
EVERYTHING="$REPO_ROOT/tests/interop/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
PEER=()
[ -n "$NODE" ] && PEER=(--node "$NODE" --everything "$EVERYTHING" --loopback-preload "$REPO_ROOT/bench/loopback.cjs")
echo "== bench/load: $(nproc) cores, gateway $GATEWAY =="
exec "$BIN" --gateway "$GATEWAY" "${PEER[@]}" "${ARGS[@]}"

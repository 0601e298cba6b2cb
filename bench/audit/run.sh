#!/usr/bin/env bash
# bench/audit/run.sh - AuditLog throughput (records/s) for each durability mode (fsync, group, none) and the
# p99 latency from append() to the durable callback, as a Markdown table. Target: group commit >= 20,000
# records/s. The logs go to a temporary directory under --dir (default: build/, i.e. the disk the gateway's
# logs would be on; /tmp may be tmpfs elsewhere, which makes fsync free). Reports, does not assert.
set -euo pipefail
BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$BENCH_DIR/../.." && pwd -P)
BIN="${AUDIT_BENCH:-$REPO_ROOT/build/bin/audit_bench}"
DIR="$REPO_ROOT/build"
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    -h|--help)
      echo "usage: $0 [--bin PATH] [--dir DIR] [--records N] [--window W] [--modes fsync,group,none]"; exit 0 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
if [ ! -x "$BIN" ]; then
  echo "$0: $BIN not found: build the audit_bench target first (cmake --build build --target audit_bench)" >&2
  exit 1
fi
mkdir -p "$DIR"
echo "== bench/audit: $(df -T "$DIR" | awk 'NR==2 {print $2 " on " $7}'), $(nproc) cores =="
exec "$BIN" --dir "$DIR" "${ARGS[@]}"

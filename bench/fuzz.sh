#!/usr/bin/env bash
# Long libFuzzer run of every harness in tests/fuzz (default 600 s each), same table as
# scripts/fuzz-smoke.sh. The corpus grows in build-fuzz/run/TARGET/corpus (never in the repository).
#   usage: bench/fuzz.sh [SECONDS]     (FUZZ_TARGETS="jsonrpc paths" to run only some)
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/fuzz/run-fuzzers.sh" "${1:-600}"

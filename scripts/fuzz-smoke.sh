#!/usr/bin/env bash
# Short libFuzzer run of every harness in tests/fuzz (default 20 s each) plus their regression inputs.
# Needs clang-14 and libclang-rt-14-dev; builds in build-fuzz. Exits non-zero on any crash, leak or timeout.
#   usage: scripts/fuzz-smoke.sh [SECONDS]     (FUZZ_TARGETS="jsonrpc paths" to run only some)
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/fuzz/run-fuzzers.sh" "${1:-20}"

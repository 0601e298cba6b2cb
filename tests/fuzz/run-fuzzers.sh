#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz in build-fuzz (clang-14, ASan + UBSan) and runs each for
# SECONDS on a scratch copy of its seed corpus, after replaying its regression inputs. Prints one line per
# target and exits non-zero on any crash, leak, timeout or out-of-memory; the input that did it is kept in
# build-fuzz/crashes/. Used by scripts/fuzz-smoke.sh (short) and bench/fuzz.sh (long).
#   usage: run-fuzzers.sh SECONDS
#   env:   FUZZ_TARGETS="jsonrpc paths"  only these   FUZZ_BUILD_DIR  build dir (default ROOT/build-fuzz)
#          FUZZ_JOBS=2  build parallelism             FUZZ_RSS_MB=2048  FUZZ_TIMEOUT=10
set -uo pipefail

SECONDS_PER_TARGET=${1:-20}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
JOBS=${FUZZ_JOBS:-2}
RSS_MB=${FUZZ_RSS_MB:-2048}
TIMEOUT=${FUZZ_TIMEOUT:-10}

missing=()
command -v clang-14 >/dev/null 2>&1 || missing+=(clang-14)
command -v clang++-14 >/dev/null 2>&1 || missing+=(clang-14)
if ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 \
    || ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.asan-x86_64.a >/dev/null 2>&1; then
    missing+=(libclang-rt-14-dev)
fi
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
if [ ${#missing[@]} -gt 0 ]; then
    echo "fuzz: missing $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')- install with:" >&2
    echo "  apt-get install -y clang-14 libclang-rt-14-dev" >&2
    exit 1
fi

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    CC=clang-14 CXX=clang++-14 cmake -S "$HERE" -B "$BUILD" "${generator[@]}" >"$BUILD.configure.log" 2>&1 || {
        cat "$BUILD.configure.log" >&2
        echo "fuzz: configuring $BUILD failed" >&2
        exit 1
    }
    rm -f "$BUILD.configure.log"
fi
if ! cmake --build "$BUILD" -j "$JOBS" >"$BUILD/build.log" 2>&1; then
    grep -E 'error|Error' "$BUILD/build.log" | head -40 >&2
    echo "fuzz: build failed (full log: $BUILD/build.log)" >&2
    exit 1
fi

targets=${FUZZ_TARGETS:-$(cd "$HERE" && ls fuzz_*.cpp | sed 's/^fuzz_//; s/\.cpp$//')}
mkdir -p "$BUILD/crashes"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
printf '%-15s %12s %9s %9s %8s  %s\n' target execs exec/s cov crashes notes
for t in $targets; do
    bin="$BUILD/fuzz_$t"
    if [ ! -x "$bin" ]; then
        printf '%-15s %12s %9s %9s %8s  %s\n' "$t" - - - - "not built"
        failed=1
        continue
    fi
    work="$BUILD/run/$t"
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    [ -d "$HERE/corpus/$t" ] && cp -r "$HERE/corpus/$t/." "$work/corpus/"
    notes=""
    crashes=0

    # Regressions: inputs that once crashed must not crash again.
    regressions=()
    if [ -d "$HERE/regressions/$t" ]; then
        while IFS= read -r -d '' f; do regressions+=("$f"); done \
            < <(find "$HERE/regressions/$t" -type f ! -name '*.md' ! -name '.*' -print0)
    fi
    if [ ${#regressions[@]} -gt 0 ]; then
        if ! "$bin" -rss_limit_mb="$RSS_MB" -timeout="$TIMEOUT" "${regressions[@]}" >"$work/regressions.log" 2>&1; then
            notes+="REGRESSION FAILED (see $work/regressions.log) "
            for f in "${regressions[@]}"; do
                if ! "$bin" -rss_limit_mb="$RSS_MB" -timeout="$TIMEOUT" "$f" >/dev/null 2>&1; then
                    cp "$f" "$BUILD/crashes/$t-regression-$(basename "$f")"
                    crashes=$((crashes + 1))
                fi
            done
            failed=1
        else
            notes+="${#regressions[@]} regressions ok "
        fi
    fi

    dict=()
    [ -f "$HERE/dict/$t.dict" ] && dict=(-dict="$HERE/dict/$t.dict")
    "$bin" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb="$RSS_MB" -timeout="$TIMEOUT" -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/" "${dict[@]}" "$work/corpus" >"$work/fuzz.log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/fuzz.log" | tail -1 | grep -o '[0-9]*$')
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$work/fuzz.log" | tail -1 | grep -o '[0-9]*$')
    cov=$(grep -o 'cov: [0-9]*' "$work/fuzz.log" | tail -1 | grep -o '[0-9]*$')
    for a in "$work"/artifacts/*; do
        [ -e "$a" ] || continue
        cp "$a" "$BUILD/crashes/$t-$(basename "$a")"
        crashes=$((crashes + 1))
    done
    if [ $rc -ne 0 ]; then
        failed=1
        kind=$(grep -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z-]+|runtime error|INVARIANT VIOLATED|Timeout|out-of-memory' "$work/fuzz.log" | head -1)
        notes+="FAILED rc=$rc ${kind:-} (log: $work/fuzz.log) "
        [ "$crashes" -eq 0 ] && crashes=1
    fi
    printf '%-15s %12s %9s %9s %8s  %s\n' "$t" "${execs:--}" "${rate:--}" "${cov:--}" "$crashes" "$notes"
done

if [ $failed -ne 0 ]; then
    echo "fuzz: failures; crashing inputs are in $BUILD/crashes/ (replay: $BUILD/fuzz_TARGET FILE)" >&2
fi
exit $failed

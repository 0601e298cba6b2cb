#!/usr/bin/env bash
# Runs the official MCP conformance suite (@modelcontextprotocol/conformance 0.1.16, all active
# server scenarios) against a TailOps gateway binary.
#
# Usage: tests/interop/run_conformance.sh /path/to/tailops-gateway
#
# Needs `npm ci --prefix tests/interop` first (it provides Node 22 at node_modules/node/bin/node;
# conformance 0.1.16 does not start on Node 20).
#
# The gateway is started on loopback with --no-auth, because the conformance runner cannot send an
# Authorization header. Scenarios that need the suite's own fixture (test_* tools, test:// resources,
# test_* prompts, completion) are listed in conformance-baseline.yml as expected failures.
#
# Exit code: the suite's own (0 = every failure is in the baseline and no baseline entry is stale).
# The last line is "N passed, M failed", counted per scenario; expected (baseline) failures are not
# counted as failed, stale baseline entries are.

set -u -o pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NODE22="$HERE/node_modules/node/bin/node"
CONFORMANCE="$HERE/node_modules/@modelcontextprotocol/conformance/dist/index.js"
BASELINE="$HERE/conformance-baseline.yml"
START_TIMEOUT_S=10

die() {
    echo "run_conformance.sh: $*" >&2
    echo "0 passed, 1 failed"
    exit 2
}

[ $# -eq 1 ] || { echo "usage: $0 /path/to/tailops-gateway" >&2; exit 2; }
GATEWAY="$1"
case "$GATEWAY" in /*) ;; *) GATEWAY="$PWD/$GATEWAY" ;; esac
[ -x "$GATEWAY" ] || die "gateway binary not found or not executable: $GATEWAY"
[ -x "$NODE22" ] || die "missing $NODE22; run: npm ci --prefix tests/interop"
[ -f "$CONFORMANCE" ] || die "missing $CONFORMANCE; run: npm ci --prefix tests/interop"
[ -f "$BASELINE" ] || die "missing $BASELINE"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tailops-conformance.XXXXXX")" || die "mktemp failed"
CONFIG_DIR="$WORK/config"
RESULTS_DIR="$WORK/results"
GW_LOG="$WORK/gateway.stderr"
SUITE_LOG="$WORK/suite.stdout"
mkdir -p "$CONFIG_DIR" "$RESULTS_DIR"
GW_PID=""

stop_gateway() {
    [ -n "$GW_PID" ] || return 0
    if kill -0 "$GW_PID" 2>/dev/null; then
        kill -TERM "$GW_PID" 2>/dev/null
        for _ in $(seq 1 30); do
            kill -0 "$GW_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$GW_PID" 2>/dev/null; then
            echo "# gateway (pid $GW_PID) still alive 3 s after SIGTERM; sending SIGKILL"
            kill -KILL "$GW_PID" 2>/dev/null
        fi
    fi
    wait "$GW_PID" 2>/dev/null
    GW_PID=""
}

cleanup() {
    stop_gateway
    if [ -n "${KEEP_CONFORMANCE_RESULTS:-}" ]; then
        echo "# results kept in $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- start the gateway --------------------------------------------------------------------------
# A secret is set in case the gateway wants one at start-up; --no-auth means it is not used.
TAILOPS_SHARED_SECRET="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" \
    "$GATEWAY" serve --listen 127.0.0.1:0 --no-auth --config-dir "$CONFIG_DIR" \
    </dev/null >/dev/null 2>"$GW_LOG" &
GW_PID=$!

URL=""
deadline=$((SECONDS + START_TIMEOUT_S))
while [ $SECONDS -lt $deadline ]; do
    URL="$(grep -o -m1 'listening on http://[^[:space:]/]*/mcp' "$GW_LOG" 2>/dev/null | sed 's/^listening on //')"
    [ -n "$URL" ] && break
    if ! kill -0 "$GW_PID" 2>/dev/null; then
        wait "$GW_PID"; rc=$?; GW_PID=""
        echo "# gateway stderr:"; sed 's/^/#   /' "$GW_LOG"
        die "gateway exited (code $rc) before printing its listen URL"
    fi
    sleep 0.1
done
if [ -z "$URL" ]; then
    echo "# gateway stderr:"; sed 's/^/#   /' "$GW_LOG"
    die "no 'listening on http://HOST:PORT/mcp' on the gateway's stderr within ${START_TIMEOUT_S} s"
fi
echo "# gateway pid $GW_PID listening at $URL"

# --- run the suite ------------------------------------------------------------------------------
"$NODE22" "$CONFORMANCE" server --url "$URL" --expected-failures "$BASELINE" -o "$RESULTS_DIR" \
    2>&1 | tee "$SUITE_LOG"
SUITE_RC=${PIPESTATUS[0]}

stop_gateway

# --- per-scenario summary -----------------------------------------------------------------------
# Reads the suite's own per-scenario lines ("✓ NAME: a passed, b failed[, c warnings]"; ✓ means no
# failure and no warning, the suite's own criterion), the baseline, and checks.json for details.
"$NODE22" --input-type=module - "$SUITE_LOG" "$BASELINE" "$RESULTS_DIR" "$SUITE_RC" <<'EOF'
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';

const [suiteLog, baselineFile, resultsDir, suiteRcText] = process.argv.slice(2);
const suiteRc = Number(suiteRcText);

// Minimal reader for the baseline format: a top-level "server:" key followed by "- name" items.
function readBaseline(file) {
  const names = new Set();
  let inServer = false;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').replace(/^#.*$/, '');
    if (!line.trim()) continue;
    const key = line.match(/^([A-Za-z_][\w-]*):\s*$/);
    if (key) { inServer = key[1] === 'server'; continue; }
    const item = line.match(/^\s*-\s*["']?([^"'\s]+)["']?\s*$/);
    if (inServer && item) names.add(item[1]);
  }
  return names;
}

const baseline = readBaseline(baselineFile);
const results = new Map(); // scenario -> { pass, text }
for (const line of readFileSync(suiteLog, 'utf8').split('\n')) {
  const m = line.match(/^([✓✗]) (\S+): (\d+) passed, (\d+) failed(?:, (\d+) warnings)?\s*$/);
  if (m) results.set(m[2], { pass: m[1] === '✓', text: line });
}

// Details of failing checks, from RESULTS/server-<scenario>-<timestamp>/checks.json.
function failingChecks(scenario) {
  const out = [];
  if (!existsSync(resultsDir)) return out;
  const re = new RegExp(`^server-${scenario.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{4}-\\d\\d-\\d\\dT`);
  for (const dir of readdirSync(resultsDir)) {
    if (!re.test(dir)) continue;
    try {
      const checks = JSON.parse(readFileSync(path.join(resultsDir, dir, 'checks.json'), 'utf8'));
      for (const c of checks) {
        if (c.status === 'FAILURE' || c.status === 'WARNING') {
          out.push(`${c.status} ${c.id}: ${(c.errorMessage ?? c.description ?? '').replace(/\s+/g, ' ')}`);
        }
      }
    } catch { /* ignore unreadable results */ }
  }
  return out;
}

let passed = 0;
let failed = 0;
const expected = [];
const stale = [];
console.log('\n=== TailOps conformance summary (per scenario) ===');
if (results.size === 0) {
  console.log('not ok - conformance suite: no scenario results found in its output');
  failed++;
}
for (const [scenario, r] of results) {
  const inBaseline = baseline.has(scenario);
  if (r.pass && !inBaseline) {
    passed++;
    console.log(`ok - ${scenario}`);
  } else if (r.pass && inBaseline) {
    failed++;
    stale.push(scenario);
    console.log(`not ok - ${scenario}: passes but is listed in conformance-baseline.yml (stale entry; remove it)`);
  } else if (!r.pass && inBaseline) {
    expected.push(scenario);
    console.log(`ok - ${scenario} # expected failure (baseline)`);
  } else {
    failed++;
    const details = failingChecks(scenario);
    console.log(`not ok - ${scenario}: ${details.length ? details.join(' | ') : r.text}`);
  }
}
const missing = [...baseline].filter((s) => !results.has(s));
if (missing.length) console.log(`# baseline entries not run by this suite: ${missing.join(', ')}`);
console.log(`# ${results.size} scenarios: ${passed} passed, ${expected.length} expected failures (baseline), `
  + `${stale.length} stale baseline entries, suite exit code ${suiteRc}`);
if (suiteRc !== 0 && failed === 0) {
  console.log('not ok - conformance suite exit code: non-zero without a failing scenario');
  failed++;
}
console.log(`${passed} passed, ${failed} failed`);
EOF

exit "$SUITE_RC"

#!/usr/bin/env bash
# A short end-to-end run of tailops-gateway under valgrind memcheck: MCP over stdio (initialize, tools/list,
# tool calls that read /proc, run commands, list and read files, refusals, a bad line, resources), then
# `audit verify` of the log it wrote. Fails on any memcheck error or definite leak.
# Usage: tests/valgrind/run.sh [path/to/tailops-gateway]
set -euo pipefail
GATEWAY=${1:-build/bin/tailops-gateway}
command -v valgrind >/dev/null || { echo "valgrind not installed (apt-get install valgrind)" >&2; exit 1; }
work=$(mktemp -d /tmp/tailops-valgrind-XXXXXX)
trap '[ -n "${TAILOPS_VALGRIND_KEEP:-}" ] || rm -rf "$work"' EXIT
mkdir -p "$work/cfg"
printf 'version: "1.0"\ntargets:\n  local:\n    type: local\n    capabilities: [system:read, network:read, file:read]\n' > "$work/cfg/targets.yaml"
echo "hello from valgrind" > "$work/f.txt"
export TAILOPS_SHARED_SECRET=valgrind-secret-0123456789abcdef0123456789 XDG_DATA_HOME="$work/data" TAILOPS_AUDIT_LOG="$work/audit.jsonl"
# PCRE2's JIT (QRegularExpression) writes code valgrind cannot see into; it reports that code as uninitialised.
export QT_ENABLE_REGEXP_JIT=0
TAILOPS_TOKEN=$("$GATEWAY" token mint --config-dir "$work/cfg" --agent valgrind --scopes readonly 2>/dev/null)
export TAILOPS_TOKEN
vg=(valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite
    --error-exitcode=9 --num-callers=30 --suppressions="$(dirname "$0")/qt.supp" --log-file="$work/valgrind.%p.log")
requests() {
    printf '%s\n' \
        '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"vg","version":"1"}}}' \
        '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
        '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' \
        '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_system_status","arguments":{}}}' \
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"read_file\",\"arguments\":{\"path\":\"$work/f.txt\"}}}" \
        "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"list_directory\",\"arguments\":{\"path\":\"$work\"}}}" \
        '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"health_check","arguments":{}}}' \
        '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_top_processes","arguments":{"limit":3}}}' \
        '{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"read_file","arguments":{"path":"/etc/shadow"}}}' \
        '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"read_file","arguments":{"path":"--x"}}}' \
        '{"jsonrpc":"2.0","id":10,"method":"resources/read","params":{"uri":"tailops://targets"}}' \
        '{"jsonrpc":"2.0","id":11,"method":"prompts/get","params":{"name":"health_check","arguments":{}}}' \
        'not json at all'
    sleep "${TAILOPS_VALGRIND_WAIT:-25}" # the calls run on worker threads; stdin closing ends the gateway
}
requests | "${vg[@]}" "$GATEWAY" serve --stdio --config-dir "$work/cfg" > "$work/out.jsonl" 2> "$work/stderr.log" || rc=$?
answers=$(grep -c '"id"' "$work/out.jsonl" || true)
"${vg[@]}" "$GATEWAY" audit verify --path "$work/audit.jsonl" > "$work/verify.log" 2>&1 || rc2=$?
status=0
for f in "$work"/valgrind.*.log; do
    if grep -qE "^==[0-9]+== [A-Z]" "$f"; then
        cat "$f" >&2
        status=1
    fi
done
printf '| valgrind memcheck | result | |\n|---|---|---|\n'
# --quiet: memcheck prints only errors (each a "==PID== <what>" line followed by its stack) and definite leaks.
errors=$(cat "$work"/valgrind.*.log | grep -cE "^==[0-9]+== (Invalid|Conditional|Use of uninitialised|Syscall param|Mismatched|Source and destination)" || true)
leaks=$(cat "$work"/valgrind.*.log | grep -cE "definitely lost in" || true)
printf '| serve --stdio, 11 requests | %s answers | exit %s |\n' "$answers" "${rc:-0}"
printf '| audit verify | | exit %s |\n' "${rc2:-0}"
printf '| memcheck errors | %s | |\n| definite leaks | %s | |\n' "${errors:-0}" "${leaks:-0}"
[ "$answers" -ge 11 ] || { echo "only $answers answers (expected 11)" >&2; cat "$work/stderr.log" >&2; status=1; }
[ "${rc:-0}" -eq 0 ] && [ "${rc2:-0}" -eq 0 ] || status=1
exit $status

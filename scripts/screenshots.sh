#!/usr/bin/env bash
# scripts/screenshots.sh [OUTDIR] - screenshots of every console panel with real data, for the README.
#
# Runs tailops-console under Xvfb with a tray host (trayer) on a scratch configuration (the local machine, an
# HTTP target, and two targets that fail on purpose so Connectivity shows a cause and a fix), makes real MCP
# calls against it with curl (some allowed, one denied, two waiting for approval), then launches the console a
# second time with --tour OUTDIR: the running instance walks through every panel, saves a PNG of each (the
# whole screen, tray included) and quits. Default OUTDIR: docs/screenshots. Every process it starts is stopped
# by its PID.
set -euo pipefail
REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)

if [ "${1:-}" = "--inside-xvfb" ]; then
    work=$2 out=$3 console=$4 gateway=$5
    pids=()
    cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
    trap cleanup EXIT
    trayer --edge top --align right --widthtype pixel --width 96 --height 24 --transparent false --tint 0x2d2d2d \
        --SetDockType true >/dev/null 2>&1 & pids+=($!)
    sleep 1
    "$console" --config-dir "$work/config" >"$work/console.log" 2>&1 & console_pid=$!; pids+=($console_pid)
    port=$(cat "$work/port")
    url="http://127.0.0.1:$port/mcp"
    for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.2; done
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null || { echo "console did not start:"; cat "$work/console.log"; exit 1; }

    token=$("$gateway" token mint --config-dir "$work/config" --agent claude-desktop --scopes readonly,system:admin --ttl 1h)
    "$gateway" token mint --config-dir "$work/config" --agent ci-bot --scopes system:read --ttl 8h >/dev/null
    mcp() { # mcp SESSION_FILE JSON -> prints the body
        local headers=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')
        [ -s "$1" ] && headers+=(-H "Mcp-Session-Id: $(cat "$1")" -H 'MCP-Protocol-Version: 2025-06-18')
        curl -sS -D "$1.headers" "${headers[@]}" --data "$2" "$url"
        [ -s "$1" ] || grep -i '^mcp-session-id:' "$1.headers" | cut -d' ' -f2 | tr -d '\r\n' > "$1"
    }
    s="$work/session"; : > "$s"
    mcp "$s" '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"claude-desktop","version":"0.9"}}}' >/dev/null
    mcp "$s" '{"jsonrpc":"2.0","method":"notifications/initialized"}' >/dev/null
    mcp "$s" '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' >/dev/null
    id=3
    for call in '"get_system_status","arguments":{"target":"local"}' '"get_disk_usage","arguments":{"target":"local"}' \
                '"get_top_processes","arguments":{"target":"local","limit":5}' '"list_targets","arguments":{}' \
                '"health_check","arguments":{"target":"local"}' '"get_system_status","arguments":{"target":"db-prod"}' \
                '"read_file","arguments":{"target":"local","path":"/etc/shadow"}' '"get_network_status","arguments":{"target":"local"}'; do
        mcp "$s" "{\"jsonrpc\":\"2.0\",\"id\":$id,\"method\":\"tools/call\",\"params\":{\"name\":$call}}" >/dev/null; id=$((id + 1))
        sleep 0.3
    done
    # Two calls that wait for a human: they stay pending while the tour runs.
    s2="$work/session2"; : > "$s2"
    mcp "$s2" '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"claude-code","version":"2.0"}}}' >/dev/null
    mcp "$s2" '{"jsonrpc":"2.0","method":"notifications/initialized"}' >/dev/null
    mcp "$s2" '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_command","arguments":{"target":"local","argv":["systemctl","restart","nginx"]}}}' >/dev/null 2>&1 & pids+=($!)
    sleep 0.5
    mcp "$s2" '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"test_connectivity","arguments":{"target":"web"}}}' >/dev/null 2>&1 & pids+=($!)
    sleep 1.5

    "$console" --config-dir "$work/config" --tour "$out"
    for _ in $(seq 600); do kill -0 "$console_pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$console_pid" 2>/dev/null; then echo "the tour did not finish"; cat "$work/console.log"; exit 1; fi
    grep -h "screenshots:" "$work/console.log" || true
    exit 0
fi

out=$(realpath -m "${1:-$REPO/docs/screenshots}")
for tool in xvfb-run trayer curl; do
    command -v "$tool" >/dev/null || "$REPO/scripts/install-deps.sh" screenshots
done
build=${TAILOPS_BUILD_DIR:-$REPO/build}
if [ ! -x "$build/bin/tailops-console" ]; then
    cmake --preset release >/dev/null && cmake --build --preset release --target tailops-console tailops-gateway
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "$port" > "$work/port"
mkdir -m 700 "$work/config"
(umask 077; openssl rand -hex 32 > "$work/config/secret")
cat > "$work/config/gateway.yaml" <<YAML
listen: ["127.0.0.1:$port"]
auth: {secret_file: secret, tokens_file: $work/config/tokens.json}
audit: {path: $work/config/audit.jsonl}
admin: {socket: $work/config/admin.sock}
YAML
cat > "$work/config/targets.yaml" <<YAML
version: "1.0"
targets:
  local:
    type: local
    description: This machine
    capabilities: [system:read, network:read, file:read, network:diag, system:admin]
    metadata: {tags: [local, control-plane]}
  web:
    type: http
    description: The gateway's own health endpoint
    connection: {url: "http://127.0.0.1:$port/health"}
    capabilities: [network:read, network:diag]
    metadata: {tags: [web]}
  db-prod:
    type: remote
    description: "Fails on purpose: nothing listens on port 1"
    connection: {executor: ssh, host: 127.0.0.1, port: 1, username: ops, key_path: $work/config/id_demo, timeout: 3}
    capabilities: [system:read]
    metadata: {tags: [prod, db]}
  docker-lab:
    type: docker
    description: "Fails on purpose: no Docker socket here"
    connection: {socket_path: $work/no-docker.sock}
    capabilities: [container:read]
    metadata: {tags: [lab]}
YAML
(umask 077; : > "$work/config/id_demo")
cat > "$work/config/policy.yaml" <<YAML
version: "1"
default: deny
rules:
  - {name: observe, effect: allow, tools: ["list_targets", "get_*", "health_check", "read_file"]}
  - {name: probes-need-a-human, effect: require_approval, tools: [test_connectivity]}
  - {name: commands-need-a-human, effect: require_approval, tools: [run_command]}
YAML
mkdir -p "$out"
export XDG_CONFIG_HOME="$work/xdg-config" XDG_DATA_HOME="$work/xdg-data" XDG_RUNTIME_DIR="$work/xdg-runtime"
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
xvfb-run -a -s '-screen 0 1280x800x24' "$0" --inside-xvfb "$work" "$out" "$build/bin/tailops-console" "$build/bin/tailops-gateway"
ls -1 "$out"/*.png

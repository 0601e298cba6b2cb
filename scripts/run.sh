#!/usr/bin/env bash
# Installs what is missing, builds, creates a default configuration (the local machine as the only
# target, loopback only, a fresh secret and a first token), then starts the console, or the headless
# gateway when there is no display.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh build
cmake --preset release >/dev/null
cmake --build --preset release

config_dir=${TAILOPS_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/tailops}
if [ ! -f "$config_dir/gateway.yaml" ]; then
    mkdir -p "$config_dir"
    chmod 700 "$config_dir"
    (umask 077; openssl rand -hex 32 > "$config_dir/secret")
    cat > "$config_dir/gateway.yaml" <<YAML
# Created by scripts/run.sh. See config/gateway.yaml in the source tree for every setting.
listen: ["127.0.0.1:8080"]
auth:
  secret_file: secret
YAML
    echo "created $config_dir (gateway.yaml, secret)"
fi

gw=build/bin/tailops-gateway
token=$("$gw" token mint --config-dir "$config_dir" --agent "${USER:-admin}-claude" --scopes readonly --ttl 8h)
cat <<MSG

TailOps gateway: http://127.0.0.1:8080/mcp   (config: $config_dir)
A read-only token for your MCP client, valid 8 hours:

  $token

Claude Code:  claude mcp add --transport http tailops http://127.0.0.1:8080/mcp --header "Authorization: Bearer $token"

MSG

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x build/bin/tailops-console ]; then
    exec build/bin/tailops-console --config-dir "$config_dir"
fi
exec "$gw" serve --config-dir "$config_dir"

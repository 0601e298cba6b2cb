#!/usr/bin/env bash
# Installs what TailOps needs from Debian 12 (bookworm) when it is missing.
# Usage: install-deps.sh [build|test|screenshots]
set -euo pipefail
mode=${1:-build}

packages=(cmake ninja-build g++ pkg-config
          qt6-base-dev qt6-httpserver-dev qt6-svg-dev libqt6svg6 libqt6opengl6-dev qt6-qpa-plugins
          libyaml-cpp-dev libssl-dev openssl ca-certificates libssh-dev libcurl4-openssl-dev)
if [ "$mode" = test ]; then
    packages+=(wrk procps iproute2 iputils-ping curl openssh-server openssh-client docker.io busybox-static valgrind bc clang-14 libclang-rt-14-dev systemd)
    # scripts/package-check.sh: cpack's .deb generator (dpkg-shlibdeps, file), readelf, and the metadata validators.
    packages+=(dpkg-dev file binutils desktop-file-utils appstream libxml2-utils)
    # scripts/screenshots.sh: a virtual X server and a system tray host for it.
    packages+=(xvfb xauth trayer x11-utils)
    command -v node >/dev/null 2>&1 || packages+=(nodejs)
    command -v npm >/dev/null 2>&1 || packages+=(npm)
fi
if [ "$mode" = screenshots ]; then
    packages+=(xvfb xauth trayer x11-utils curl)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

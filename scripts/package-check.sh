#!/usr/bin/env bash
# Builds the Debian packages of a configured and built tree with cpack and checks them: expected paths,
# maintainer scripts, versions, dependencies (the gateway package pulls in no Qt GUI library), and, from a
# scratch root made with dpkg -x, that both executables run and report the project version and that the
# .desktop file, the AppStream metainfo and the icons validate. Usage: scripts/package-check.sh BUILD_DIR
# Needs: cpack, dpkg-dev, file, desktop-file-utils, appstream, libxml2-utils (scripts/install-deps.sh test).
set -euo pipefail

fail() {
    echo "package-check: FAILED: $*" >&2
    exit 1
}
note() { echo "package-check: $*"; }

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" 2>/dev/null && pwd) || fail "no build directory '$1'"
config="$build/CPackConfig.cmake"
[ -f "$config" ] || fail "$config is missing: configure the build first (cmake --preset ci)"

for tool in cpack dpkg-deb dpkg-shlibdeps file desktop-file-validate appstreamcli xmllint readelf; do
    command -v "$tool" >/dev/null 2>&1 || fail "'$tool' is not installed (scripts/install-deps.sh test installs it)"
done

# What the build directory says it packages.
cpack_value() { sed -n "s/^set($1 \"\(.*\)\")\$/\1/p" "$config"; }
version=$(cpack_value CPACK_PACKAGE_VERSION)
outdir=$(cpack_value CPACK_PACKAGE_DIRECTORY)
components=$(cpack_value CPACK_COMPONENTS_ALL)
[ -n "$version" ] || fail "no CPACK_PACKAGE_VERSION in $config"
[ -n "$outdir" ] || fail "no CPACK_PACKAGE_DIRECTORY in $config"
with_console=false
case ";$components;" in *";console;"*) with_console=true ;; esac
arch=$(dpkg --print-architecture)

binaries=(tailops-gateway)
$with_console && binaries+=(tailops-console)
for b in "${binaries[@]}"; do
    [ -x "$build/bin/$b" ] || fail "$build/bin/$b is not built (cmake --build $build --target ${binaries[*]})"
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tailops-package-check.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# 1. cpack, from a clean package directory so only this run's packages are checked.
rm -f "$outdir"/*.deb
note "cpack in $build (version $version, components: ${components//;/ })"
if ! (cd "$build" && cpack --config "$config" -G DEB) >"$scratch/cpack.log" 2>&1; then
    tail -n 30 "$scratch/cpack.log" >&2
    fail "cpack failed (log above)"
fi

gateway_deb="$outdir/tailops-gateway_${version}_${arch}.deb"
console_deb="$outdir/tailops-console_${version}_${arch}.deb"
debs=("$gateway_deb")
$with_console && debs+=("$console_deb")
for deb in "${debs[@]}"; do
    [ -f "$deb" ] || fail "cpack did not write $(basename "$deb"); it wrote: $(find "$outdir" -maxdepth 1 -name '*.deb' -printf '%f ')"
done

# 2. Contents and control data of each package.
expect_paths() { # DEB PATH...: every PATH is in the package
    local deb=$1 listing
    shift
    listing=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|')
    for p in "$@"; do
        grep -qxF "$p" <<<"$listing" || fail "$(basename "$deb") lacks $p"
    done
}
refuse_paths() { # DEB REGEX: no path in the package matches REGEX
    local deb=$1 hits
    hits=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' | grep -E "$2" || true)
    [ -z "$hits" ] || fail "$(basename "$deb") must not contain: $hits"
}
expect_field() { # DEB FIELD VALUE
    local got
    got=$(dpkg-deb -f "$1" "$2")
    [ "$got" = "$3" ] || fail "$(basename "$1"): $2 is '$got', expected '$3'"
}

for deb in "${debs[@]}"; do
    echo "--- $(basename "$deb")"
    dpkg-deb -c "$deb"
    dpkg-deb -f "$deb" Package Version Architecture Depends Recommends
done

expect_field "$gateway_deb" Package tailops-gateway
expect_field "$gateway_deb" Version "$version"
expect_field "$gateway_deb" Architecture "$arch"
expect_paths "$gateway_deb" \
    /usr/bin/tailops-gateway \
    /usr/lib/systemd/system/tailops-gateway.service \
    /usr/lib/sysusers.d/tailops.conf \
    /usr/lib/tmpfiles.d/tailops.conf \
    /usr/share/doc/tailops-gateway/README.md \
    /usr/share/doc/tailops-gateway/examples/gateway.yaml \
    /usr/share/doc/tailops-gateway/examples/targets.yaml \
    /usr/share/doc/tailops-gateway/examples/policy.yaml
refuse_paths "$gateway_deb" '^/usr/bin/tailops-console$|^/usr/share/(applications|metainfo|icons)/|^/etc/'

dpkg-deb --ctrl-tarfile "$gateway_deb" | tar -x -C "$scratch" --one-top-level=gateway-control
for script in postinst prerm postrm; do
    f="$scratch/gateway-control/$script"
    [ -f "$f" ] || fail "tailops-gateway has no $script"
    [ -x "$f" ] || fail "tailops-gateway's $script is not executable"
    sh -n "$f" || fail "tailops-gateway's $script is not valid sh"
    if grep -nE '^[^#]*systemctl[^#]*\b(enable|start|restart)\b' "$f"; then
        fail "tailops-gateway's $script enables or starts the service; installing must not do that"
    fi
done

# The gateway is for servers: no Widgets, GUI, SVG, OpenGL or X11 library, neither in Depends nor linked.
gui_libs='libqt6(widgets|gui|svg|opengl|xcb|wayland)|libgl[0-9x]|libegl|libx11|libxcb|libxkb|libfontconfig|libfreetype'
depends=$(dpkg-deb -f "$gateway_deb" Depends)
[ -n "$depends" ] || fail "tailops-gateway has no Depends (was dpkg-shlibdeps run?)"
grep -q 'libqt6core6' <<<"$depends" || fail "tailops-gateway's Depends lacks libqt6core6: '$depends'"
if grep -Eio "$gui_libs" <<<"$depends" >"$scratch/hits"; then
    fail "tailops-gateway depends on GUI libraries ($(tr '\n' ' ' <"$scratch/hits")): '$depends'"
fi

if $with_console; then
    expect_field "$console_deb" Package tailops-console
    expect_field "$console_deb" Version "$version"
    expect_field "$console_deb" Architecture "$arch"
    expect_paths "$console_deb" \
        /usr/bin/tailops-console \
        /usr/share/applications/io.tailops.Console.desktop \
        /usr/share/metainfo/io.tailops.Console.metainfo.xml \
        /usr/share/icons/hicolor/scalable/apps/io.tailops.Console.svg
    refuse_paths "$console_deb" '^/usr/bin/tailops-gateway$|^/usr/lib/systemd/|^/etc/'
    cdepends=$(dpkg-deb -f "$console_deb" Depends)
    for want in "tailops-gateway (= $version)" libqt6widgets6 libqt6svg6; do
        grep -qF "$want" <<<"$cdepends" || fail "tailops-console's Depends lacks '$want': '$cdepends'"
    done
fi

# 3. Unpacked into a scratch root (both packages, as they install together).
root="$scratch/root"
mkdir -p "$root" "$scratch/home"
for deb in "${debs[@]}"; do
    dpkg -x "$deb" "$root"
done
for b in "${binaries[@]}"; do
    readelf -d "$root/usr/bin/$b" >/dev/null 2>&1 || fail "$b in the package is not an ELF executable"
done
if readelf -d "$root/usr/bin/tailops-gateway" | grep -Eio 'NEEDED.*(libQt6(Widgets|Gui|Svg|OpenGL)|libX11|libxcb|libGL)[^]]*'; then
    fail "the packaged tailops-gateway links a GUI library (above)"
fi

# Both executables run from the package and report the project version. HOME and XDG dirs point into the
# scratch directory so nothing touches the real user's configuration.
run_version() { # NAME: prints NAME --version, run from the scratch root
    env -i PATH=/usr/bin:/bin HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/home/config" \
        XDG_DATA_HOME="$scratch/home/data" XDG_RUNTIME_DIR="$scratch/home/run" QT_QPA_PLATFORM=offscreen \
        timeout 30 "$root/usr/bin/$1" --version 2>"$scratch/$1.err"
}
mkdir -p "$scratch/home/run" && chmod 700 "$scratch/home/run"
for b in "${binaries[@]}"; do
    if ! out=$(run_version "$b"); then
        cat "$scratch/$b.err" >&2
        fail "$b --version from the package failed"
    fi
    first=$(head -n 1 <<<"$out")
    [ "$first" = "$b $version" ] || fail "$b --version printed '$first', expected '$b $version'"
    note "$first (from the package)"
done

# Metadata: the unit file parses, the desktop entry, metainfo and icons validate in the installed tree.
grep -qx 'ExecStart=/usr/bin/tailops-gateway serve --config-dir /etc/tailops' \
    "$root/usr/lib/systemd/system/tailops-gateway.service" ||
    fail "tailops-gateway.service does not start /usr/bin/tailops-gateway serve --config-dir /etc/tailops"
if command -v systemd-analyze >/dev/null 2>&1; then
    # The unit as packaged, but starting the extracted binary, so verify can check ExecStart= too.
    sed "s|/usr/bin/tailops-gateway|$root/usr/bin/tailops-gateway|g" \
        "$root/usr/lib/systemd/system/tailops-gateway.service" >"$scratch/tailops-gateway.service"
    systemd-analyze verify "$scratch/tailops-gateway.service" ||
        fail "systemd-analyze verify reports problems in tailops-gateway.service (above)"
else
    note "systemd-analyze is not installed: the unit file is not verified"
fi
# What postinst does on a real system (systemd-sysusers, systemd-tmpfiles), done inside the scratch root: the
# tailops user exists and /etc/tailops is root:tailops 0750, so the service can read its configuration.
if [ "$(id -u)" -eq 0 ] && command -v systemd-sysusers >/dev/null 2>&1 && command -v systemd-tmpfiles >/dev/null 2>&1; then
    mkdir -p "$root/etc"
    systemd-sysusers --root="$root" tailops.conf >"$scratch/sysusers.log" 2>&1 ||
        { cat "$scratch/sysusers.log" >&2; fail "systemd-sysusers cannot apply /usr/lib/sysusers.d/tailops.conf"; }
    grep -q '^tailops:x:[0-9]*:[0-9]*:[^:]*:/var/lib/tailops:' "$root/etc/passwd" ||
        fail "sysusers did not create the tailops user with home /var/lib/tailops"
    gid=$(awk -F: '$1 == "tailops" { print $3 }' "$root/etc/group")
    systemd-tmpfiles --root="$root" --create tailops.conf >"$scratch/tmpfiles.log" 2>&1 ||
        { cat "$scratch/tmpfiles.log" >&2; fail "systemd-tmpfiles cannot apply /usr/lib/tmpfiles.d/tailops.conf"; }
    got=$(stat -c '%a %u %g' "$root/etc/tailops")
    [ "$got" = "750 0 $gid" ] || fail "/etc/tailops is '$got' (mode uid gid), expected '750 0 $gid'"
else
    note "not root, or no systemd-sysusers/systemd-tmpfiles: the sysusers and tmpfiles entries are not applied"
fi

if $with_console; then
    desktop-file-validate "$root/usr/share/applications/io.tailops.Console.desktop" >"$scratch/desktop.log" 2>&1 ||
        { cat "$scratch/desktop.log" >&2; fail "desktop-file-validate rejects io.tailops.Console.desktop"; }
    if grep -E 'error:|warning:' "$scratch/desktop.log"; then
        fail "desktop-file-validate warns about io.tailops.Console.desktop (above)"
    fi
    appstreamcli validate --no-net "$root/usr/share/metainfo/io.tailops.Console.metainfo.xml" >"$scratch/as.log" 2>&1 ||
        { cat "$scratch/as.log" >&2; fail "appstreamcli validate rejects io.tailops.Console.metainfo.xml"; }
    # The installed tree: the metainfo's launchable .desktop file and its icon are where they must be.
    appstreamcli validate-tree --no-net "$root" >"$scratch/astree.log" 2>&1 ||
        { cat "$scratch/astree.log" >&2; fail "appstreamcli validate-tree rejects the installed console files"; }
    grep -q '<binary>tailops-gateway</binary>' "$root/usr/share/metainfo/io.tailops.Console.metainfo.xml" ||
        fail "the metainfo does not list tailops-gateway under <provides>"
    grep -q "<release version=\"$version\"" "$root/usr/share/metainfo/io.tailops.Console.metainfo.xml" ||
        fail "the metainfo has no <release> for version $version"
    xmllint --noout "$root/usr/share/icons/hicolor/scalable/apps/io.tailops.Console.svg" ||
        fail "the application icon is not well-formed SVG"
fi

note "OK: $(for d in "${debs[@]}"; do printf '%s ' "$(basename "$d")"; done)in $outdir"

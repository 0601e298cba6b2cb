# Install rules and CPack: two Debian packages built from one tree (cpack in the build directory):
#   tailops-gateway_VERSION_ARCH.deb  the headless gateway, its systemd unit, sysusers/tmpfiles entries and
#                                     example configs; no Widgets, so a server does not pull Qt's GUI stack
#   tailops-console_VERSION_ARCH.deb  the Widgets console, its .desktop file, AppStream metainfo and icon;
#                                     depends on the gateway package of the same version (its command line)
# scripts/package-check.sh builds both and checks their contents, dependencies and metadata.
include(GNUInstallDirs)

set(tailops_unitdir lib/systemd/system)
set(tailops_sysusersdir lib/sysusers.d)
set(tailops_tmpfilesdir lib/tmpfiles.d)

install(FILES packaging/systemd/tailops-gateway.service
        DESTINATION ${tailops_unitdir} COMPONENT gateway)
install(FILES packaging/systemd/tailops.sysusers
        DESTINATION ${tailops_sysusersdir} RENAME tailops.conf COMPONENT gateway)
install(FILES packaging/systemd/tailops.tmpfiles
        DESTINATION ${tailops_tmpfilesdir} RENAME tailops.conf COMPONENT gateway)
install(FILES README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tailops-gateway COMPONENT gateway)
install(FILES config/gateway.yaml config/targets.yaml config/policy.yaml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tailops-gateway/examples COMPONENT gateway)
if(TAILOPS_BUILD_GUI)
    install(FILES packaging/linux/io.tailops.Console.desktop
            DESTINATION ${CMAKE_INSTALL_DATADIR}/applications COMPONENT console)
    install(FILES packaging/linux/io.tailops.Console.metainfo.xml
            DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo COMPONENT console)
    install(FILES resources/icons/tailops.svg
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps RENAME io.tailops.Console.svg
            COMPONENT console)
endif()

set(CPACK_PACKAGE_NAME "tailops")
set(CPACK_PACKAGE_VENDOR "TailOps")
set(CPACK_PACKAGE_CONTACT "TailOps maintainers <maintainers@tailops.invalid>")
# CPackDeb puts the project summary before every component's description unless the summary is CPack's own
# default; keep that default so each package's Description starts with its own synopsis (set below).
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://tailops.example.org/")
set(CPACK_PACKAGE_DIRECTORY "${PROJECT_BINARY_DIR}/packages")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR "DEB")

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL gateway)
set(CPACK_COMPONENT_GATEWAY_DISPLAY_NAME "TailOps gateway")
if(TAILOPS_BUILD_GUI)
    list(APPEND CPACK_COMPONENTS_ALL console)
    set(CPACK_COMPONENT_CONSOLE_DISPLAY_NAME "TailOps console")
    set(CPACK_COMPONENT_CONSOLE_DEPENDS gateway)
endif()

# DEB-DEFAULT names the files NAME_VERSION_ARCH.deb (no revision is set).
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_GATEWAY_PACKAGE_NAME "tailops-gateway")
set(CPACK_DEBIAN_GATEWAY_PACKAGE_SUGGESTS "tailscale")
set(CPACK_DEBIAN_GATEWAY_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/packaging/debian/gateway/postinst"
    "${PROJECT_SOURCE_DIR}/packaging/debian/gateway/prerm"
    "${PROJECT_SOURCE_DIR}/packaging/debian/gateway/postrm")
# A Debian description: the synopsis, then the extended text (CPack indents it), lines under 80 columns.
set(CPACK_COMPONENT_GATEWAY_DESCRIPTION
    "MCP gateway that lets AI assistants operate your machines
TailOps lets MCP clients (Claude Desktop, Claude Code, Cursor, any MCP client)
run tools on SSH hosts, Docker engines, HTTP endpoints and the local machine
through scoped tokens, per-target capabilities, policy rules, human approval
and a tamper-evident audit log.

This package holds the headless gateway (tailops-gateway), its command line
and a hardened systemd unit, which is installed but not enabled.")

set(CPACK_DEBIAN_CONSOLE_PACKAGE_NAME "tailops-console")
# The SVG icon engine and image plugin are loaded at run time, so dpkg-shlibdeps cannot see them.
set(CPACK_DEBIAN_CONSOLE_PACKAGE_DEPENDS "libqt6svg6 (>= 6.4)")
set(CPACK_DEBIAN_CONSOLE_PACKAGE_RECOMMENDS "qt6-wayland")
set(CPACK_COMPONENT_CONSOLE_DESCRIPTION
    "desktop console for the TailOps MCP gateway
The TailOps console runs the MCP gateway in-process and shows what it does:
gateway state and clients, targets and their connectivity checks, token
minting with a ready-to-paste client setup, live approvals of risky calls,
the audit log with chain verification, and diagnostics with their fixes.")

include(CPack)

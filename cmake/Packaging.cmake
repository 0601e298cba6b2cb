include(GNUInstallDirs)

install(FILES packaging/systemd/tailops-gateway.service
        DESTINATION lib/systemd/system COMPONENT gateway)
install(FILES packaging/systemd/tailops.sysusers
        DESTINATION lib/sysusers.d RENAME tailops.conf COMPONENT gateway)
install(FILES config/gateway.yaml config/targets.yaml config/policy.yaml
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples COMPONENT gateway)
if(TAILOPS_BUILD_GUI)
    install(FILES packaging/linux/io.tailops.Console.desktop
            DESTINATION ${CMAKE_INSTALL_DATADIR}/applications COMPONENT console)
    install(FILES resources/icons/tailops.svg
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps RENAME io.tailops.Console.svg
            COMPONENT console)
endif()

set(CPACK_PACKAGE_NAME "tailops")
set(CPACK_PACKAGE_VENDOR "TailOps")
set(CPACK_PACKAGE_CONTACT "TailOps maintainers <maintainers@tailops.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_GENERATOR "DEB")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
include(CPack)

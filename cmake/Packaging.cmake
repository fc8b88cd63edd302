# What `cmake --install` puts where, the CMake package config behind find_package(faultline),
# and the Debian package (`cpack -G DEB`, or scripts/package).
#
# Components, so a tree can be installed in parts:
#   runtime  bin/faultline
#   testing  include/faultline/*.hpp (+ testing/), lib/cmake/faultline/ (find_package)
#   service  /etc/faultline/rules.yaml, the systemd unit (absolute paths: the .deb only)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The test helper: header-only, so the target carries include paths and nlohmann_json only.
add_library(faultline_testing INTERFACE)
add_library(faultline::testing ALIAS faultline_testing)
set_target_properties(faultline_testing PROPERTIES EXPORT_NAME testing)
target_include_directories(faultline_testing INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/proxy/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(faultline_testing INTERFACE nlohmann_json::nlohmann_json)
target_compile_features(faultline_testing INTERFACE cxx_std_20)

install(TARGETS faultline RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)

# Every public header: testing.hpp, its parts, the API client and the builder headers
# (testing_*.hpp) that sit beside it.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/proxy/include/faultline
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT testing
        FILES_MATCHING PATTERN "*.hpp")
install(TARGETS faultline_testing EXPORT faultlineTargets COMPONENT testing)
set(_faultline_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/faultline)
install(EXPORT faultlineTargets NAMESPACE faultline:: DESTINATION ${_faultline_cmake_dir} COMPONENT testing)
configure_package_config_file(${PROJECT_SOURCE_DIR}/packaging/faultlineConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/faultlineConfig.cmake
                              INSTALL_DESTINATION ${_faultline_cmake_dir}
                              PATH_VARS CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/faultlineConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/faultlineConfig.cmake ${PROJECT_BINARY_DIR}/faultlineConfigVersion.cmake
        DESTINATION ${_faultline_cmake_dir} COMPONENT testing)

install(FILES ${PROJECT_SOURCE_DIR}/packaging/rules.example.yaml ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT testing)
# The service's files live at fixed system paths: installed only into a package (cpack sets
# DESTDIR), never by a plain `cmake --install --prefix` of the tree.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/rules.example.yaml
        DESTINATION /etc/faultline RENAME rules.yaml COMPONENT service EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/faultline.service
        DESTINATION /lib/systemd/system COMPONENT service EXCLUDE_FROM_ALL)

# --- the Debian package -------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME faultline)
set(CPACK_PACKAGE_VENDOR "Faultline")
set(CPACK_PACKAGE_CONTACT "Faultline maintainers <faultline@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Fault-injection TCP proxy, wire-compatible with Toxiproxy's v2 API")
set(CPACK_PACKAGE_DESCRIPTION
    "Faultline puts latency, bandwidth limits, resets, timeouts and other faults between a program and
 the services it talks to, driven by any Toxiproxy client or a watched YAML rules file. The
 package holds the faultline binary, a systemd unit, an example rules file and the header-only
 C++ test helper (find_package(faultline), target faultline::testing).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_COMPONENTS_ALL runtime testing service)
# One package holding every component (the service ones are EXCLUDE_FROM_ALL for plain installs).
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # faultline_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: computed by dpkg-shlibdeps from what bin/faultline links (libuv1, libspdlog, ...).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The test helper's headers need nlohmann/json in the user's build; the server does not.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nlohmann-json3-dev")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)

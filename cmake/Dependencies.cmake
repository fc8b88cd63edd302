# Every dependency comes from a Debian 12 package; nothing is downloaded at build time.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBUV REQUIRED IMPORTED_TARGET libuv)   # libuv1-dev
find_package(yaml-cpp REQUIRED)                           # libyaml-cpp-dev (target: yaml-cpp)
find_package(spdlog REQUIRED)                             # libspdlog-dev
find_package(nlohmann_json REQUIRED)                      # nlohmann-json3-dev
find_package(CLI11 REQUIRED)                              # libcli11-dev
find_package(Threads REQUIRED)

# Debian has no libllhttp-dev; node-llhttp installs llhttp 8.1's generated C sources instead.
find_path(LLHTTP_INCLUDE_DIR llhttp.h PATHS /usr/share/include/llhttp /usr/include/llhttp
          REQUIRED NO_DEFAULT_PATH)
find_path(LLHTTP_SOURCE_DIR llhttp.c PATHS /usr/share/llhttp REQUIRED NO_DEFAULT_PATH)
add_library(llhttp STATIC ${LLHTTP_SOURCE_DIR}/llhttp.c ${LLHTTP_SOURCE_DIR}/api.c
                          ${LLHTTP_SOURCE_DIR}/http.c)
target_include_directories(llhttp SYSTEM PUBLIC ${LLHTTP_INCLUDE_DIR})
set_target_properties(llhttp PROPERTIES POSITION_INDEPENDENT_CODE ON)
faultline_enable_sanitizers(llhttp)
add_library(llhttp::llhttp ALIAS llhttp)

if(FAULTLINE_BUILD_TESTS)
  find_package(GTest REQUIRED)                            # libgtest-dev, libgmock-dev
endif()

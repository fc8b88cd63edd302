# sources of src/scenario: `faultline scenario run FILE.yaml` (the runner behind scripts/simulate)
# and scenario files in `faultline validate`. Its own library: the proxy does not need it, the
# faultline binary and the scenario tests do.
add_library(faultline_scenario STATIC
  ${CMAKE_CURRENT_LIST_DIR}/expectations.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fault_windows.cpp
  ${CMAKE_CURRENT_LIST_DIR}/html_report.cpp
  ${CMAKE_CURRENT_LIST_DIR}/load_runner.cpp
  ${CMAKE_CURRENT_LIST_DIR}/observer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/placeholders.cpp
  ${CMAKE_CURRENT_LIST_DIR}/process_group.cpp
  ${CMAKE_CURRENT_LIST_DIR}/prometheus_text.cpp
  ${CMAKE_CURRENT_LIST_DIR}/proxies_section.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ready_probe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/run_stats.cpp
  ${CMAKE_CURRENT_LIST_DIR}/scenario_command.cpp
  ${CMAKE_CURRENT_LIST_DIR}/scenario_parser.cpp
  ${CMAKE_CURRENT_LIST_DIR}/scenario_runner.cpp
  ${CMAKE_CURRENT_LIST_DIR}/summary_table.cpp)
target_link_libraries(faultline_scenario PUBLIC faultline_proxy CLI11::CLI11)

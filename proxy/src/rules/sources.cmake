# sources of src/rules: rules files (YAML / Toxiproxy JSON) -> validated config -> registry.
target_sources(faultline_proxy PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/rules_errors.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rules_content_hash.cpp
  ${CMAKE_CURRENT_LIST_DIR}/yaml_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rules_toxic_node.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rules_schedule_node.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rules_parser.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rules_loader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rules_reconciler.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rules_watcher.cpp
  ${CMAKE_CURRENT_LIST_DIR}/validate_command.cpp)

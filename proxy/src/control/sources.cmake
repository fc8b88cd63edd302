# sources of src/control (owned by that part): the Toxiproxy-compatible REST API
target_sources(faultline_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/json_mapping.cpp
  ${CMAKE_CURRENT_LIST_DIR}/schedule_json.cpp
  ${CMAKE_CURRENT_LIST_DIR}/control_router.cpp
  ${CMAKE_CURRENT_LIST_DIR}/control_server.cpp)

# sources of src/control (owned by that part): the Toxiproxy-compatible REST API
target_sources(faultline_proxy PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/json_fields.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json_body.cpp
  ${CMAKE_CURRENT_LIST_DIR}/toxic_json.cpp
  ${CMAKE_CURRENT_LIST_DIR}/schedule_json.cpp
  ${CMAKE_CURRENT_LIST_DIR}/proxy_json.cpp
  ${CMAKE_CURRENT_LIST_DIR}/control_router.cpp
  ${CMAKE_CURRENT_LIST_DIR}/connections_routes.cpp
  ${CMAKE_CURRENT_LIST_DIR}/events_route.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ui/ui_page.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ui/ui_routes.cpp
  ${CMAKE_CURRENT_LIST_DIR}/control_server.cpp)

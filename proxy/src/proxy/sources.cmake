target_sources(faultline_proxy PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/link.cpp
  ${CMAKE_CURRENT_LIST_DIR}/session.cpp
  ${CMAKE_CURRENT_LIST_DIR}/connection_info.cpp
  ${CMAKE_CURRENT_LIST_DIR}/connections_access.cpp
  ${CMAKE_CURRENT_LIST_DIR}/proxy_spec.cpp
  ${CMAKE_CURRENT_LIST_DIR}/proxy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/proxy_registry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/proxy_reconciler.cpp
  ${CMAKE_CURRENT_LIST_DIR}/schedule_tracker.cpp
  ${CMAKE_CURRENT_LIST_DIR}/toxic_scheduler.cpp)

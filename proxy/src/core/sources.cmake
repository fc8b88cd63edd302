target_sources(faultline_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/error.cpp
  ${CMAKE_CURRENT_LIST_DIR}/log_escape.cpp
  ${CMAKE_CURRENT_LIST_DIR}/text_escape.cpp
  ${CMAKE_CURRENT_LIST_DIR}/utc_time.cpp)

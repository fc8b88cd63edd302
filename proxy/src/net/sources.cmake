target_sources(faultline_net PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/address.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cidr.cpp
  ${CMAKE_CURRENT_LIST_DIR}/connect_blackhole.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dialer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fd_reserve.cpp
  ${CMAKE_CURRENT_LIST_DIR}/memory_reclaim.cpp
  ${CMAKE_CURRENT_LIST_DIR}/original_destination.cpp
  ${CMAKE_CURRENT_LIST_DIR}/read_slab.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tcp_listener.cpp
  ${CMAKE_CURRENT_LIST_DIR}/timer_queue.cpp
  ${CMAKE_CURRENT_LIST_DIR}/uv_error.cpp
  ${CMAKE_CURRENT_LIST_DIR}/write_request.cpp)

target_sources(faultline_proxy PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/toxic_spec.cpp
  ${CMAKE_CURRENT_LIST_DIR}/toxic_streams.cpp
  ${CMAKE_CURRENT_LIST_DIR}/toxic_registry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/held_queue.cpp
  ${CMAKE_CURRENT_LIST_DIR}/latency_distribution.cpp
  ${CMAKE_CURRENT_LIST_DIR}/latency_toxic.cpp
  ${CMAKE_CURRENT_LIST_DIR}/bandwidth_toxic.cpp
  ${CMAKE_CURRENT_LIST_DIR}/slow_close_toxic.cpp
  ${CMAKE_CURRENT_LIST_DIR}/timeout_toxic.cpp
  ${CMAKE_CURRENT_LIST_DIR}/reset_peer_toxic.cpp
  ${CMAKE_CURRENT_LIST_DIR}/slicer_toxic.cpp
  ${CMAKE_CURRENT_LIST_DIR}/limit_data_toxic.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cut_toxic.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tcp_loss_toxic.cpp
  ${CMAKE_CURRENT_LIST_DIR}/corrupt_toxic.cpp)

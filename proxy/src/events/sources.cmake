# sources of src/events (issue 15): the event bus components publish to and the SSE route reads
target_sources(faultline_proxy PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/event_bus.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fault_events.cpp)

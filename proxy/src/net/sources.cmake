target_sources(faultline_net PRIVATE ${CMAKE_CURRENT_LIST_DIR}/address.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cidr.cpp
  ${CMAKE_CURRENT_LIST_DIR}/connect_blackhole.cpp)

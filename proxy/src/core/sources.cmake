target_sources(faultline_net PRIVATE ${CMAKE_CURRENT_LIST_DIR}/error.cpp)

target_sources(faultline_core PRIVATE ${CMAKE_CURRENT_LIST_DIR}/error.cpp)

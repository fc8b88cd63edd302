# sources of src/http (owned by that part): faultline_http's one HTTP stack
target_sources(faultline_http PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/http_message.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_wire.cpp
  ${CMAKE_CURRENT_LIST_DIR}/llhttp_machine.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_parser.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_server.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_connection.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_responder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_event_stream.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_url.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_client.cpp)

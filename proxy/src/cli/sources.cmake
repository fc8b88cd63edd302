# sources of src/cli (owned by that part): the toxiproxy-cli style client commands
target_sources(faultline_cli PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/attribute_arg.cpp
  ${CMAKE_CURRENT_LIST_DIR}/table.cpp
  ${CMAKE_CURRENT_LIST_DIR}/api_client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client_commands.cpp
  ${CMAKE_CURRENT_LIST_DIR}/connections_commands.cpp
  ${CMAKE_CURRENT_LIST_DIR}/top_command.cpp
  ${CMAKE_CURRENT_LIST_DIR}/event_line.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json_text.cpp
  ${CMAKE_CURRENT_LIST_DIR}/schedule_args.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client_main.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fleet.cpp)

# sources of src/metrics (owned by that part): Prometheus text exposition for GET /metrics
target_sources(faultline_proxy PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/prometheus_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/metrics_renderer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/toxic_effects_metrics.cpp)

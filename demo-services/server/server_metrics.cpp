#include "server_metrics.h"

#include <fmt/format.h>

namespace faultline {

void ServerMetrics::recordRequest(const std::string& path, const std::string& outcome, Duration latency) {
  ++requests_[{path, outcome}];
  Histogram& h = latency_[path];
  const double seconds = std::chrono::duration<double>(latency).count();
  ++h.count;
  h.sum_seconds += seconds;
  for (std::size_t i = 0; i < kLatencyBucketsSeconds.size(); ++i) {
    if (seconds <= kLatencyBucketsSeconds[i]) {
      ++h.buckets[i];
      break;
    }
  }
}

uint64_t ServerMetrics::requests(const std::string& path, const std::string& outcome) const {
  auto it = requests_.find({path, outcome});
  return it == requests_.end() ? 0 : it->second;
}

std::string ServerMetrics::render(const Gauges& g) const {
  std::string out;
  auto line = [&out](std::string text) {
    out += text;
    out += '\n';
  };
  line("# HELP demo_requests_total Requests answered, by path and outcome.");
  line("# TYPE demo_requests_total counter");
  for (const auto& [key, n] : requests_) {
    line(fmt::format("demo_requests_total{{path=\"{}\",outcome=\"{}\"}} {}", key.first, key.second, n));
  }
  line("# HELP demo_request_duration_seconds Time from request to answer, by path.");
  line("# TYPE demo_request_duration_seconds histogram");
  for (const auto& [path, h] : latency_) {
    uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kLatencyBucketsSeconds.size(); ++i) {
      cumulative += h.buckets[i];
      line(fmt::format("demo_request_duration_seconds_bucket{{path=\"{}\",le=\"{}\"}} {}", path,
                       kLatencyBucketsSeconds[i], cumulative));
    }
    line(fmt::format("demo_request_duration_seconds_bucket{{path=\"{}\",le=\"+Inf\"}} {}", path, h.count));
    line(fmt::format("demo_request_duration_seconds_sum{{path=\"{}\"}} {}", path, h.sum_seconds));
    line(fmt::format("demo_request_duration_seconds_count{{path=\"{}\"}} {}", path, h.count));
  }
  line("# HELP demo_partner_attempts_total Calls to the partner, by result.");
  line("# TYPE demo_partner_attempts_total counter");
  for (const auto& [result, n] : attempts_) {
    line(fmt::format("demo_partner_attempts_total{{result=\"{}\"}} {}", result, n));
  }
  line("# HELP demo_retries_total Retries made on /protected.");
  line("# TYPE demo_retries_total counter");
  line(fmt::format("demo_retries_total {}", retries_));
  line("# HELP demo_retries_denied_total Retries refused by the retry budget.");
  line("# TYPE demo_retries_denied_total counter");
  line(fmt::format("demo_retries_denied_total {}", retries_denied_));
  line("# HELP demo_circuit_breaker_state 0 closed, 1 open, 2 half-open.");
  line("# TYPE demo_circuit_breaker_state gauge");
  line(fmt::format("demo_circuit_breaker_state {}", g.breaker_state));
  line("# HELP demo_circuit_breaker_transitions_total State changes of the breaker.");
  line("# TYPE demo_circuit_breaker_transitions_total counter");
  line(fmt::format("demo_circuit_breaker_transitions_total {}", g.breaker_transitions));
  line("# HELP demo_partner_in_flight Partner calls in progress (both paths).");
  line("# TYPE demo_partner_in_flight gauge");
  line(fmt::format("demo_partner_in_flight {}", g.partner_in_flight));
  line("# HELP demo_bulkhead_in_flight Protected partner calls holding a bulkhead slot.");
  line("# TYPE demo_bulkhead_in_flight gauge");
  line(fmt::format("demo_bulkhead_in_flight {}", g.bulkhead_in_flight));
  line("# HELP demo_bulkhead_queued Protected requests waiting for a bulkhead slot.");
  line("# TYPE demo_bulkhead_queued gauge");
  line(fmt::format("demo_bulkhead_queued {}", g.bulkhead_queued));
  line("# HELP process_resident_memory_bytes Resident set size of the server.");
  line("# TYPE process_resident_memory_bytes gauge");
  line(fmt::format("process_resident_memory_bytes {}", g.rss_bytes));
  return out;
}

}  // namespace faultline

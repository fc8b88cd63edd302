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

uint64_t ServerMetrics::retries(const std::string& path, const std::string& reason) const {
  auto it = retries_.find({path, reason});
  return it == retries_.end() ? 0 : it->second;
}

std::string ServerMetrics::render(const Gauges& g) const {
  std::string out;
  auto line = [&out](std::string text) {
    out += text;
    out += '\n';
  };
  line("# HELP demo_server_info The tier this server plays (--name).");
  line("# TYPE demo_server_info gauge");
  line(fmt::format("demo_server_info{{name=\"{}\"}} 1", g.name));
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
  line("# HELP demo_requests_in_flight Requests received and not yet answered, by path.");
  line("# TYPE demo_requests_in_flight gauge");
  for (const auto& [path, n] : g.in_flight) {
    line(fmt::format("demo_requests_in_flight{{path=\"{}\"}} {}", path, n));
  }
  line("# HELP demo_partner_attempts_total Calls to the partner, by path and result.");
  line("# TYPE demo_partner_attempts_total counter");
  for (const auto& [key, n] : attempts_) {
    line(fmt::format("demo_partner_attempts_total{{path=\"{}\",result=\"{}\"}} {}", key.first, key.second, n));
  }
  line("# HELP demo_retries_total Retries made, by path and what the failed attempt was.");
  line("# TYPE demo_retries_total counter");
  for (const auto& [key, n] : retries_) {
    line(fmt::format("demo_retries_total{{path=\"{}\",reason=\"{}\"}} {}", key.first, key.second, n));
  }
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
  line("# HELP demo_rate_limit_tokens Tokens left in the /limited token bucket.");
  line("# TYPE demo_rate_limit_tokens gauge");
  line(fmt::format("demo_rate_limit_tokens {}", g.rate_limit_tokens));
  line("# HELP demo_memory_limit_bytes RSS above which the memory watchdog ends the server.");
  line("# TYPE demo_memory_limit_bytes gauge");
  line(fmt::format("demo_memory_limit_bytes {}", g.memory_limit_bytes));
  line("# HELP process_resident_memory_bytes Resident set size of the server.");
  line("# TYPE process_resident_memory_bytes gauge");
  line(fmt::format("process_resident_memory_bytes {}", g.rss_bytes));
  return out;
}

}  // namespace faultline

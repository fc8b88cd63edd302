#include "load_report.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace faultline {

Micros percentile(const std::vector<Micros>& sorted, double p) {
  if (sorted.empty()) return Micros{0};
  p = std::clamp(p, 0.0, 100.0);
  // Nearest rank: ceil(p/100 * n), 1-based; p = 0 gives the minimum.
  const auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * n));
  if (rank == 0) rank = 1;
  return sorted[std::min(rank, sorted.size()) - 1];
}

void LoadReport::record(DemoOutcome outcome, Micros latency) {
  ++counts_[static_cast<std::size_t>(outcome)];
  latencies_.push_back(latency);
  const double seconds = std::chrono::duration<double>(latency).count();
  latency_sum_seconds_ += seconds;
  for (std::size_t i = 0; i < std::size(kBucketsSeconds); ++i) {
    if (seconds <= kBucketsSeconds[i]) {
      ++buckets_[i];
      break;
    }
  }
}

LoadSummary LoadReport::summarize(Duration elapsed, Duration sending) const {
  LoadSummary s;
  s.sent = sent_;
  s.success = count(DemoOutcome::kOk);
  s.degraded = count(DemoOutcome::kDegraded);
  s.shed = count(DemoOutcome::kShed);
  s.client_error = count(DemoOutcome::kClientError);
  s.server_error = count(DemoOutcome::kServerError);
  s.timeout = count(DemoOutcome::kTimeout);
  s.connection_error = count(DemoOutcome::kConnectionError);
  std::vector<Micros> sorted = latencies_;
  std::sort(sorted.begin(), sorted.end());
  s.p50 = percentile(sorted, 50);
  s.p90 = percentile(sorted, 90);
  s.p99 = percentile(sorted, 99);
  s.max = sorted.empty() ? Micros{0} : sorted.back();
  s.elapsed_seconds = std::chrono::duration<double>(elapsed).count();
  s.sending_seconds = std::chrono::duration<double>(sending).count();
  s.achieved_rate = s.sending_seconds > 0 ? static_cast<double>(sent_) / s.sending_seconds : 0;
  s.target_rate = target_rate_;
  return s;
}

std::string LoadReport::renderMetrics(std::size_t in_flight) const {
  std::string out;
  auto line = [&out](const std::string& text) {
    out += text;
    out += '\n';
  };
  line("# HELP demo_client_requests_sent_total Requests the load client sent.");
  line("# TYPE demo_client_requests_sent_total counter");
  line(fmt::format("demo_client_requests_sent_total {}", sent_));
  line("# HELP demo_client_requests_total Requests that ended, by outcome (the names of demo_outcome.h).");
  line("# TYPE demo_client_requests_total counter");
  for (int o = 0; o < kDemoOutcomeCount; ++o) {
    line(fmt::format("demo_client_requests_total{{outcome=\"{}\"}} {}", outcomeName(static_cast<DemoOutcome>(o)),
                     counts_[o]));
  }
  line("# HELP demo_client_in_flight Requests sent and not yet answered.");
  line("# TYPE demo_client_in_flight gauge");
  line(fmt::format("demo_client_in_flight {}", in_flight));
  line("# HELP demo_client_request_duration_seconds Time from sending to the answer (or giving up).");
  line("# TYPE demo_client_request_duration_seconds histogram");
  uint64_t cumulative = 0;
  for (std::size_t i = 0; i < std::size(kBucketsSeconds); ++i) {
    cumulative += buckets_[i];
    line(fmt::format("demo_client_request_duration_seconds_bucket{{le=\"{}\"}} {}", kBucketsSeconds[i], cumulative));
  }
  line(fmt::format("demo_client_request_duration_seconds_bucket{{le=\"+Inf\"}} {}", latencies_.size()));
  line(fmt::format("demo_client_request_duration_seconds_sum {}", latency_sum_seconds_));
  line(fmt::format("demo_client_request_duration_seconds_count {}", latencies_.size()));
  return out;
}

namespace {
double ms(Micros us) { return static_cast<double>(us.count()) / 1000.0; }
}  // namespace

std::string LoadSummary::toJson() const {
  nlohmann::json j;
  j["sent"] = sent;
  j["completed"] = success + degraded + shed + client_error + server_error + timeout + connection_error;
  // The same names as the server's logs and metrics (demo_outcome.h).
  j["outcomes"] = {{"ok", success},           {"degraded", degraded}, {"shed", shed},
                   {"client_error", client_error}, {"server_error", server_error}, {"timeout", timeout},
                   {"connection_error", connection_error}};
  j["latency_ms"] = {{"p50", ms(p50)}, {"p90", ms(p90)}, {"p99", ms(p99)}, {"max", ms(max)}};
  j["elapsed_s"] = elapsed_seconds;
  j["sending_s"] = sending_seconds;
  j["target_rate"] = target_rate;
  j["achieved_rate"] = achieved_rate;
  return j.dump();
}

std::string LoadSummary::toText() const {
  return fmt::format(
      "summary sent={} ok={} degraded={} shed={} client_error={} server_error={} timeout={} connection_error={}\n"
      "latency_ms p50={:.1f} p90={:.1f} p99={:.1f} max={:.1f}\n"
      "rate target={:.1f}/s achieved={:.1f}/s sending={:.2f}s elapsed={:.2f}s",
      sent, success, degraded, shed, client_error, server_error, timeout, connection_error, ms(p50), ms(p90),
      ms(p99), ms(max), target_rate, achieved_rate, sending_seconds, elapsed_seconds);
}

}  // namespace faultline

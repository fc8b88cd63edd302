#include "scenario/observer.h"

#include <fstream>

#include "scenario/prometheus_text.h"

namespace faultline::scenario {

double processRssMib(pid_t pid) {
  if (pid <= 0) return 0;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      try {
        return std::stod(line.substr(6)) / 1024.0;  // kB
      } catch (const std::exception&) {
        return 0;
      }
    }
  }
  return 0;
}

Observer::Observer(uv_loop_t* loop, ObserveSpec spec, std::optional<HttpUrl> url, std::function<pid_t()> pid_of)
    : loop_(loop), spec_(std::move(spec)), url_(std::move(url)), pid_of_(std::move(pid_of)) {
  series_.name = spec_.name;
  series_.caption = spec_.caption;
  series_.partner_load = spec_.partner_load;
}

void Observer::record(double t_s, double value) {
  if (spec_.kind == ObserveSpec::Kind::kGauge) {
    series_.points.emplace_back(t_s, value);
    return;
  }
  // A rate of a counter: the change per second since the previous sample; a reset (the
  // process restarted) starts over.
  if (last_counter_ && t_s > last_counter_->first && value >= last_counter_->second) {
    series_.points.emplace_back(t_s, (value - last_counter_->second) / (t_s - last_counter_->first));
  }
  last_counter_ = std::make_pair(t_s, value);
  series_.counter_last = value;
}

void Observer::tick(TimePoint now, TimePoint t0) {
  if (stopped_ || now < next_) return;
  next_ = (next_ == TimePoint{} ? now : next_) + spec_.every;
  if (next_ < now) next_ = now + spec_.every;  // fell behind (a busy loop): skip, do not burst
  const double t_s = std::chrono::duration<double>(now - t0).count();
  if (!spec_.process.empty()) {
    const pid_t pid = pid_of_ ? pid_of_() : -1;
    if (pid > 0) record(t_s, processRssMib(pid));
    return;
  }
  if (!url_ || call_.active()) return;  // the previous sample is still waiting: no pile-up
  HttpClientRequest request;
  request.host = url_->host;
  request.port = url_->port;
  request.path = url_->base_path.empty() ? "/" : url_->base_path;
  request.timeout = std::min<Millis>(std::max<Millis>(spec_.every, Millis(200)), Millis(2'000));
  request.max_response_body_bytes = 8u << 20;
  call_ = HttpClient::request(loop_, std::move(request), [this, t_s](Result<HttpResponse> response) {
    if (stopped_ || !response.ok() || response->status != 200) return;
    if (auto v = prometheusSum(response->body, spec_.metric, spec_.labels)) record(t_s, *v);
  });
}

void Observer::stop() {
  stopped_ = true;
  call_.cancel();
}

}  // namespace faultline::scenario

#include "scenario/load_runner.h"

#include <cmath>

namespace faultline::scenario {

namespace {
// Small enough that requests go out close to their planned instant at any sensible rate.
constexpr uint64_t kTickMs = 5;

Outcome classify(const Result<HttpResponse>& response) {
  if (!response.ok()) {
    const auto failure = httpClientFailure(response.error());
    return failure == HttpClientFailure::kTimeout || failure == HttpClientFailure::kCancelled ? Outcome::kTimeout
                                                                                              : Outcome::kConnectionError;
  }
  if (response->status >= 200 && response->status < 300) {
    return response->header("X-Degraded").empty() ? Outcome::kOk : Outcome::kDegraded;
  }
  // Shed is a deliberate, fast "not now" from the target itself (429, or a 503 it marks X-Shed:
  // the demo server's bulkhead and rate limiter do); any other 5xx, including a dependency's 503
  // passed on, is a server_error. demo-client classifies the same way (demo_outcome.cpp).
  if (response->status == 429 || (response->status == 503 && !response->header("X-Shed").empty())) {
    return Outcome::kShed;
  }
  return response->status >= 500 ? Outcome::kServerError : response->status >= 400 ? Outcome::kClientError : Outcome::kOk;
}
}  // namespace

LoadRunner::LoadRunner(uv_loop_t* loop, Params params, std::function<void()> done)
    : loop_(loop), params_(std::move(params)), done_(std::move(done)) {
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
}

void LoadRunner::start() {
  started_ = true;
  t0_ = Clock::now();
  uv_timer_start(&timer_, [](uv_timer_t* t) { static_cast<LoadRunner*>(t->data)->onTick(); }, 0, kTickMs);
}

void LoadRunner::stop() {
  sending_done_ = true;
  // Cancelled calls answer from the loop later; copy the handles, the map changes meanwhile.
  std::vector<HttpCall> calls;
  for (auto& [id, call] : in_flight_) calls.push_back(call);
  for (auto& call : calls) call.cancel();
  maybeDone();
}

void LoadRunner::close() {
  if (closing_) return;
  closing_ = true;
  uv_timer_stop(&timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), [](uv_handle_t* h) { static_cast<LoadRunner*>(h->data)->closed_ = true; });
}

double LoadRunner::now_s() const { return std::chrono::duration<double>(Clock::now() - t0_).count(); }

void LoadRunner::onTick() {
  if (sending_done_) return;
  const double elapsed = now_s();
  const double duration_s = std::chrono::duration<double>(params_.duration).count();
  // Open model: the n-th request is due at n / rate, whether or not earlier ones have answered.
  const auto due = static_cast<uint64_t>(std::floor(std::min(elapsed, duration_s) * params_.rate)) + 1;
  const auto total = static_cast<uint64_t>(std::ceil(duration_s * params_.rate - 1e-9));
  while (sent_ < due && sent_ < total) send();
  if (elapsed >= duration_s || sent_ >= total) {
    sending_done_ = true;
    uv_timer_stop(&timer_);
    maybeDone();
  }
}

void LoadRunner::send() {
  ++sent_;
  const uint64_t id = next_id_++;
  HttpClientRequest request;
  request.host = params_.host;
  request.port = params_.port;
  request.path = params_.path;
  request.timeout = params_.timeout;
  const double start = now_s();
  in_flight_[id] = HttpClient::request(loop_, std::move(request), [this, id, start](Result<HttpResponse> response) {
    in_flight_.erase(id);
    RequestRecord record{start, (now_s() - start) * 1000.0, classify(response), 0, 0, ""};
    if (response.ok()) {
      record.status = response->status;
      record.reason = response->header("X-Degraded-Reason");
      // The target's own count of partner calls: the report tells first-try answers from retried ones.
      const std::string attempts = response->header("X-Attempts");
      if (!attempts.empty() && attempts.size() < 4 && attempts.find_first_not_of("0123456789") == std::string::npos) {
        record.attempts = static_cast<uint32_t>(std::stoul(attempts));
      }
    }
    records_.push_back(std::move(record));
    maybeDone();
  });
}

void LoadRunner::maybeDone() {
  if (done_called_ || !sending_done_ || !in_flight_.empty()) return;
  done_called_ = true;
  if (done_) done_();
}

}  // namespace faultline::scenario

#include "load_runner.h"

#include <cmath>

namespace faultline::sim {

namespace {
// Small enough that requests go out close to their planned instant at any sensible rate.
constexpr uint64_t kTickMs = 5;

Outcome classify(const Result<HttpResponse>& response) {
  if (!response.ok()) {
    return httpClientFailure(response.error()) == HttpClientFailure::kTimeout ? Outcome::kTimeout : Outcome::kError;
  }
  if (response->status == 200) return response->header("X-Degraded").empty() ? Outcome::kOk : Outcome::kDegraded;
  if (response->status == 503 || response->status == 429) return Outcome::kShed;
  return Outcome::kError;
}
}  // namespace

LoadRunner::LoadRunner(Params params, Clock::time_point t0) : params_(std::move(params)), t0_(t0) {
  uv_loop_init(&loop_);
  uv_timer_init(&loop_, &timer_);
  timer_.data = this;
  uv_async_init(&loop_, &stop_async_, [](uv_async_t* handle) {
    auto* self = static_cast<LoadRunner*>(handle->data);
    self->sending_done_ = true;
    for (auto& [id, call] : self->in_flight_) call.cancel();
    self->maybeClose();
  });
  stop_async_.data = this;
  thread_ = std::thread([this] { run(); });
}

LoadRunner::~LoadRunner() {
  if (thread_.joinable()) {
    stop();
    thread_.join();
  }
}

void LoadRunner::stop() {
  std::lock_guard lock(closing_mutex_);
  if (!closing_ && !stop_requested_.exchange(true)) uv_async_send(&stop_async_);
}

std::vector<RequestRecord> LoadRunner::join() {
  if (thread_.joinable()) thread_.join();
  return std::move(records_);
}

double LoadRunner::now_s() const { return std::chrono::duration<double>(Clock::now() - t0_).count(); }

void LoadRunner::run() {
  uv_timer_start(&timer_, [](uv_timer_t* t) { static_cast<LoadRunner*>(t->data)->onTick(); }, 0, kTickMs);
  uv_run(&loop_, UV_RUN_DEFAULT);
  uv_loop_close(&loop_);
  finished_ = true;
}

void LoadRunner::onTick() {
  if (sending_done_) return;
  const double elapsed = now_s();
  if (elapsed >= params_.duration_s) {
    sending_done_ = true;
    maybeClose();
    return;
  }
  // Open model: the n-th request is due at n / rate, whether or not earlier ones have answered.
  const auto due = static_cast<uint64_t>(std::floor(elapsed * params_.rate)) + 1;
  while (sent_ < due) send();
}

void LoadRunner::send() {
  ++sent_;
  const uint64_t id = next_id_++;
  HttpClientRequest request;
  request.host = "127.0.0.1";
  request.port = params_.port;
  request.path = params_.path;
  request.timeout = params_.timeout;
  const double start = now_s();
  in_flight_[id] = HttpClient::request(&loop_, std::move(request), [this, id, start](Result<HttpResponse> response) {
    in_flight_.erase(id);
    records_.push_back({start, (now_s() - start) * 1000.0, classify(response)});
    maybeClose();
  });
}

void LoadRunner::maybeClose() {
  std::lock_guard lock(closing_mutex_);
  if (closing_ || !sending_done_ || !in_flight_.empty()) return;
  closing_ = true;
  uv_timer_stop(&timer_);
  // Both handles are members: uv_run returns once their close callbacks have run.
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&stop_async_), nullptr);
}

}  // namespace faultline::sim

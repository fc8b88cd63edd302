#include "load_generator.h"

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

namespace faultline {

namespace {
double millis(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
}  // namespace

LoadGenerator::LoadGenerator(uv_loop_t* loop, Params params)
    : loop_(loop), params_(std::move(params)), report_(params_.rate) {
  tick_timer_.data = this;
  grace_timer_.data = this;
  progress_timer_.data = this;
}

void LoadGenerator::start(std::function<void()> on_done) {
  on_done_ = std::move(on_done);
  uv_timer_init(loop_, &tick_timer_);
  uv_timer_init(loop_, &grace_timer_);
  uv_timer_init(loop_, &progress_timer_);
  open_handles_ = 3;
  started_at_ = Clock::now();
  sending_ = true;
  // The schedule is computed from elapsed time, so a tick that runs late catches up instead of
  // lowering the rate; ticks come at most every 5 ms.
  const double interval_ms = std::clamp(1000.0 / params_.rate, 1.0, 5.0);
  uv_timer_start(&tick_timer_, &LoadGenerator::onTick, 0, static_cast<uint64_t>(interval_ms));
  if (params_.progress) uv_timer_start(&progress_timer_, &LoadGenerator::onProgress, 1000, 1000);
}

void LoadGenerator::tick() {
  if (!sending_) return;
  const Duration elapsed = Clock::now() - started_at_;
  const Duration sending_for = std::min(elapsed, params_.duration);
  const auto due = static_cast<uint64_t>(std::floor(std::chrono::duration<double>(sending_for).count() * params_.rate));
  while (sent_ < due) send();
  if (elapsed >= params_.duration) stopSending();
}

void LoadGenerator::send() {
  const uint64_t id = next_id_++;
  ++sent_;
  report_.recordSent();
  HttpClientRequest request;
  request.host = params_.url.host;
  request.port = params_.url.port;
  request.path = params_.path;
  request.headers.emplace_back("Host", params_.url.hostHeader());
  request.timeout = std::chrono::duration_cast<Millis>(params_.timeout);
  const TimePoint sent_at = Clock::now();
  in_flight_[id] = HttpClient::request(loop_, std::move(request), [this, id, sent_at](Result<HttpResponse> result) {
    onAnswer(id, sent_at, std::move(result));
  });
}

void LoadGenerator::onAnswer(uint64_t id, TimePoint sent_at, Result<HttpResponse> result) {
  in_flight_.erase(id);
  const Duration latency = Clock::now() - sent_at;
  const DemoOutcome outcome = classifyAnswer(result);
  report_.record(outcome, std::chrono::duration_cast<Micros>(latency));
  if (params_.progress) std::fputs("\r\033[K", stderr);
  const double at_s = std::chrono::duration<double>(sent_at - started_at_).count();
  if (result.ok()) {
    std::fputs(fmt::format("request id={} sent_at_s={:.3f} status={} outcome={} latency_ms={:.1f} body=\"{}\"\n", id,
                           at_s, result->status, outcomeName(outcome), millis(latency),
                           result->body.substr(0, result->body.find('\n')).substr(0, 80))
                   .c_str(),
               stderr);
  } else {
    std::fputs(fmt::format("request id={} sent_at_s={:.3f} status=0 outcome={} latency_ms={:.1f} error=\"{}\"\n", id,
                           at_s, outcomeName(outcome), millis(latency), result.error().message)
                   .c_str(),
               stderr);
  }
  if (params_.progress) drawProgress(false);
  maybeDone();
}

void LoadGenerator::stopSending() {
  if (!sending_) return;
  sending_ = false;
  stopped_sending_at_ = Clock::now();
  uv_timer_stop(&tick_timer_);
  // Every request carries its own timeout; the grace timer is the backstop that bounds the run.
  uv_timer_start(&grace_timer_, &LoadGenerator::onGrace,
                 static_cast<uint64_t>(std::chrono::ceil<Millis>(params_.timeout).count()) + 1000, 0);
  maybeDone();
}

void LoadGenerator::maybeDone() {
  if (sending_ || finished_ || !in_flight_.empty()) return;
  finished_ = true;
  finished_at_ = Clock::now();
  if (params_.progress) {
    drawProgress(true);
  }
  for (uv_timer_t* t : {&tick_timer_, &grace_timer_, &progress_timer_}) {
    uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
  }
  if (on_done_) on_done_();
}

void LoadGenerator::drawProgress(bool final_line) {
  const double t = std::chrono::duration<double>(Clock::now() - started_at_).count();
  std::fputs(fmt::format("\r\033[K[{:.0f}s] sent={} done={} in_flight={} ok={} degraded={} shed={} server_error={} "
                         "timeout={} connection_error={}{}",
                         t, sent_, report_.completed(), in_flight_.size(), report_.count(DemoOutcome::kOk),
                         report_.count(DemoOutcome::kDegraded), report_.count(DemoOutcome::kShed),
                         report_.count(DemoOutcome::kServerError), report_.count(DemoOutcome::kTimeout),
                         report_.count(DemoOutcome::kConnectionError),
                         final_line ? "\n" : "")
                 .c_str(),
             stderr);
}

void LoadGenerator::onTick(uv_timer_t* timer) noexcept { static_cast<LoadGenerator*>(timer->data)->tick(); }

void LoadGenerator::onGrace(uv_timer_t* timer) noexcept {
  auto* self = static_cast<LoadGenerator*>(timer->data);
  // Cancelled calls call back from the loop with "cancelled", recorded as timeouts.
  auto calls = self->in_flight_;
  for (auto& [id, call] : calls) call.cancel();
}

void LoadGenerator::onProgress(uv_timer_t* timer) noexcept {
  static_cast<LoadGenerator*>(timer->data)->drawProgress(false);
}

}  // namespace faultline

#pragma once

#include <uv.h>

#include <optional>
#include <string>

#include "bulkhead.h"
#include "circuit_breaker.h"
#include "deadline.h"
#include "http/http_client.h"
#include "http/http_server.h"
#include "retry_policy.h"
#include "working_memory.h"

namespace faultline {

class MiddlewareServer;

// One GET /protected request: breaker check, bulkhead slot, partner attempts with retries and
// backoff, all inside a deadline, ending in the partner's answer, a fallback or a fast 503.
// Owns two timers (deadline, backoff) and frees itself once it has answered, no attempt is in
// flight and both timers have closed.
class ProtectedCall {
 public:
  ProtectedCall(MiddlewareServer& server, HttpRequest&& request, HttpResponder responder);
  ProtectedCall(const ProtectedCall&) = delete;
  ProtectedCall& operator=(const ProtectedCall&) = delete;

  void start();
  // The bulkhead handed this queued call a slot.
  void onSlotGranted();
  // The server is shutting down: answer 503 now and stop.
  void abort();

 private:
  void tryAttempt();
  void sendAttempt();
  void onAttemptDone(Result<HttpResponse> result);
  void onDeadline();
  void releaseSlot();
  void answer(HttpResponse response, const std::string& outcome, const std::string& error);
  void fallback(const std::string& reason);
  void maybeFinish();
  static void onDeadlineTimer(uv_timer_t* timer) noexcept;
  static void onBackoffTimer(uv_timer_t* timer) noexcept;
  static void onClosed(uv_handle_t* handle) noexcept;

  MiddlewareServer& server_;
  HttpResponder responder_;
  std::string method_;
  std::string target_;
  std::string path_;  // the incoming path, for --forward-path
  TimePoint started_at_;
  Deadline deadline_;
  WorkingMemory memory_;
  uv_timer_t deadline_timer_{};
  uv_timer_t backoff_timer_{};
  int open_handles_ = 0;
  uint32_t attempts_ = 0;
  std::optional<CircuitBreaker::Permit> permit_;
  HttpCall call_;
  bool attempt_in_flight_ = false;
  bool holds_slot_ = false;
  std::optional<Bulkhead::WaiterId> waiter_;
  bool answered_ = false;
  bool closing_ = false;
  std::string last_error_;
};

}  // namespace faultline

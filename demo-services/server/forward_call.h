#pragma once

#include <string>

#include "core/clock.h"
#include "http/http_client.h"
#include "http/http_server.h"
#include "working_memory.h"

namespace faultline {

class MiddlewareServer;

// One request on a path without the protected path's patterns: /unprotected (one partner call, no
// timeout), /limited (the same behind the token bucket, which MiddlewareServer checks first) and
// /naive-retry (up to N attempts, each retried AT ONCE on any failure: no backoff, no jitter, no
// budget, no breaker: the retry storm). Holds no libuv handle; the server deletes it once it has
// answered and its partner call has called back.
class ForwardCall {
 public:
  struct Params {
    std::string path;                                    // for logs and metrics
    uint32_t max_attempts = 1;
    Duration attempt_timeout{std::chrono::hours(24)};    // a day stands for "as long as it takes"
  };

  ForwardCall(MiddlewareServer& server, Params params, HttpRequest&& request, HttpResponder responder);
  ForwardCall(const ForwardCall&) = delete;
  ForwardCall& operator=(const ForwardCall&) = delete;

  void start();
  // The server is shutting down: cancel the partner call; the answer is a 503.
  void abort();

 private:
  void sendAttempt();
  void onAttemptDone(Result<HttpResponse> result);
  void finish(HttpResponse response, const std::string& error);

  MiddlewareServer& server_;
  Params params_;
  HttpResponder responder_;
  std::string method_;
  std::string target_;
  std::string path_;  // the incoming path, for --forward-path
  TimePoint started_at_;
  WorkingMemory memory_;
  HttpCall call_;
  uint32_t attempts_ = 0;
  bool closing_ = false;
};

}  // namespace faultline

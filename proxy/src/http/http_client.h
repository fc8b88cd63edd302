#pragma once

#include <uv.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "http/http_message.h"

namespace faultline {

struct HttpClientRequest {
  std::string method = "GET";
  std::string host = "127.0.0.1";   // numeric address or a name (resolved with uv_getaddrinfo)
  uint16_t port = 80;
  std::string path = "/";           // may carry a query: "/data?size=10"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10'000};  // whole call: resolve + connect + send + response
  std::size_t max_response_body_bytes = 64 * 1024 * 1024;
};

// How a call failed. Error messages start with a fixed prefix per kind ("timeout: ...",
// "connection refused: ...") so httpClientFailure() can classify them.
enum class HttpClientFailure {
  kNone,               // not a client error (or success)
  kResolve,            // "resolve failed: ..."
  kConnectionRefused,  // "connection refused: ..."
  kTimeout,            // "timeout: ... (deadline exceeded)"
  kReset,              // "connection reset: ..." (reset, or closed before a full response)
  kMalformedResponse,  // "malformed response: ..."
  kCancelled,          // "cancelled: ..."
  kIo,                 // "io error: ..." anything else from the socket
};
HttpClientFailure httpClientFailure(const Error& error);

namespace detail {
class HttpClientCall;
}

// Handle to a call in flight. Destroying it does not cancel; cancel() does. Loop thread only.
class HttpCall {
 public:
  HttpCall() = default;
  explicit HttpCall(std::weak_ptr<detail::HttpClientCall> call) : call_(std::move(call)) {}

  // The callback then runs (later, from the loop) with a "cancelled: ..." error, unless the call
  // had already finished. Safe to call any number of times, also after completion.
  void cancel();
  // True until the callback has run (or is about to run after cancel/completion).
  bool active() const;

 private:
  std::weak_ptr<detail::HttpClientCall> call_;
};

class HttpClient {
 public:
  using Callback = std::function<void(Result<HttpResponse>)>;

  // Starts the call on `loop`. `done` runs exactly once, always from the loop (never inside
  // request()), with the response (any status) or a classified error. One connection per call,
  // sent with `Connection: close`.
  static HttpCall request(uv_loop_t* loop, HttpClientRequest request, Callback done);
};

// Blocking call on a private loop (for the CLI and tests; never call it from a loop callback).
// The private loop is closed cleanly before returning.
Result<HttpResponse> httpRequestSync(const HttpClientRequest& request);

}  // namespace faultline

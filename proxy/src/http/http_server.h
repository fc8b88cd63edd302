#pragma once

#include <uv.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/http_message.h"

namespace faultline {

struct HttpServerOptions {
  std::size_t max_url_bytes = 8 * 1024;                // request line target -> 414
  std::size_t max_header_bytes = 16 * 1024;            // -> 431
  std::size_t max_body_bytes = 1024 * 1024;            // -> 413
  std::chrono::milliseconds header_timeout{10'000};    // a request (headers + body) must arrive within it -> 408
  std::chrono::milliseconds idle_timeout{60'000};      // keep-alive connection with nothing to do -> close
  std::size_t max_connections = 256;                   // more are accepted and closed at once
  std::string name = "http";                           // used in log lines: "server=control"
  // Applied to every response the server makes itself (parse errors, timeouts, a handler that
  // threw or dropped its responder), e.g. to add the headers the handler adds to its own.
  std::function<void(HttpResponse&)> decorate;
  // At max_connections, close the connection idle the longest (between keep-alive requests) to
  // make room instead of refusing the new one; refuse only when none is idle.
  bool evict_idle_at_cap = false;
};

// Counters for metrics. Monotonic except connections_active.
struct HttpServerStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_refused = 0;  // over max_connections, none idle to evict
  uint64_t connections_evicted = 0;  // idle keep-alive connections closed to make room
  uint64_t connections_active = 0;
  uint64_t requests = 0;             // handed to the handler
  uint64_t parse_errors = 0;         // answered 400/413/414/431
  uint64_t url_limit_hits = 0;       // of which over max_url_bytes (414)
  uint64_t header_limit_hits = 0;    // over max_header_bytes (431)
  uint64_t body_limit_hits = 0;      // over max_body_bytes (413)
  uint64_t timeouts = 0;             // header/body timeouts (408)
  uint64_t handler_errors = 0;       // handler threw -> 500
};

namespace detail {
struct HttpConnectionToken;
}

// A response whose body is written piece by piece (Server-Sent Events). Made by
// HttpResponder::startStream(); the connection is closed when the stream ends. Loop thread only.
// Writes never wait: libuv queues them; queuedBytes() is what the peer has not taken yet, so the
// owner can bound it (and close a reader that does not read).
class HttpEventStream {
 public:
  HttpEventStream() = default;
  explicit HttpEventStream(std::weak_ptr<detail::HttpConnectionToken> token) : token_(std::move(token)) {}
  // False when the connection has gone (nothing written).
  bool send(std::string bytes);
  std::size_t queuedBytes() const;
  bool open() const;
  void close();

 private:
  std::weak_ptr<detail::HttpConnectionToken> token_;
};

// The right to answer one request. Movable, not copyable; use it on the loop thread only.
// respond() may be called at once or later (from a timer, after an upstream call). Responding
// after the connection died, or twice, does nothing. Dropping a responder that never responded
// answers 500 so the client is not left hanging.
class HttpResponder {
 public:
  HttpResponder() = default;
  HttpResponder(std::weak_ptr<detail::HttpConnectionToken> token, uint64_t request_id);
  HttpResponder(HttpResponder&& other) noexcept;
  HttpResponder& operator=(HttpResponder&& other) noexcept;
  HttpResponder(const HttpResponder&) = delete;
  HttpResponder& operator=(const HttpResponder&) = delete;
  ~HttpResponder();

  void respond(HttpResponse response);
  // Answers with `head` (status and headers; no Content-Length, Connection: close) and keeps the
  // connection for a streamed body. No timeouts apply while it streams.
  HttpEventStream startStream(HttpResponse head);
  // False once the connection has closed (a timeout, the server closed) or the peer closed its
  // side; a handler doing slow work may then abandon it. respond() is still safe (and still
  // delivers to a peer that only half-closed).
  bool connected() const;
  // The client's address, "127.0.0.1:53122"; "" once disconnected.
  std::string peer() const;

 private:
  std::weak_ptr<detail::HttpConnectionToken> token_;
  uint64_t request_id_ = 0;
  bool pending_ = false;
};

// A small HTTP/1.1 server on a libuv loop. Requests are handed to `handler` one at a time per
// connection (pipelined ones wait their turn, so answers come back in order). Bad input is
// answered (400/408/413/414/431 with {"error": ..., "status": N}) and the connection closed;
// nothing a client sends can crash the server or block the loop.
//
// Lifetime: everything runs on the loop thread. close() stops listening and closes every
// connection; on_closed runs once the last handle has closed. Destroying the server closes it
// if needed; its handles are then freed by the loop, so keep running the loop afterwards.
class HttpServer {
 public:
  using Handler = std::function<void(HttpRequest&&, HttpResponder)>;

  HttpServer(uv_loop_t* loop, HttpServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens on a numeric host ("127.0.0.1", "::1", "0.0.0.0", "" or "localhost") and
  // port (0 picks a free one). Returns the bound address, e.g. "127.0.0.1:40123" or "[::1]:40123".
  Result<std::string> listen(const std::string& host, uint16_t port);

  void close(std::function<void()> on_closed = nullptr);

  // The address listen() returned, or "" before.
  const std::string& address() const;
  const HttpServerStats& stats() const;

  class Impl;

 private:
  Impl* impl_;  // frees itself after its last close callback
};

}  // namespace faultline

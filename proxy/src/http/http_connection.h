#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "http/http_message.h"
#include "http/http_parser.h"
#include "http/http_server.h"

namespace faultline {

class HttpConnection;

namespace detail {
// Shared by a connection and the responders it hands out. The connection clears `connection`
// when it starts closing, so a responder kept past that point finds nothing to answer.
struct HttpConnectionToken {
  HttpConnection* connection = nullptr;
};
}  // namespace detail

// {"error": message, "status": status}: the body of every answer the server itself gives.
HttpResponse httpErrorResponse(int status, const std::string& message);

// One accepted client: a uv_tcp_t and a uv_timer_t (header, idle and linger deadlines), freed
// after both close callbacks. One request is handled at a time; the next is parsed only after
// the previous response has been written.
class HttpConnection {
 public:
  HttpConnection(HttpServer::Impl& server, uint64_t id);
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;
  ~HttpConnection();

  // Both handles are initialized here so that close() can always close both.
  int init();
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }
  uv_tcp_t* tcp() { return &tcp_; }
  // Accepted and admitted by the server (a refused connection is closed without starting).
  void start();
  bool started() const { return admitted_; }

  void close();
  void respond(uint64_t request_id, HttpResponse response);
  // Streaming (http_event_stream.cpp): the head goes out now, then streamWrite() appends.
  bool startStream(uint64_t request_id, const HttpResponse& head);
  bool streamWrite(std::string bytes);
  std::size_t streamQueuedBytes() const { return stream_queued_bytes_; }
  bool awaiting(uint64_t request_id) const { return !closing_ && in_flight_ && request_id == request_id_; }
  const std::string& peer() const { return peer_; }
  // The peer closed its side: it may still read, but is most likely gone.
  bool peerClosed() const { return peer_eof_; }
  // Between keep-alive requests: answered at least one, nothing in progress or half-received.
  bool idle() const;
  bool closingOrClosed() const { return closing_; }
  std::chrono::steady_clock::time_point idleSince() const { return idle_since_; }
  // An error answer made by the server itself, with the server's decoration applied.
  HttpResponse serverResponse(int status, const std::string& message) const;

 private:
  enum class TimerMode { kNone, kFirstRequest, kHeader, kIdle, kLinger };

  static void onAlloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) noexcept;
  static void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept;
  static void onWrite(uv_write_t* req, int status) noexcept;
  static void onShutdown(uv_shutdown_t* req, int status) noexcept;
  static void onTimer(uv_timer_t* timer) noexcept;
  static void onClosed(uv_handle_t* handle) noexcept;

  void handleBytes(const char* data, std::size_t length);
  void processNext();
  void dispatch(HttpParsedMessage message);
  void sendError(int status, const std::string& message);
  void write(std::string bytes);
  void finishAndLinger();
  void startReading();
  void stopReading();
  void updateTimer();
  void setTimer(TimerMode mode, std::chrono::milliseconds after);

  HttpServer::Impl& server_;
  uint64_t id_;
  uv_tcp_t tcp_{};
  uv_timer_t timer_{};
  uv_shutdown_t shutdown_req_{};
  HttpParser parser_;
  std::shared_ptr<detail::HttpConnectionToken> token_;
  std::string peer_;

  TimerMode timer_mode_ = TimerMode::kNone;
  bool admitted_ = false;
  bool reading_ = false;
  bool peer_eof_ = false;
  bool in_flight_ = false;       // a request is with the handler
  bool last_response_ = false;   // the response being written ends the connection
  bool draining_ = false;        // half-closed after the last response; discarding input
  bool closing_ = false;
  int pending_closes_ = 0;
  std::size_t writes_pending_ = 0;
  bool streaming_ = false;               // the response is an open stream; ends with the connection
  std::size_t stream_queued_bytes_ = 0;  // written to libuv, not yet taken by the peer
  uint64_t request_id_ = 0;
  bool keep_alive_ = false;
  std::string method_;
  std::string path_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point idle_since_;
};

}  // namespace faultline

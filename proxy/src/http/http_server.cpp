#include "http/http_server.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <exception>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "http/http_log.h"
#include "http/http_parser.h"
#include "http/http_wire.h"
#include "net/address.h"

namespace faultline {

class HttpConnection;

namespace detail {
// Shared by a connection and the responders it hands out. The connection clears `connection`
// when it starts closing, so a responder kept past that point finds nothing to answer.
struct HttpConnectionToken {
  HttpConnection* connection = nullptr;
};
}  // namespace detail

namespace {

constexpr std::size_t kReadBufferBytes = 64 * 1024;
// While a request is being handled we keep reading (to notice a peer that goes away), but hold
// at most this much of the next pipelined requests.
constexpr std::size_t kMaxHeldBytes = 64 * 1024;
// After the last response on a connection we half-close and drain the peer's leftovers for at
// most this long, so the kernel does not answer unread bytes with an RST that could destroy the
// response before the client reads it.
constexpr std::chrono::milliseconds kLingerTimeout{2'000};

HttpResponse errorResponse(int status, const std::string& message) {
  nlohmann::json body = {{"error", message}, {"status", status}};
  return HttpResponse::json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

struct WriteReq {
  uv_write_t req{};
  std::string bytes;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(uv_loop_t* loop, HttpServerOptions options, Handler handler)
      : loop_(loop), options_(std::move(options)), handler_(std::move(handler)), read_buffer_(kReadBufferBytes) {
    listener_.data = this;
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Result<std::string> listen(const std::string& host, uint16_t port);
  void close(std::function<void()> on_closed);
  // The owning HttpServer is gone: close if needed and free this once everything has closed.
  void release();

  void onConnectionClosed(HttpConnection* connection);

  uv_loop_t* loop() const { return loop_; }
  const HttpServerOptions& options() const { return options_; }
  HttpServerStats& stats() { return stats_; }
  const HttpServerStats& stats() const { return stats_; }
  const std::string& address() const { return address_; }
  const Handler& handler() const { return handler_; }
  bool closing() const { return closing_; }
  uv_buf_t readBuffer() { return uv_buf_init(read_buffer_.data(), static_cast<unsigned>(read_buffer_.size())); }

 private:
  static void onConnection(uv_stream_t* stream, int status) noexcept;
  static void onListenerClosed(uv_handle_t* handle) noexcept;
  void accept();
  void maybeFinished();

  uv_loop_t* loop_;
  HttpServerOptions options_;
  Handler handler_;
  uv_tcp_t listener_{};
  bool listener_open_ = false;  // initialized and not yet through its close callback
  bool listen_attempted_ = false;
  bool closing_ = false;
  bool released_ = false;
  bool finished_ = false;
  bool in_on_closed_ = false;  // running on_closed_, which may destroy the HttpServer
  std::string address_;
  HttpServerStats stats_;
  std::unordered_set<HttpConnection*> connections_;
  std::function<void()> on_closed_;
  std::vector<char> read_buffer_;  // shared: read callbacks consume it before the next read
  uint64_t next_connection_id_ = 0;

  friend class HttpConnection;
};

// One accepted client: a uv_tcp_t and a uv_timer_t (header, idle and linger deadlines), freed
// after both close callbacks. One request is handled at a time; the next is parsed only after
// the previous response has been written.
class HttpConnection {
 public:
  HttpConnection(HttpServer::Impl& server, uint64_t id)
      : server_(server),
        id_(id),
        parser_(HttpParser::Mode::kRequest,
                HttpParserLimits{server.options().max_url_bytes, server.options().max_header_bytes,
                                 server.options().max_body_bytes}),
        token_(std::make_shared<detail::HttpConnectionToken>()) {
    tcp_.data = this;
    timer_.data = this;
    shutdown_req_.data = this;
    token_->connection = this;
  }
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;
  ~HttpConnection() { assert(pending_closes_ == 0); }

  // Both handles are initialized here so that close() can always close both.
  int init() {
    if (int rc = uv_tcp_init(server_.loop(), &tcp_); rc < 0) return rc;  // nothing to close yet
    tcp_.data = this;
    uv_timer_init(server_.loop(), &timer_);  // cannot fail for a valid loop
    timer_.data = this;
    return 0;
  }

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }

  void start() {
    sockaddr_storage peer{};
    int length = sizeof peer;
    if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&peer), &length) == 0) {
      peer_ = formatSockaddr(reinterpret_cast<sockaddr*>(&peer));
    }
    uv_tcp_nodelay(&tcp_, 1);
    setTimer(TimerMode::kFirstRequest, server_.options().header_timeout);
    startReading();
  }

  void close();
  void respond(uint64_t request_id, HttpResponse response);
  bool awaiting(uint64_t request_id) const { return !closing_ && in_flight_ && request_id == request_id_; }
  const std::string& peer() const { return peer_; }
  // The peer closed its side: it may still read, but is most likely gone.
  bool peerClosed() const { return peer_eof_; }

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
  bool reading_ = false;
  bool peer_eof_ = false;
  bool in_flight_ = false;       // a request is with the handler
  bool last_response_ = false;   // the response being written ends the connection
  bool draining_ = false;        // half-closed after the last response; discarding input
  bool closing_ = false;
  int pending_closes_ = 0;
  std::size_t writes_pending_ = 0;
  uint64_t request_id_ = 0;
  bool keep_alive_ = false;
  std::string method_;
  std::string path_;
  std::chrono::steady_clock::time_point started_;
};

// ---- HttpConnection ----------------------------------------------------------------------

void HttpConnection::onAlloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) noexcept {
  auto* self = static_cast<HttpConnection*>(handle->data);
  *buf = self->server_.readBuffer();
}

void HttpConnection::onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept {
  auto* self = static_cast<HttpConnection*>(stream->data);
  if (self->closing_) return;
  if (nread > 0) {
    self->handleBytes(buf->base, static_cast<std::size_t>(nread));
    return;
  }
  if (nread == 0) return;  // EAGAIN
  if (nread == UV_EOF && !self->draining_) {
    // Half-close: answer what has fully arrived, then close.
    self->peer_eof_ = true;
    self->stopReading();
    self->processNext();
    return;
  }
  if (nread != UV_EOF) {
    httpLog().debug("connection error server={} conn={} peer={} error={}", self->server_.options().name, self->id_,
                    self->peer_, uv_err_name(static_cast<int>(nread)));
  }
  self->close();
}

void HttpConnection::handleBytes(const char* data, std::size_t length) {
  if (draining_) return;  // leftovers after the last response: discard
  parser_.feed(std::string_view(data, length));
  if (in_flight_ || writes_pending_ > 0) {
    // Busy: the bytes wait in the parser. Stop reading only when too much is held back.
    // A parse error in those bytes is answered in turn, after the request in progress.
    if (parser_.bufferedBytes() > kMaxHeldBytes) stopReading();
    return;
  }
  processNext();
}

void HttpConnection::processNext() {
  if (closing_ || draining_ || in_flight_ || writes_pending_ > 0) return;
  if (parser_.hasMessage()) {
    dispatch(parser_.take());
    return;
  }
  if (parser_.failed()) {
    HttpServerStats& stats = server_.stats();
    ++stats.parse_errors;
    const HttpParseError& error = parser_.error();
    if (error.status == 414) ++stats.url_limit_hits;
    if (error.status == 431) ++stats.header_limit_hits;
    if (error.status == 413) ++stats.body_limit_hits;
    httpLog().debug("bad request server={} conn={} peer={} status={} reason=\"{}\"", server_.options().name, id_,
                    peer_, error.status, error.reason);
    sendError(error.status, error.reason);
    return;
  }
  if (peer_eof_) {
    close();
    return;
  }
  startReading();
  updateTimer();
}

void HttpConnection::dispatch(HttpParsedMessage message) {
  in_flight_ = true;
  keep_alive_ = message.keep_alive;
  request_id_ += 1;
  method_ = message.request.method;
  path_ = message.request.path;
  started_ = std::chrono::steady_clock::now();
  ++server_.stats().requests;
  updateTimer();
  if (parser_.bufferedBytes() <= kMaxHeldBytes && !peer_eof_) startReading();

  const uint64_t request_id = request_id_;
  // Keep the token alive across the handler: the handler may close the server (and so this
  // connection) while running; `token` tells us afterwards whether `this` still exists.
  std::shared_ptr<detail::HttpConnectionToken> token = token_;
  try {
    server_.handler()(std::move(message.request), HttpResponder(token, request_id));
  } catch (const std::exception& e) {
    if (token->connection == nullptr) return;
    ++server_.stats().handler_errors;
    httpLog().error("handler failed server={} conn={} method={} path={} error=\"{}\"", server_.options().name, id_,
                    method_, path_, e.what());
    if (awaiting(request_id)) respond(request_id, errorResponse(500, "internal error: " + std::string(e.what())));
  } catch (...) {
    if (token->connection == nullptr) return;
    ++server_.stats().handler_errors;
    httpLog().error("handler failed server={} conn={} method={} path={} error=unknown", server_.options().name, id_,
                    method_, path_);
    if (awaiting(request_id)) respond(request_id, errorResponse(500, "internal error"));
  }
}

void HttpConnection::respond(uint64_t request_id, HttpResponse response) {
  if (!awaiting(request_id)) return;
  in_flight_ = false;
  // A half-closed peer still gets answers to requests that fully arrived; processNext() closes
  // once none is left. A parse error behind this request is answered next, so it is not a reason
  // to close here either.
  bool keep_alive = keep_alive_ && !server_.closing();
  if (equalsIgnoreCase(response.header("Connection"), "close")) keep_alive = false;
  last_response_ = !keep_alive;
  const auto elapsed = std::chrono::steady_clock::now() - started_;
  httpLog().debug("request server={} conn={} method={} path={} status={} duration_us={}", server_.options().name, id_,
                  method_, path_, response.status,
                  std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
  write(serializeResponse(response, keep_alive));
}

void HttpConnection::sendError(int status, const std::string& message) {
  last_response_ = true;
  write(serializeResponse(errorResponse(status, message), false));
}

void HttpConnection::write(std::string bytes) {
  auto* req = new WriteReq;
  req->req.data = this;
  req->bytes = std::move(bytes);
  uv_buf_t buf = uv_buf_init(req->bytes.data(), static_cast<unsigned>(req->bytes.size()));
  if (int rc = uv_write(&req->req, stream(), &buf, 1, &HttpConnection::onWrite); rc < 0) {
    delete req;
    close();
    return;
  }
  ++writes_pending_;
  updateTimer();
}

void HttpConnection::onWrite(uv_write_t* req, int status) noexcept {
  auto* write_req = reinterpret_cast<WriteReq*>(req);
  auto* self = static_cast<HttpConnection*>(req->data);
  delete write_req;
  // Cancelled writes call back before the close callbacks, so `self` is still alive here.
  --self->writes_pending_;
  if (self->closing_) return;
  if (status < 0) {
    self->close();
    return;
  }
  if (self->writes_pending_ > 0) return;
  if (self->last_response_) {
    self->finishAndLinger();
    return;
  }
  self->processNext();
}

void HttpConnection::finishAndLinger() {
  draining_ = true;
  if (peer_eof_) {
    close();
    return;
  }
  if (uv_shutdown(&shutdown_req_, stream(), &HttpConnection::onShutdown) < 0) {
    close();
    return;
  }
  startReading();
  setTimer(TimerMode::kLinger, std::min(kLingerTimeout, server_.options().header_timeout));
}

void HttpConnection::onShutdown(uv_shutdown_t* req, int status) noexcept {
  auto* self = static_cast<HttpConnection*>(req->data);
  if (status < 0 && !self->closing_) self->close();
}

void HttpConnection::startReading() {
  if (reading_ || closing_ || peer_eof_) return;
  if (uv_read_start(stream(), &HttpConnection::onAlloc, &HttpConnection::onRead) == 0) reading_ = true;
}

void HttpConnection::stopReading() {
  if (!reading_) return;
  uv_read_stop(stream());
  reading_ = false;
}

void HttpConnection::updateTimer() {
  if (closing_ || draining_) return;
  if (in_flight_ || writes_pending_ > 0) {
    // The handler decides how long it takes; the server enforces nothing while it works.
    if (timer_mode_ != TimerMode::kNone) {
      uv_timer_stop(&timer_);
      timer_mode_ = TimerMode::kNone;
    }
    return;
  }
  if (timer_mode_ == TimerMode::kFirstRequest) return;  // deadline counts from accept
  if (parser_.midMessage()) {
    // Counted from the first byte of the request, not the last, so a trickle cannot extend it.
    if (timer_mode_ != TimerMode::kHeader) setTimer(TimerMode::kHeader, server_.options().header_timeout);
    return;
  }
  if (timer_mode_ != TimerMode::kIdle) setTimer(TimerMode::kIdle, server_.options().idle_timeout);
}

void HttpConnection::setTimer(TimerMode mode, std::chrono::milliseconds after) {
  timer_mode_ = mode;
  const auto ms = static_cast<uint64_t>(std::max<int64_t>(0, after.count()));
  uv_timer_start(&timer_, &HttpConnection::onTimer, ms, 0);
}

void HttpConnection::onTimer(uv_timer_t* timer) noexcept {
  auto* self = static_cast<HttpConnection*>(timer->data);
  if (self->closing_) return;
  const TimerMode mode = self->timer_mode_;
  self->timer_mode_ = TimerMode::kNone;
  const auto& options = self->server_.options();
  if ((mode == TimerMode::kHeader || mode == TimerMode::kFirstRequest) && self->parser_.midMessage()) {
    ++self->server_.stats().timeouts;
    httpLog().debug("request timeout server={} conn={} peer={} timeout_ms={}", options.name, self->id_, self->peer_,
                    options.header_timeout.count());
    self->stopReading();
    self->sendError(408, "request not received within " + std::to_string(options.header_timeout.count()) + " ms");
    return;
  }
  if (mode == TimerMode::kIdle || mode == TimerMode::kFirstRequest) {
    httpLog().debug("idle connection closed server={} conn={} peer={}", options.name, self->id_, self->peer_);
  }
  self->close();
}

void HttpConnection::close() {
  if (closing_) return;
  closing_ = true;
  token_->connection = nullptr;
  stopReading();
  pending_closes_ = 2;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &HttpConnection::onClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &HttpConnection::onClosed);
}

void HttpConnection::onClosed(uv_handle_t* handle) noexcept {
  auto* self = static_cast<HttpConnection*>(handle->data);
  if (--self->pending_closes_ > 0) return;
  self->server_.onConnectionClosed(self);  // deletes self
}

// ---- HttpServer::Impl ----------------------------------------------------------------------

Result<std::string> HttpServer::Impl::listen(const std::string& host, uint16_t port) {
  if (closing_) return Error::invalid("listen on a closed HTTP server");
  if (listen_attempted_) return Error::invalid("listen called twice on one HTTP server; create a new server");
  HostPort where{host, port};
  auto address = numericSockaddr(where);
  if (!address) {
    return Error::invalid("listen address '" + host + "' is not a numeric IP; expected e.g. 127.0.0.1 or ::1");
  }
  listen_attempted_ = true;
  if (int rc = uv_tcp_init(loop_, &listener_); rc < 0) return uvError(rc, "listen " + where.toString());
  listener_.data = this;
  listener_open_ = true;
  const auto* addr = reinterpret_cast<const sockaddr*>(&*address);
  const std::string label = formatSockaddr(addr);
  int rc = uv_tcp_bind(&listener_, addr, 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), 511, &Impl::onConnection);
  if (rc < 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), &Impl::onListenerClosed);
    return uvError(rc, "listen " + label);
  }
  sockaddr_storage bound{};
  int length = sizeof bound;
  if (int name_rc = uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&bound), &length); name_rc < 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), &Impl::onListenerClosed);
    return uvError(name_rc, "getsockname " + label);
  }
  address_ = formatSockaddr(reinterpret_cast<sockaddr*>(&bound));
  httpLog().info("listening server={} address={}", options_.name, address_);
  return address_;
}

void HttpServer::Impl::onConnection(uv_stream_t* stream, int status) noexcept {
  auto* self = static_cast<Impl*>(stream->data);
  if (status < 0) {
    // EMFILE and friends: libuv keeps the listener armed, so this is transient by design.
    httpLog().warn("accept failed server={} error={}", self->options_.name, uv_err_name(status));
    return;
  }
  self->accept();
}

namespace {
// An extra connection over max_connections: accepted (so it leaves the backlog) and closed.
struct RefusedConnection {
  uv_tcp_t tcp{};
  static void onClosed(uv_handle_t* handle) noexcept { delete static_cast<RefusedConnection*>(handle->data); }
};
}  // namespace

void HttpServer::Impl::accept() {
  if (closing_) return;
  if (connections_.size() >= options_.max_connections) {
    auto* refused = new RefusedConnection;
    refused->tcp.data = refused;
    if (uv_tcp_init(loop_, &refused->tcp) < 0) {
      delete refused;
      return;
    }
    (void)uv_accept(reinterpret_cast<uv_stream_t*>(&listener_), reinterpret_cast<uv_stream_t*>(&refused->tcp));
    uv_close(reinterpret_cast<uv_handle_t*>(&refused->tcp), &RefusedConnection::onClosed);
    ++stats_.connections_refused;
    httpLog().warn("connection refused server={} reason=max_connections limit={}", options_.name,
                   options_.max_connections);
    return;
  }
  auto* connection = new HttpConnection(*this, ++next_connection_id_);
  if (int rc = connection->init(); rc < 0) {
    httpLog().warn("accept failed server={} error={}", options_.name, uv_err_name(rc));
    delete connection;
    return;
  }
  connections_.insert(connection);
  ++stats_.connections_accepted;
  stats_.connections_active = connections_.size();
  if (int rc = uv_accept(reinterpret_cast<uv_stream_t*>(&listener_), connection->stream()); rc < 0) {
    httpLog().warn("accept failed server={} error={}", options_.name, uv_err_name(rc));
    connection->close();
    return;
  }
  connection->start();
}

void HttpServer::Impl::onConnectionClosed(HttpConnection* connection) {
  connections_.erase(connection);
  delete connection;
  stats_.connections_active = connections_.size();
  maybeFinished();
}

void HttpServer::Impl::onListenerClosed(uv_handle_t* handle) noexcept {
  auto* self = static_cast<Impl*>(handle->data);
  self->listener_open_ = false;
  self->maybeFinished();
}

void HttpServer::Impl::close(std::function<void()> on_closed) {
  if (closing_) {
    // Second call: chain the callback so both run (or run it now if everything is closed).
    if (on_closed) {
      if (finished_) {
        on_closed();
      } else {
        auto previous = std::move(on_closed_);
        on_closed_ = [previous = std::move(previous), next = std::move(on_closed)] {
          if (previous) previous();
          next();
        };
      }
    }
    return;
  }
  closing_ = true;
  on_closed_ = std::move(on_closed);
  if (listener_open_ && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&listener_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), &Impl::onListenerClosed);
  }
  // close() erases from the set only in the close callback, so iterating a copy is not needed,
  // but a copy keeps this loop independent of that detail.
  std::vector<HttpConnection*> open(connections_.begin(), connections_.end());
  for (HttpConnection* connection : open) connection->close();
  if (!address_.empty()) httpLog().info("closing server={} address={}", options_.name, address_);
  maybeFinished();
}

void HttpServer::Impl::maybeFinished() {
  if (!closing_ || finished_ || listener_open_ || !connections_.empty()) return;
  finished_ = true;
  if (on_closed_) {
    auto callback = std::move(on_closed_);
    on_closed_ = nullptr;
    in_on_closed_ = true;
    callback();
    in_on_closed_ = false;
  }
  if (released_) delete this;
}

void HttpServer::Impl::release() {
  if (!closing_) close(nullptr);  // finishes at once when no handle is open
  if (finished_ && !in_on_closed_) {
    delete this;
    return;
  }
  released_ = true;  // maybeFinished() deletes once the last handle has closed
}

// ---- HttpResponder ---------------------------------------------------------------------------

HttpResponder::HttpResponder(std::weak_ptr<detail::HttpConnectionToken> token, uint64_t request_id)
    : token_(std::move(token)), request_id_(request_id), pending_(true) {}

HttpResponder::HttpResponder(HttpResponder&& other) noexcept
    : token_(std::move(other.token_)), request_id_(other.request_id_), pending_(other.pending_) {
  other.pending_ = false;
}

HttpResponder& HttpResponder::operator=(HttpResponder&& other) noexcept {
  if (this != &other) {
    if (pending_) respond(errorResponse(500, "request dropped without a response"));
    token_ = std::move(other.token_);
    request_id_ = other.request_id_;
    pending_ = other.pending_;
    other.pending_ = false;
  }
  return *this;
}

HttpResponder::~HttpResponder() {
  if (pending_) respond(errorResponse(500, "request dropped without a response"));
}

void HttpResponder::respond(HttpResponse response) {
  if (!pending_) return;
  pending_ = false;
  auto token = token_.lock();
  if (!token || token->connection == nullptr) return;
  token->connection->respond(request_id_, std::move(response));
}

bool HttpResponder::connected() const {
  auto token = token_.lock();
  return token && token->connection != nullptr && !token->connection->peerClosed();
}

std::string HttpResponder::peer() const {
  auto token = token_.lock();
  if (!token || token->connection == nullptr) return {};
  return token->connection->peer();
}

// ---- HttpServer --------------------------------------------------------------------------------

HttpServer::HttpServer(uv_loop_t* loop, HttpServerOptions options, Handler handler)
    : impl_(new Impl(loop, std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { impl_->release(); }

Result<std::string> HttpServer::listen(const std::string& host, uint16_t port) { return impl_->listen(host, port); }

void HttpServer::close(std::function<void()> on_closed) { impl_->close(std::move(on_closed)); }

const std::string& HttpServer::address() const { return impl_->address(); }

const HttpServerStats& HttpServer::stats() const { return impl_->stats(); }

}  // namespace faultline

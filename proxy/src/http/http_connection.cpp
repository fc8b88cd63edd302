#include "http/http_connection.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cassert>
#include <exception>
#include <utility>

#include "http/http_log.h"
#include "http/http_server_impl.h"
#include "http/http_wire.h"
#include "net/address.h"
#include "net/uv_error.h"

namespace faultline {

namespace {

// While a request is being handled we keep reading (to notice a peer that goes away), but hold
// at most this much of the next pipelined requests.
constexpr std::size_t kMaxHeldBytes = 64 * 1024;
// After the last response on a connection we half-close and drain the peer's leftovers for at
// most this long, so the kernel does not answer unread bytes with an RST that could destroy the
// response before the client reads it.
constexpr std::chrono::milliseconds kLingerTimeout{2'000};

struct WriteReq {
  uv_write_t req{};
  std::string bytes;
};

}  // namespace

HttpResponse httpErrorResponse(int status, const std::string& message) {
  nlohmann::json body = {{"error", message}, {"status", status}};
  return HttpResponse::json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

HttpConnection::HttpConnection(HttpServer::Impl& server, uint64_t id)
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

HttpConnection::~HttpConnection() { assert(pending_closes_ == 0); }

int HttpConnection::init() {
  if (int rc = uv_tcp_init(server_.loop(), &tcp_); rc < 0) return rc;  // nothing to close yet
  tcp_.data = this;
  uv_timer_init(server_.loop(), &timer_);  // cannot fail for a valid loop
  timer_.data = this;
  return 0;
}

void HttpConnection::start() {
  admitted_ = true;
  sockaddr_storage peer{};
  int length = sizeof peer;
  if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&peer), &length) == 0) {
    peer_ = formatSockaddr(reinterpret_cast<sockaddr*>(&peer));
  }
  uv_tcp_nodelay(&tcp_, 1);
  setTimer(TimerMode::kFirstRequest, server_.options().header_timeout);
  startReading();
}

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
  if (nread == UV_EOF && self->streaming_) {
    self->close();  // a stream's reader has gone
    return;
  }
  if (nread == UV_EOF && !self->draining_) {
    // Half-close: answer what has fully arrived, then close.
    self->peer_eof_ = true;
    self->stopReading();
    self->processNext();
    return;
  }
  if (nread != UV_EOF) {
    httpLog().debug("connection error server={} conn={} peer={} error={}", self->server_.options().name, self->id_,
                    self->peer_, uvErrorText(static_cast<int>(nread)));
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
    if (awaiting(request_id)) respond(request_id, serverResponse(500, "internal error: " + std::string(e.what())));
  } catch (...) {
    if (token->connection == nullptr) return;
    ++server_.stats().handler_errors;
    httpLog().error("handler failed server={} conn={} method={} path={} error=unknown", server_.options().name, id_,
                    method_, path_);
    if (awaiting(request_id)) respond(request_id, serverResponse(500, "internal error"));
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

HttpResponse HttpConnection::serverResponse(int status, const std::string& message) const {
  HttpResponse response = httpErrorResponse(status, message);
  if (server_.options().decorate) server_.options().decorate(response);
  return response;
}

bool HttpConnection::idle() const {
  return !closing_ && !draining_ && !in_flight_ && writes_pending_ == 0 && !parser_.midMessage() &&
         !parser_.hasMessage() && request_id_ > 0;
}

void HttpConnection::sendError(int status, const std::string& message) {
  last_response_ = true;
  write(serializeResponse(serverResponse(status, message), false));
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
  if (self->streaming_) self->stream_queued_bytes_ -= std::min(self->stream_queued_bytes_, write_req->bytes.size());
  delete write_req;
  // Cancelled writes call back before the close callbacks, so `self` is still alive here.
  --self->writes_pending_;
  if (self->closing_) return;
  if (status < 0) {
    self->close();
    return;
  }
  if (self->writes_pending_ > 0 || self->streaming_) return;
  if (self->last_response_) {
    self->finishAndLinger();
    return;
  }
  self->idle_since_ = std::chrono::steady_clock::now();
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

}  // namespace faultline

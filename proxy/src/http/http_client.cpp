#include "http/http_client.h"

#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "http/http_log.h"
#include "http/http_parser.h"
#include "http/http_wire.h"
#include "net/address.h"
#include "net/dialer.h"
#include "net/uv_error.h"

namespace faultline {

namespace {

constexpr std::size_t kReadBufferBytes = 64 * 1024;

struct FailurePrefix {
  HttpClientFailure kind;
  std::string_view prefix;
};
constexpr FailurePrefix kFailurePrefixes[] = {
    {HttpClientFailure::kResolve, "resolve failed: "},
    {HttpClientFailure::kConnectionRefused, "connection refused: "},
    {HttpClientFailure::kTimeout, "timeout: "},
    {HttpClientFailure::kReset, "connection reset: "},
    {HttpClientFailure::kMalformedResponse, "malformed response: "},
    {HttpClientFailure::kCancelled, "cancelled: "},
    {HttpClientFailure::kIo, "io error: "},
};

std::string prefixOf(HttpClientFailure kind) {
  for (const auto& entry : kFailurePrefixes) {
    if (entry.kind == kind) return std::string(entry.prefix);
  }
  return {};
}

Error clientError(HttpClientFailure kind, const std::string& message) {
  return Error::io(prefixOf(kind) + message);
}

}  // namespace

HttpClientFailure httpClientFailure(const Error& error) {
  for (const auto& entry : kFailurePrefixes) {
    if (std::string_view(error.message).substr(0, entry.prefix.size()) == entry.prefix) return entry.kind;
  }
  return HttpClientFailure::kNone;
}

namespace detail {

// One call: resolve (maybe), connect, write, read one response. Owns a uv_tcp_t and a uv_timer_t
// (the deadline) and keeps itself alive through `self_` until both have closed and no resolve is
// outstanding; only then does the callback run, so it can never run inside request().
class HttpClientCall {
 public:
  HttpClientCall(uv_loop_t* loop, HttpClientRequest request, HttpClient::Callback done)
      : loop_(loop),
        request_(std::move(request)),
        done_(std::move(done)),
        parser_(HttpParser::Mode::kResponse,
                HttpParserLimits{8 * 1024, 64 * 1024, request_.max_response_body_bytes}) {
    HostPort where{request_.host, request_.port};
    label_ = where.toString();
  }
  HttpClientCall(const HttpClientCall&) = delete;
  HttpClientCall& operator=(const HttpClientCall&) = delete;

  void start(std::shared_ptr<HttpClientCall> self);
  void cancel() { fail(HttpClientFailure::kCancelled, "request to " + label_ + " cancelled"); }
  bool active() const { return !finished_; }

 private:
  void onDialed(const Dialer::Outcome& outcome);
  static void onWritten(uv_write_t* req, int status) noexcept;
  static void onAlloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) noexcept;
  static void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept;
  static void onTimeout(uv_timer_t* timer) noexcept;
  static void onClosed(uv_handle_t* handle) noexcept;

  void fail(HttpClientFailure kind, const std::string& message) { finish(clientError(kind, message)); }
  void finish(Result<HttpResponse> result);
  void maybeDeliver();

  uv_loop_t* loop_;
  HttpClientRequest request_;
  HttpClient::Callback done_;
  HttpParser parser_;
  std::string label_;
  std::shared_ptr<HttpClientCall> self_;

  uv_tcp_t tcp_{};
  uv_timer_t timer_{};
  Dialer dialer_;
  uv_write_t write_req_{};
  std::string request_bytes_;
  std::string read_buffer_;

  bool finished_ = false;  // result decided, handles closing
  bool response_started_ = false;
  int pending_closes_ = 0;
  std::optional<Result<HttpResponse>> result_;
};

void HttpClientCall::start(std::shared_ptr<HttpClientCall> self) {
  self_ = std::move(self);
  // The tcp handle is initialized up front so that finish() always has the same two handles to close.
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  if (int rc = uv_tcp_init(loop_, &tcp_); rc < 0) {
    pending_closes_ = 1;
    finished_ = true;
    result_ = clientError(HttpClientFailure::kIo, "socket for " + label_ + ": " + uvErrorText(rc));
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &HttpClientCall::onClosed);
    return;
  }
  tcp_.data = this;
  const auto timeout_ms = static_cast<uint64_t>(std::max<int64_t>(0, request_.timeout.count()));
  uv_timer_start(&timer_, &HttpClientCall::onTimeout, timeout_ms, 0);

  HostPort where{request_.host, request_.port};
  if (request_.host.empty()) {
    fail(HttpClientFailure::kResolve, "empty host; expected a name or an IP address");
    return;
  }
  // The call's own timer is the deadline for everything, the dial included.
  dialer_.setOnResolveSettled([this] { maybeDeliver(); });
  dialer_.start(loop_, &tcp_, where, [this](const Dialer::Outcome& outcome) { onDialed(outcome); });
}

void HttpClientCall::onDialed(const Dialer::Outcome& outcome) {
  if (finished_) return;
  if (!outcome.address.empty()) label_ = outcome.address;
  if (outcome.status != 0) {
    if (outcome.stage == Dialer::Stage::kResolve) {
      fail(HttpClientFailure::kResolve, "resolve " + request_.host + ": " + uvErrorText(outcome.status));
    } else if (outcome.status == UV_ECONNREFUSED) {
      fail(HttpClientFailure::kConnectionRefused, "connect " + label_ + ": " + uvErrorText(outcome.status));
    } else if (outcome.status == UV_ETIMEDOUT) {
      fail(HttpClientFailure::kTimeout, "connect " + label_ + ": " + uvErrorText(outcome.status));
    } else {
      fail(HttpClientFailure::kIo, "connect " + label_ + ": " + uvErrorText(outcome.status));
    }
    return;
  }
  HttpRequest wire;
  wire.method = request_.method;
  wire.target = request_.path.empty() ? "/" : request_.path;
  wire.headers = request_.headers;
  wire.body = std::move(request_.body);
  HostPort host{request_.host, request_.port};
  request_bytes_ = serializeRequest(wire, host.toString());
  if (equalsIgnoreCase(request_.method, "HEAD")) parser_.expectNoBody();
  uv_buf_t buf = uv_buf_init(request_bytes_.data(), static_cast<unsigned>(request_bytes_.size()));
  write_req_.data = this;
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  if (int rc = uv_write(&write_req_, stream, &buf, 1, &HttpClientCall::onWritten); rc < 0) {
    fail(HttpClientFailure::kIo, "write to " + label_ + ": " + uvErrorText(rc));
    return;
  }
  // Read at once: a server may answer (e.g. 413) before it has read the whole request.
  if (int rc = uv_read_start(stream, &HttpClientCall::onAlloc, &HttpClientCall::onRead); rc < 0) {
    fail(HttpClientFailure::kIo, "read from " + label_ + ": " + uvErrorText(rc));
  }
}

void HttpClientCall::onWritten(uv_write_t* req, int status) noexcept {
  auto* self = static_cast<HttpClientCall*>(req->data);
  if (self->finished_ || status >= 0) return;
  if (self->response_started_) return;  // the server answered early and closed; let the read decide
  if (status == UV_ECONNRESET || status == UV_EPIPE) {
    self->fail(HttpClientFailure::kReset, "write to " + self->label_ + ": " + uvErrorText(status));
    return;
  }
  self->fail(HttpClientFailure::kIo, "write to " + self->label_ + ": " + uvErrorText(status));
}

void HttpClientCall::onAlloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) noexcept {
  auto* self = static_cast<HttpClientCall*>(handle->data);
  if (self->read_buffer_.size() != kReadBufferBytes) self->read_buffer_.resize(kReadBufferBytes);
  *buf = uv_buf_init(self->read_buffer_.data(), static_cast<unsigned>(self->read_buffer_.size()));
}

void HttpClientCall::onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept {
  auto* self = static_cast<HttpClientCall*>(stream->data);
  if (self->finished_ || nread == 0) return;
  if (nread > 0) {
    self->response_started_ = true;
    self->parser_.feed(std::string_view(buf->base, static_cast<std::size_t>(nread)));
  } else if (nread == UV_EOF) {
    self->parser_.finish();
    if (!self->parser_.hasMessage() && !self->parser_.failed()) {
      self->fail(HttpClientFailure::kReset, "connection closed by " + self->label_ + " before a complete response");
      return;
    }
    if (!self->parser_.hasMessage() && self->parser_.error().reason.rfind("connection closed", 0) == 0) {
      self->fail(HttpClientFailure::kReset,
                 "connection closed by " + self->label_ + " before a complete response (" +
                     self->parser_.error().reason + ")");
      return;
    }
  } else {
    const int status = static_cast<int>(nread);
    const auto kind = status == UV_ECONNRESET ? HttpClientFailure::kReset : HttpClientFailure::kIo;
    self->fail(kind, "read from " + self->label_ + ": " + uvErrorText(status));
    return;
  }
  if (self->parser_.hasMessage()) {
    self->finish(std::move(self->parser_.take().response));
    return;
  }
  if (self->parser_.failed()) {
    const auto& error = self->parser_.error();
    self->fail(HttpClientFailure::kMalformedResponse,
               "from " + self->label_ + ": " + error.reason + " (status " + std::to_string(error.status) + ")");
  }
}

void HttpClientCall::onTimeout(uv_timer_t* timer) noexcept {
  auto* self = static_cast<HttpClientCall*>(timer->data);
  if (self->finished_) return;
  self->fail(HttpClientFailure::kTimeout, "no complete response from " + self->label_ + " within " +
                                              std::to_string(self->request_.timeout.count()) +
                                              " ms (deadline exceeded)");
}

void HttpClientCall::finish(Result<HttpResponse> result) {
  if (finished_) return;
  finished_ = true;
  result_ = std::move(result);
  dialer_.cancel();  // a resolve still running completes later; maybeDeliver waits for it
  // Closing the tcp handle cancels a pending connect or write; their callbacks run first and
  // see finished_.
  pending_closes_ = 2;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &HttpClientCall::onClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &HttpClientCall::onClosed);
}

void HttpClientCall::onClosed(uv_handle_t* handle) noexcept {
  auto* self = static_cast<HttpClientCall*>(handle->data);
  --self->pending_closes_;
  self->maybeDeliver();
}

void HttpClientCall::maybeDeliver() {
  if (pending_closes_ > 0 || dialer_.resolving() || !result_) return;
  // Keep this alive until the end of the function even if the callback drops the last handle.
  std::shared_ptr<HttpClientCall> keep = std::move(self_);
  auto done = std::move(done_);
  auto result = std::move(*result_);
  result_.reset();
  if (!done) return;
  try {
    done(std::move(result));
  } catch (const std::exception& e) {
    httpLog().error("http client callback threw peer={} error=\"{}\"", label_, e.what());
  } catch (...) {
    httpLog().error("http client callback threw peer={} error=unknown", label_);
  }
}

}  // namespace detail

void HttpCall::cancel() {
  if (auto call = call_.lock()) call->cancel();
}

bool HttpCall::active() const {
  auto call = call_.lock();
  return call && call->active();
}

HttpCall HttpClient::request(uv_loop_t* loop, HttpClientRequest request, Callback done) {
  auto call = std::make_shared<detail::HttpClientCall>(loop, std::move(request), std::move(done));
  call->start(call);
  return HttpCall(call);
}

Result<HttpResponse> httpRequestSync(const HttpClientRequest& request) {
  uv_loop_t loop;
  if (int rc = uv_loop_init(&loop); rc < 0) return uvError(rc, "create event loop for HTTP request");
  std::optional<Result<HttpResponse>> outcome;
  HttpClient::request(&loop, request, [&outcome](Result<HttpResponse> result) { outcome = std::move(result); });
  uv_run(&loop, UV_RUN_DEFAULT);
  // Every handle of the call is closed before its callback runs, so the loop is empty here.
  if (int rc = uv_loop_close(&loop); rc < 0) {
    httpLog().error("http client loop not empty at close error={}", uvErrorText(rc));
  }
  if (!outcome) return Error{ErrorCode::kInternal, "HTTP request to " + request.host + " ended without a result"};
  return std::move(*outcome);
}

}  // namespace faultline

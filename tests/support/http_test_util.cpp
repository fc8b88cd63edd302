#include "support/http_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <stdexcept>

#include "http/http_parser.h"
#include "support/sockets.h"

namespace faultline::testing {

namespace {

int connectLoopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval tv{};
  tv.tv_sec = kDeadline.count() / 1000;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

RawClient::RawClient(uint16_t port)
    : fd_(connectLoopback(port)), parser_(std::make_unique<HttpParser>(HttpParser::Mode::kResponse)) {}

RawClient::~RawClient() { close(); }

void RawClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RawClient::shutdownWrite() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

bool RawClient::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::optional<HttpResponse> RawClient::readResponse() {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!parser_->hasMessage()) {
    if (parser_->failed() || std::chrono::steady_clock::now() > deadline) return std::nullopt;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    received_.append(buf, static_cast<std::size_t>(n));
    parser_->feed(std::string_view(buf, static_cast<std::size_t>(n)));
  }
  return parser_->take().response;
}

bool RawClient::waitClosed(std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;  // SO_RCVTIMEO expiry gives EAGAIN: not closed
    received_.append(buf, static_cast<std::size_t>(n));
  }
  return false;
}

SilentListener::SilentListener() {
  fd_ = listenOnLoopback(16, &port_);
}

SilentListener::~SilentListener() { ::close(fd_); }

void SilentListener::serveOnce(uint16_t port, const std::string& reply, std::promise<void>& listening) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::listen(fd, 4) == 0;
  listening.set_value();
  if (ok) {
    timeval tv{};
    tv.tv_sec = kDeadline.count() / 1000;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);  // bounds accept() too
    int conn = ::accept(fd, nullptr, nullptr);
    if (conn >= 0) {
      timeval short_tv{};
      short_tv.tv_usec = 200'000;
      ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &short_tv, sizeof short_tv);
      char buf[4096];
      (void)::recv(conn, buf, sizeof buf, 0);
      if (!reply.empty()) (void)::send(conn, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(conn);
    }
  }
  ::close(fd);
}

uint16_t portOf(const std::string& address) {
  return static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

}  // namespace faultline::testing

namespace faultline::testing {

namespace {
struct OneShotTimer {
  uv_timer_t timer{};
  std::function<void()> fn;
};
}  // namespace

void runAfter(uv_loop_t* loop, std::chrono::milliseconds delay, std::function<void()> fn) {
  auto* t = new OneShotTimer;
  t->fn = std::move(fn);
  uv_timer_init(loop, &t->timer);
  t->timer.data = t;
  uv_timer_start(
      &t->timer,
      [](uv_timer_t* handle) {
        auto* self = static_cast<OneShotTimer*>(handle->data);
        self->fn();
        uv_close(reinterpret_cast<uv_handle_t*>(handle),
                 [](uv_handle_t* h) { delete static_cast<OneShotTimer*>(h->data); });
      },
      static_cast<uint64_t>(delay.count()), 0);
}

}  // namespace faultline::testing

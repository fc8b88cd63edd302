#include "support/sockets.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <random>

namespace faultline::testing {

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

Socket::~Socket() { close(); }

void Socket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Socket Socket::connectTo(uint16_t port, const std::string& host) {
  const bool v6 = host.find(':') != std::string::npos;
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Socket();
  int rc;
  if (v6) {
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(port);
    inet_pton(AF_INET6, host.c_str(), &addr.sin6_addr);
    rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  } else {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  if (rc != 0) {
    ::close(fd);
    return Socket();
  }
  return Socket(fd);
}

bool Socket::sendAll(const std::string& data) { return sendAll(data.data(), data.size()); }

bool Socket::sendAll(const char* data, std::size_t size) {
  std::size_t sent = 0;
  while (sent < size) {
    ssize_t n = ::send(fd_, data + sent, size - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

void Socket::shutdownWrite() { ::shutdown(fd_, SHUT_WR); }

void Socket::setReceiveTimeout(milliseconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

namespace {
// Waits for readability until the absolute deadline; false on timeout.
bool waitReadable(int fd, std::chrono::steady_clock::time_point until) {
  for (;;) {
    auto left = std::chrono::duration_cast<milliseconds>(until - std::chrono::steady_clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left));
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return true;  // let recv report the error
  }
}
}  // namespace

std::string Socket::readUntilClosed(milliseconds deadline, int* error) {
  std::string out;
  const auto until = std::chrono::steady_clock::now() + deadline;
  char buf[65536];
  for (;;) {
    if (!waitReadable(fd_, until)) {
      if (error) *error = ETIMEDOUT;
      return out;
    }
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) {
      if (error) *error = 0;
      return out;
    }
    if (errno == EINTR || errno == EAGAIN) continue;
    if (error) *error = errno;
    return out;
  }
}

std::string Socket::readExactly(std::size_t n, milliseconds deadline) {
  std::string out;
  const auto until = std::chrono::steady_clock::now() + deadline;
  std::vector<char> buf(65536);
  while (out.size() < n) {
    if (!waitReadable(fd_, until)) return out;
    ssize_t got = ::recv(fd_, buf.data(), std::min(buf.size(), n - out.size()), 0);
    if (got <= 0) {
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      return out;
    }
    out.append(buf.data(), static_cast<std::size_t>(got));
  }
  return out;
}

TcpServer::TcpServer(Handler handler) : handler_(std::move(handler)), mutex_(new std::mutex) {
  listen_fd_ = listenOnLoopback(512, &port_);
  thread_ = std::thread([this] { acceptLoop(); });
}

TcpServer::~TcpServer() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  thread_.join();
  {
    std::lock_guard<std::mutex> lock(*mutex_);
    for (int fd : client_fds_) ::shutdown(fd, SHUT_RDWR);  // unblock handlers stuck in recv
  }
  for (auto& worker : workers_) worker.join();
  delete mutex_;
}

void TcpServer::acceptLoop() {
  while (!stopping_) {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (stopping_) return;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    ++connections_;
    std::lock_guard<std::mutex> lock(*mutex_);
    client_fds_.push_back(fd);
    workers_.emplace_back([this, fd] {
      Socket socket(fd);
      handler_(socket);
      std::lock_guard<std::mutex> inner(*mutex_);
      std::erase(client_fds_, fd);
    });
  }
}

TcpServer TcpServer::echo() {
  return TcpServer([](Socket& s) {
    char buf[65536];
    for (;;) {
      ssize_t n = ::recv(s.fd(), buf, sizeof buf, 0);
      if (n <= 0) break;
      if (!s.sendAll(buf, static_cast<std::size_t>(n))) return;
    }
    s.shutdownWrite();
  });
}

TcpServer TcpServer::sink() {
  return TcpServer([](Socket& s) {
    char buf[65536];
    while (::recv(s.fd(), buf, sizeof buf, 0) > 0) {
    }
  });
}

uint16_t unusedPort() { return HeldPort().port(); }  // closed again at once: nothing listens there

int listenOnLoopback(int backlog, uint16_t* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, backlog) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

void HeldPort::release() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string randomBytes(std::size_t size, uint64_t seed) {
  std::string out(size, '\0');
  std::mt19937_64 engine(seed);
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t v = engine();
    std::memcpy(&out[i], &v, 8);
  }
  for (; i < size; ++i) out[i] = static_cast<char>(engine());
  return out;
}

uint64_t hashBytes(const std::string& data) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace faultline::testing

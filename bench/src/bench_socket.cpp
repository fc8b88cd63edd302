#include "bench_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace faultline::bench {
namespace {

std::string describe(const Endpoint& endpoint) {
  return endpoint.host.find(':') != std::string::npos
             ? "[" + endpoint.host + "]:" + std::to_string(endpoint.port)
             : endpoint.host + ":" + std::to_string(endpoint.port);
}

[[noreturn]] void fail(const std::string& what, int error) {
  throw std::runtime_error(what + ": " + std::strerror(error));
}

socklen_t toSockaddr(const Endpoint& endpoint, sockaddr_storage& storage) {
  std::memset(&storage, 0, sizeof storage);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  if (inet_pton(AF_INET, endpoint.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(endpoint.port);
    return sizeof(sockaddr_in);
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET6, endpoint.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(endpoint.port);
    return sizeof(sockaddr_in6);
  }
  throw std::invalid_argument("address '" + endpoint.host +
                              "': expected a numeric IPv4 or IPv6 address");
}

// Waits for `events` on fd until the deadline; false on timeout.
bool waitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd entry{fd, events, 0};
    int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) fail("poll", errno);
  }
}

}  // namespace

Endpoint parseEndpoint(const std::string& text) {
  const std::string expected = "expected HOST:PORT or [V6]:PORT, got '" + text + "'";
  std::string host;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find("]:");
    if (close == std::string::npos) throw std::invalid_argument(expected);
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument(expected);
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.find_first_not_of("0123456789") != std::string::npos ||
      port.size() > 5 || std::stoul(port) > 65535) {
    throw std::invalid_argument(expected);
  }
  return Endpoint{host == "localhost" ? "127.0.0.1" : host, static_cast<uint16_t>(std::stoul(port))};
}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Socket::~Socket() {
  if (fd_ >= 0) ::close(fd_);
}

int Socket::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

Socket connectTo(const Endpoint& endpoint, Clock::time_point deadline) {
  sockaddr_storage address;
  socklen_t length = toSockaddr(endpoint, address);
  Socket socket(::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.fd() < 0) fail("socket for " + describe(endpoint), errno);
  setNonBlocking(socket.fd());
  if (::connect(socket.fd(), reinterpret_cast<sockaddr*>(&address), length) != 0) {
    if (errno != EINPROGRESS) fail("connect to " + describe(endpoint), errno);
    if (!waitFor(socket.fd(), POLLOUT, deadline)) {
      throw std::runtime_error("connect to " + describe(endpoint) + ": timed out");
    }
    int error = 0;
    socklen_t size = sizeof error;
    ::getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &error, &size);
    if (error != 0) fail("connect to " + describe(endpoint), error);
  }
  return socket;
}

Socket listenOn(const Endpoint& endpoint, int backlog) {
  sockaddr_storage address;
  socklen_t length = toSockaddr(endpoint, address);
  Socket socket(::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.fd() < 0) fail("socket for " + describe(endpoint), errno);
  int on = 1;
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (::bind(socket.fd(), reinterpret_cast<sockaddr*>(&address), length) != 0) {
    fail("bind " + describe(endpoint), errno);
  }
  if (::listen(socket.fd(), backlog) != 0) fail("listen on " + describe(endpoint), errno);
  return socket;
}

uint16_t localPort(int fd) {
  sockaddr_storage address;
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    fail("getsockname", errno);
  }
  return address.ss_family == AF_INET6
             ? ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port)
             : ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

void setNoDelay(int fd) {
  int on = 1;
  if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0) fail("TCP_NODELAY", errno);
}

void setNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) fail("O_NONBLOCK", errno);
}

void writeAll(int fd, const void* data, std::size_t size, Clock::time_point deadline) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t written = ::send(fd, bytes, size, MSG_NOSIGNAL);
    if (written > 0) {
      bytes += written;
      size -= static_cast<std::size_t>(written);
      continue;
    }
    if (written < 0 && errno == EINTR) continue;
    if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!waitFor(fd, POLLOUT, deadline)) throw std::runtime_error("write: timed out");
      continue;
    }
    fail("write", errno);
  }
}

std::size_t readSome(int fd, void* data, std::size_t size, Clock::time_point deadline) {
  for (;;) {
    ssize_t got = ::recv(fd, data, size, 0);
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!waitFor(fd, POLLIN, deadline)) throw std::runtime_error("read: timed out");
      continue;
    }
    fail("read", errno);
  }
}

void readExact(int fd, void* data, std::size_t size, Clock::time_point deadline) {
  auto* bytes = static_cast<char*>(data);
  std::size_t done = 0;
  while (done < size) {
    std::size_t got = readSome(fd, bytes + done, size - done, deadline);
    if (got == 0) {
      throw std::runtime_error("read: peer closed after " + std::to_string(done) + " of " +
                               std::to_string(size) + " bytes");
    }
    done += got;
  }
}

uint64_t parseByteSize(const std::string& text) {
  std::size_t end = 0;
  uint64_t value = 0;
  try {
    value = std::stoull(text, &end);
  } catch (const std::exception&) {
    end = 0;
  }
  if (end == 0) {
    throw std::invalid_argument("size '" + text + "': expected a number with an optional unit "
                                "(B, KiB, MiB, GiB, KB, MB, GB)");
  }
  const std::string unit = text.substr(end);
  if (unit.empty() || unit == "B") return value;
  if (unit == "KiB" || unit == "K") return value << 10;
  if (unit == "MiB" || unit == "M") return value << 20;
  if (unit == "GiB" || unit == "G") return value << 30;
  if (unit == "KB") return value * 1000;
  if (unit == "MB") return value * 1000 * 1000;
  if (unit == "GB") return value * 1000 * 1000 * 1000;
  throw std::invalid_argument("size '" + text + "': unknown unit '" + unit +
                              "' (expected B, KiB, MiB, GiB, KB, MB or GB)");
}

}  // namespace faultline::bench

#include "net/connect_blackhole.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "net/address.h"

namespace faultline {

namespace {

std::string errnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

socklen_t lengthOf(const sockaddr* address) {
  return address->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

// Where the filler connects: the address itself, or its family's loopback when it is "any".
sockaddr_storage fillerTarget(const sockaddr* address) {
  sockaddr_storage target{};
  std::memcpy(&target, address, lengthOf(address));
  if (address->sa_family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&target);
    if (v4->sin_addr.s_addr == htonl(INADDR_ANY)) v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&target);
    if (std::memcmp(&v6->sin6_addr, &in6addr_any, sizeof in6addr_any) == 0) v6->sin6_addr = in6addr_loopback;
  }
  return target;
}

}  // namespace

std::string ConnectBlackhole::unsupportedReason() {
#if defined(__linux__)
  return "";
#else
  return "connect_timeout needs Linux (it relies on Linux dropping SYNs while a listener's accept queue is full); "
         "this platform would answer or reset the connection instead";
#endif
}

Result<std::unique_ptr<ConnectBlackhole>> ConnectBlackhole::open(const sockaddr* address) {
  if (auto reason = unsupportedReason(); !reason.empty()) return Error::invalid(reason);
  const std::string where = formatSockaddr(address);
  const int listen_fd = ::socket(address->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd < 0) return Error::io("connect_timeout on " + where + ": " + errnoText("socket"));
  const int one = 1;
  ::setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd, address, lengthOf(address)) != 0 || ::listen(listen_fd, 0) != 0) {
    auto error = Error::io("connect_timeout on " + where + ": " + errnoText("bind/listen"));
    ::close(listen_fd);
    return error;
  }
  // The actual port, in case the caller passed 0.
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  ::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  sockaddr_storage target = fillerTarget(reinterpret_cast<sockaddr*>(&bound));

  const int filler_fd = ::socket(address->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (filler_fd < 0) {
    auto error = Error::io("connect_timeout on " + where + ": " + errnoText("socket"));
    ::close(listen_fd);
    return error;
  }
  // On a local address the handshake completes inside connect() while the queue has room; the
  // timeout only guards against an address that is not really ours.
  timeval timeout{1, 0};
  ::setsockopt(filler_fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  const auto* target_sa = reinterpret_cast<const sockaddr*>(&target);
  if (::connect(filler_fd, target_sa, lengthOf(target_sa)) != 0) {
    auto error = Error::io("connect_timeout on " + where + ": cannot fill the accept queue: " + errnoText("connect"));
    ::close(filler_fd);
    ::close(listen_fd);
    return error;
  }
  return std::unique_ptr<ConnectBlackhole>(new ConnectBlackhole(listen_fd, filler_fd, formatSockaddr(reinterpret_cast<sockaddr*>(&bound))));
}

ConnectBlackhole::~ConnectBlackhole() {
  if (filler_fd_ >= 0) ::close(filler_fd_);
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

}  // namespace faultline

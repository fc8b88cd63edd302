#include "net/original_destination.h"

#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace faultline {

namespace {

// SO_ORIGINAL_DST (linux/netfilter_ipv4.h) and IP6T_SO_ORIGINAL_DST (linux/netfilter_ipv6/
// ip6_tables.h) are both 80; those kernel headers cannot be included beside <netinet/in.h>.
constexpr int kSoOriginalDst = 80;

bool sameEndpoint(const sockaddr_storage& a, const sockaddr_storage& b) {
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET) {
    const auto& x = reinterpret_cast<const sockaddr_in&>(a);
    const auto& y = reinterpret_cast<const sockaddr_in&>(b);
    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
  }
  const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
  const auto& y = reinterpret_cast<const sockaddr_in6&>(b);
  return x.sin6_port == y.sin6_port && std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
}

}  // namespace

Result<HostPort> originalDestination(int fd) {
  sockaddr_storage local{};
  socklen_t local_len = sizeof local;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) {
    return Error::io(std::string("getsockname: ") + std::strerror(errno));
  }
  sockaddr_storage original{};
  socklen_t len = sizeof original;
  const bool v6 = local.ss_family == AF_INET6;
  const int rc = v6 ? ::getsockopt(fd, SOL_IPV6, kSoOriginalDst, &original, &len)
                    : ::getsockopt(fd, SOL_IP, kSoOriginalDst, &original, &len);
  if (rc != 0) {
    return Error::io(std::string("no original destination (SO_ORIGINAL_DST: ") + std::strerror(errno) +
                     "); upstream original-destination needs connections redirected by iptables REDIRECT");
  }
  if (sameEndpoint(original, local)) {
    return Error::invalid("the connection was made to the listener itself, not redirected to it; "
                          "upstream original-destination would dial the proxy back");
  }
  return parseHostPort(formatSockaddr(reinterpret_cast<const sockaddr*>(&original)));
}

}  // namespace faultline

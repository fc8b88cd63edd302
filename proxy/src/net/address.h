#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"

namespace faultline {

// "host:port", "[v6]:port" or ":port" (any host), split but not resolved.
struct HostPort {
  std::string host;  // without brackets; "" means all interfaces
  uint16_t port = 0;

  // "127.0.0.1:80", "[::1]:80": the form Toxiproxy reports back.
  std::string toString() const;
};

// Errors name the problem: "missing port", "port out of range", "bad IPv6 form".
Result<HostPort> parseHostPort(const std::string& text);

// A numeric address (no DNS) as a sockaddr, or nullopt when host is a name that needs resolving.
// An empty host is 0.0.0.0; "localhost" is treated as 127.0.0.1 so listening never blocks.
std::optional<sockaddr_storage> numericSockaddr(const HostPort& address);

// "127.0.0.1:8474" / "[::1]:8474" from a socket address.
std::string formatSockaddr(const sockaddr* address);

}  // namespace faultline

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

// ---- Address identity: the one answer to "is this the same address?" -------------------------

// An IPv4 or IPv6 literal ("127.0.0.1", "::1"), without brackets or port.
bool isIpLiteral(const std::string& host);
// A DNS name by RFC 1123 (labels of letters, digits and '-', 1-63 each, 253 in all) or an IP
// literal. Nothing else (spaces, control bytes, '/', escapes) is a host.
bool isValidHost(const std::string& host);
// Whether a host may be listened on without DNS: an IP literal, "localhost" or "" (all).
bool isListenableHost(const std::string& host);

// One spelling per socket address: "localhost" -> 127.0.0.1, "" -> 0.0.0.0, IPv4-mapped IPv6
// ([::ffff:127.0.0.1]) -> IPv4, IPv6 compressed ("[::1]:80"). A name that needs DNS is
// lowercased and otherwise kept as written (equal only to itself).
std::string canonical(const HostPort& address);
// canonical(a) == canonical(b).
bool sameAddress(const HostPort& a, const HostPort& b);
// Whether a listener bound to `bound` already gives what `wanted` asks for: the same address,
// or wanted's port is 0 ("any port") and the host is the same.
bool listenSatisfiedBy(const HostPort& wanted, const HostPort& bound);
// Whether two listeners could not both bind: the same port on the same host, or on any host when
// either is a wildcard (Linux refuses 127.0.0.1:P while 0.0.0.0:P or [::]:P is bound). Port 0
// never collides (the kernel picks a free one).
bool collides(const HostPort& a, const HostPort& b);

}  // namespace faultline

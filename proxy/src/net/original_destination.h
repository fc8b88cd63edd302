#pragma once

#include <sys/socket.h>

#include <string_view>

#include "core/result.h"
#include "net/address.h"

namespace faultline {

// Transparent mode: a proxy whose upstream is `original-destination` forwards each accepted
// connection to where its client was going before an iptables REDIRECT (or TPROXY-less
// DNAT) sent it to the proxy's listener, so one listener can fault every outbound TCP
// connection of a pod.
inline constexpr std::string_view kOriginalDestination = "original-destination";

// The upstream a proxy spec holds for `upstream: original-destination`.
inline HostPort originalDestinationUpstream() { return HostPort{std::string(kOriginalDestination), 0}; }
inline bool isOriginalDestination(const HostPort& upstream) {
  return upstream.port == 0 && upstream.host == kOriginalDestination;
}

// The destination the client of the accepted socket `fd` asked for (SO_ORIGINAL_DST, IPv4 and
// IPv6). An error when there is none (no NAT on this connection: the client dialled the
// listener itself, which would make the proxy dial itself), or when the kernel has no
// connection tracking for it.
Result<HostPort> originalDestination(int fd);

}  // namespace faultline

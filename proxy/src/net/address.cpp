#include "net/address.h"

#include "net/original_destination.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <uv.h>

#include <cctype>
#include <charconv>
#include <cstring>

namespace faultline {

std::string HostPort::toString() const {
  if (isOriginalDestination(*this)) return host;  // transparent mode: no address of its own
  const std::string h = host.empty() ? "0.0.0.0" : host;
  std::string out;
  // Appending piece by piece (not "[" + h) also avoids a GCC 12 -Wrestrict false positive.
  if (h.find(':') != std::string::npos) {
    out.append("[").append(h).append("]");
  } else {
    out.append(h);
  }
  return out.append(":").append(std::to_string(port));
}

Result<HostPort> parseHostPort(const std::string& text) {
  if (text.empty()) return Error::invalid("empty address; expected host:port");
  HostPort out;
  std::string port_text;
  if (text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos) return Error::invalid("bad IPv6 form '" + text + "': missing ']'; expected [addr]:port");
    out.host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      return Error::invalid("missing port in '" + text + "'; expected [addr]:port");
    }
    port_text = text.substr(close + 2);
    in6_addr probe{};
    if (inet_pton(AF_INET6, out.host.c_str(), &probe) != 1) {
      return Error::invalid("bad IPv6 form '" + text + "': '" + out.host + "' is not an IPv6 address");
    }
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) return Error::invalid("missing port in '" + text + "'; expected host:port");
    out.host = text.substr(0, colon);
    if (out.host.find(':') != std::string::npos) {
      return Error::invalid("bad IPv6 form '" + text + "': put IPv6 addresses in brackets, e.g. [::1]:8080");
    }
    port_text = text.substr(colon + 1);
  }
  if (port_text.empty()) return Error::invalid("missing port in '" + text + "'; expected host:port");
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc{} || end != port_text.data() + port_text.size()) {
    return Error::invalid("bad port '" + port_text + "' in '" + text + "'; expected a number from 0 to 65535");
  }
  if (value > 65535) return Error::invalid("port " + port_text + " out of range in '" + text + "'; expected 0 to 65535");
  for (char c : out.host) {
    if (c == ' ' || c == '/' || c == '\0') return Error::invalid("bad host '" + out.host + "' in '" + text + "'");
  }
  out.port = static_cast<uint16_t>(value);
  return out;
}

std::optional<sockaddr_storage> numericSockaddr(const HostPort& address) {
  sockaddr_storage storage{};
  std::string host = address.host.empty() ? "0.0.0.0" : address.host;
  if (host == "localhost") host = "127.0.0.1";
  if (uv_ip4_addr(host.c_str(), address.port, reinterpret_cast<sockaddr_in*>(&storage)) == 0) return storage;
  storage = {};
  if (uv_ip6_addr(host.c_str(), address.port, reinterpret_cast<sockaddr_in6*>(&storage)) == 0) return storage;
  return std::nullopt;
}

std::string formatSockaddr(const sockaddr* address) {
  char host[INET6_ADDRSTRLEN] = {0};
  if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    uv_ip6_name(in6, host, sizeof host);
    std::string out("[");
    return out.append(host).append("]:").append(std::to_string(ntohs(in6->sin6_port)));
  }
  const auto* in4 = reinterpret_cast<const sockaddr_in*>(address);
  uv_ip4_name(in4, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(in4->sin_port));
}

namespace {

// The numeric form of a host for comparisons, or nullopt for a name.
std::optional<std::string> canonicalHost(const std::string& host) {
  HostPort probe{host, 0};
  auto sa = numericSockaddr(probe);
  if (!sa) return std::nullopt;
  if (sa->ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&*sa);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      sockaddr_in in4{};
      in4.sin_family = AF_INET;
      std::memcpy(&in4.sin_addr, &in6->sin6_addr.s6_addr[12], 4);
      char text[INET_ADDRSTRLEN] = {0};
      uv_ip4_name(&in4, text, sizeof text);
      return std::string(text);
    }
    char text[INET6_ADDRSTRLEN] = {0};
    uv_ip6_name(in6, text, sizeof text);
    return std::string(text);
  }
  char text[INET_ADDRSTRLEN] = {0};
  uv_ip4_name(reinterpret_cast<const sockaddr_in*>(&*sa), text, sizeof text);
  return std::string(text);
}

bool isWildcard(const std::string& canonical_host) { return canonical_host == "0.0.0.0" || canonical_host == "::"; }

std::string canonicalHostOrName(const std::string& host) {
  if (auto numeric = canonicalHost(host)) return *numeric;
  std::string lower = host;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

}  // namespace

bool isIpLiteral(const std::string& host) {
  in_addr v4{};
  in6_addr v6{};
  return inet_pton(AF_INET, host.c_str(), &v4) == 1 || inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

bool isValidHost(const std::string& host) {
  if (isIpLiteral(host)) return true;
  if (host.empty() || host.size() > 253) return false;
  std::size_t label = 0;
  char previous = '.';
  for (char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '.') {
      if (label == 0 || previous == '-') return false;
      label = 0;
    } else if (std::isalnum(u) || c == '-' || c == '_') {
      // '_' is not RFC 1123, but container and service names use it and resolvers accept it.
      if (c == '-' && label == 0) return false;
      if (++label > 63) return false;
    } else {
      return false;
    }
    previous = c;
  }
  return previous != '-';
}

bool isListenableHost(const std::string& host) { return host.empty() || host == "localhost" || isIpLiteral(host); }

std::string canonical(const HostPort& address) {
  const std::string host = canonicalHostOrName(address.host.empty() ? "0.0.0.0" : address.host);
  return HostPort{host, address.port}.toString();
}

bool sameAddress(const HostPort& a, const HostPort& b) { return canonical(a) == canonical(b); }

bool listenSatisfiedBy(const HostPort& wanted, const HostPort& bound) {
  if (wanted.port != 0) return sameAddress(wanted, bound);
  return sameAddress(HostPort{wanted.host, 0}, HostPort{bound.host, 0});
}

bool collides(const HostPort& a, const HostPort& b) {
  if (a.port == 0 || b.port == 0 || a.port != b.port) return false;
  const std::string ha = canonicalHostOrName(a.host.empty() ? "0.0.0.0" : a.host);
  const std::string hb = canonicalHostOrName(b.host.empty() ? "0.0.0.0" : b.host);
  return ha == hb || isWildcard(ha) || isWildcard(hb);
}

}  // namespace faultline

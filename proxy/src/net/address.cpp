#include "net/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <uv.h>

#include <charconv>
#include <cstring>

namespace faultline {

std::string HostPort::toString() const {
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

}  // namespace faultline

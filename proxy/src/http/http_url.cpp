#include "http/http_url.h"

#include <charconv>

#include "http/http_message.h"

namespace faultline {

namespace {

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

std::string HttpUrl::toString() const { return "http://" + hostHeader() + base_path; }

std::string HttpUrl::hostHeader() const { return bracketed(host) + ":" + std::to_string(port); }

Result<HttpUrl> parseHttpUrl(const std::string& url) {
  const std::string expected = "; expected http://host:port[/path]";
  std::string_view rest = url;
  auto scheme_end = rest.find("://");
  if (scheme_end != std::string_view::npos) {
    std::string_view scheme = rest.substr(0, scheme_end);
    if (!equalsIgnoreCase(scheme, "http")) {
      return Error::invalid("unsupported scheme '" + std::string(scheme) + "' in '" + url + "'" + expected);
    }
    rest.remove_prefix(scheme_end + 3);
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos) {
    return Error::invalid("query or fragment in base URL '" + url + "'" + expected);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);

  HttpUrl out;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return Error::invalid("missing ']' after IPv6 host in '" + url + "'" + expected);
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Error::invalid("unexpected '" + std::string(after) + "' after IPv6 host in '" + url + "'" + expected);
      port_text = after.substr(1);
      if (port_text.empty()) return Error::invalid("empty port in '" + url + "'" + expected);
    }
  } else {
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      if (authority.find(':') != colon) {
        return Error::invalid("IPv6 host without brackets in '" + url + "'; expected http://[::1]:8474");
      }
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return Error::invalid("empty port in '" + url + "'" + expected);
      authority = authority.substr(0, colon);
    }
    out.host = std::string(authority);
  }
  if (out.host.empty()) return Error::invalid("missing host in '" + url + "'" + expected);
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      return Error::invalid("bad port '" + std::string(port_text) + "' in '" + url + "'; expected 1 to 65535");
    }
    out.port = static_cast<uint16_t>(value);
  }
  out.base_path = std::string(path);
  return out;
}

}  // namespace faultline

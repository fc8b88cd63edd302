#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace faultline {

// "http://localhost:8474/base" split into its parts. Only plain http is supported.
struct HttpUrl {
  std::string host;       // "localhost", "127.0.0.1", "::1" (no brackets)
  uint16_t port = 80;
  std::string base_path;  // "" or "/base" (never a trailing '/')

  // "http://localhost:8474/base", with brackets around IPv6 hosts.
  std::string toString() const;
  // "localhost:8474" / "[::1]:8474": the Host header value.
  std::string hostHeader() const;
};

// Accepts "http://host[:port][/path]" and, for convenience, "host:port[/path]" without a scheme.
// Errors name the problem: "unsupported scheme 'https' in '...'; expected http://host:port".
Result<HttpUrl> parseHttpUrl(const std::string& url);

}  // namespace faultline

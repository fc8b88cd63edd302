#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faultline {

// Case-insensitive ASCII comparison for header names.
bool equalsIgnoreCase(std::string_view a, std::string_view b);

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: "/proxies/foo?x=1"
  std::string path;    // "/proxies/foo" (percent-decoded)
  std::string raw_path;  // the path as sent, not decoded: split it first, then decode each segment
                         // ("/proxies/a%2Fb" is one segment "a/b", not two)
  std::string query;   // "x=1"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // First header with that name (case-insensitive), or "" when absent.
  std::string header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string header(std::string_view name) const;
  void setHeader(std::string name, std::string value);

  static HttpResponse text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  static HttpResponse json(int status, std::string body);
  static HttpResponse empty(int status);
};

const char* reasonPhrase(int status);

}  // namespace faultline

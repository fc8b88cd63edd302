#include "http/http_wire.h"

#include <string>
#include <utility>

namespace faultline {

namespace {

bool bodyForbidden(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

// Headers the serializer owns: a caller's copy would contradict the framing we write.
bool isFramingHeader(std::string_view name) {
  return equalsIgnoreCase(name, "Content-Length") || equalsIgnoreCase(name, "Connection") ||
         equalsIgnoreCase(name, "Transfer-Encoding");
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string serializeResponse(const HttpResponse& response, bool keep_alive) {
  const bool no_body = bodyForbidden(response.status);
  std::string out;
  out.reserve(128 + response.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += reasonPhrase(response.status);
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    if (isFramingHeader(name)) continue;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (!no_body) {
    out += "Content-Length: ";
    out += std::to_string(response.body.size());
    out += "\r\n";
  }
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  out += "\r\n";
  if (!no_body) out += response.body;
  return out;
}

std::string serializeRequest(const HttpRequest& request, const std::string& host) {
  std::string target = request.target;
  if (target.empty()) {
    target = request.path.empty() ? "/" : request.path;
    if (!request.query.empty()) target += "?" + request.query;
  }
  std::string out;
  out.reserve(128 + request.body.size());
  out += request.method.empty() ? "GET" : request.method;
  out += ' ';
  out += target;
  out += " HTTP/1.1\r\n";
  bool has_host = false;
  bool has_connection = false;
  for (const auto& [name, value] : request.headers) {
    if (equalsIgnoreCase(name, "Content-Length") || equalsIgnoreCase(name, "Transfer-Encoding")) continue;
    if (equalsIgnoreCase(name, "Host")) has_host = true;
    if (equalsIgnoreCase(name, "Connection")) has_connection = true;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (!has_host) out += "Host: " + host + "\r\n";
  if (!has_connection) out += "Connection: close\r\n";
  const bool method_has_body = request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (!request.body.empty() || method_has_body) {
    out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  out += "\r\n";
  out += request.body;
  return out;
}

std::optional<std::string> percentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;  // needs two hex digits after '%'
    int hi = hexValue(text[i + 1]);
    int lo = hexValue(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::optional<std::string> queryParam(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      if (eq == std::string_view::npos) return std::string();
      const std::string_view raw = pair.substr(eq + 1);
      auto decoded = percentDecode(raw);
      return decoded ? std::move(*decoded) : std::string(raw);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace faultline

#include "toxics/http/http_head.h"

#include <cctype>

namespace faultline {

std::optional<std::string_view> HttpHead::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (equalsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::string HttpHead::path() const {
  std::string_view t = target;
  if (auto scheme = t.find("://"); scheme != std::string_view::npos && t.front() != '/') {
    auto slash = t.find('/', scheme + 3);
    t = slash == std::string_view::npos ? std::string_view("/") : t.substr(slash);
  }
  auto end = t.find_first_of("?#");
  return std::string(end == std::string_view::npos ? t : t.substr(0, end));
}

bool HttpHead::expectsContinue() const {
  auto expect = header("Expect");
  return expect && equalsIgnoreCase(*expect, "100-continue");
}

std::string syntheticResponse(int status, std::string_view body, std::string_view toxic, int64_t retry_after_s,
                              bool close, std::string_view content_type) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reasonPhrase(status) + "\r\n";
  out += "Content-Type: ";
  out += content_type;
  out += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  out += "X-Faultline-Fault: ";
  out += toxic;
  out += "\r\n";
  if (retry_after_s > 0) out += "Retry-After: " + std::to_string(retry_after_s) + "\r\n";
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
  out += body;
  return out;
}

std::string rewrittenResponseHead(const HttpHead& head, int status, const std::optional<std::string>& body,
                                  std::string_view toxic) {
  std::string out = "HTTP/" + std::to_string(head.version_major) + "." + std::to_string(head.version_minor) + " " +
                    std::to_string(status) + " " + reasonPhrase(status) + "\r\n";
  for (const auto& [key, value] : head.headers) {
    if (body && (equalsIgnoreCase(key, "Content-Length") || equalsIgnoreCase(key, "Transfer-Encoding"))) continue;
    out += key + ": " + value + "\r\n";
  }
  if (body) out += "Content-Length: " + std::to_string(body->size()) + "\r\n";
  out += "X-Faultline-Fault: ";
  out += toxic;
  out += "\r\n\r\n";
  return out;
}

std::string withoutHeaders(std::string_view raw_head, const std::vector<std::string_view>& names) {
  std::string out;
  out.reserve(raw_head.size());
  bool first = true;
  std::size_t pos = 0;
  while (pos < raw_head.size()) {
    std::size_t eol = raw_head.find('\n', pos);
    std::size_t next = eol == std::string_view::npos ? raw_head.size() : eol + 1;
    std::string_view line = raw_head.substr(pos, next - pos);
    bool drop = false;
    if (!first) {
      auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string_view name = line.substr(0, colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
        for (auto n : names) drop = drop || equalsIgnoreCase(name, n);
      }
    }
    if (!drop) out.append(line);
    first = false;
    pos = next;
  }
  return out;
}

}  // namespace faultline

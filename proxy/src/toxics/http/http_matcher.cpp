#include "toxics/http/http_matcher.h"

#include <algorithm>
#include <cctype>

namespace faultline {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> splitMethods(std::string_view text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = trim(text.substr(pos, comma - pos));
    std::string upper(item);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    out.push_back(upper);
    pos = comma + 1;
  }
  return out;
}

bool isTokenChar(unsigned char c) {
  return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

HttpMatcher::HttpMatcher(std::string_view methods, std::string_view path_glob, std::string_view header) {
  if (!trim(methods).empty()) methods_ = splitMethods(methods);
  glob_ = std::string(trim(path_glob));
  std::string_view h = trim(header);
  if (!h.empty()) {
    auto colon = h.find(':');
    header_name_ = std::string(trim(h.substr(0, colon)));
    if (colon != std::string_view::npos) header_value_ = std::string(trim(h.substr(colon + 1)));
  }
}

bool HttpMatcher::matches(const HttpHead& request) const {
  if (!methods_.empty()) {
    bool any = std::any_of(methods_.begin(), methods_.end(),
                           [&](const std::string& m) { return equalsIgnoreCase(m, request.method); });
    if (!any) return false;
  }
  if (!glob_.empty() && !globMatch(glob_, request.path())) return false;
  if (!header_name_.empty()) {
    bool found = false;
    for (const auto& [key, value] : request.headers) {
      if (!equalsIgnoreCase(key, header_name_)) continue;
      if (!header_value_ || value == *header_value_) { found = true; break; }
    }
    if (!found) return false;
  }
  return true;
}

// Iterative with one backtrack point per '*': linear in practice, never exponential.
bool globMatch(std::string_view glob, std::string_view text) {
  std::size_t g = 0, t = 0;
  std::size_t star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star = g++;
      resume = t;
    } else if (g < glob.size() && glob[g] == text[t]) {
      ++g;
      ++t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

Status checkMethodList(const std::string& text) {
  if (trim(text).empty()) return {};
  for (const auto& method : splitMethods(text)) {
    if (method.empty()) {
      return Error::invalid("empty method in \"" + text + "\"; write one method or a comma list, e.g. GET,POST");
    }
    if (!std::all_of(method.begin(), method.end(), [](unsigned char c) { return isTokenChar(c); })) {
      return Error::invalid("\"" + method + "\" is not an HTTP method; write one method or a comma list, e.g. GET,POST");
    }
  }
  return {};
}

Status checkPathGlob(const std::string& text) {
  std::string_view glob = trim(text);
  if (glob.empty()) return {};
  if (glob.front() != '/' && glob.front() != '*') {
    return Error::invalid("path glob \"" + text + "\" must start with '/' or '*', e.g. /data*");
  }
  for (unsigned char c : glob) {
    if (c <= ' ' || c == 0x7f) {
      return Error::invalid("path glob \"" + text + "\" contains a space or control character; percent-encode it");
    }
    if (c == '?' || c == '#') {
      return Error::invalid("path glob \"" + text +
                            "\" contains '?' or '#': the path is matched without its query, so drop that part "
                            "(use '*' for any run of characters)");
    }
  }
  return {};
}

Status checkHeaderMatcher(const std::string& text) {
  std::string_view h = trim(text);
  if (h.empty()) return {};
  std::string_view name = trim(h.substr(0, h.find(':')));
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](unsigned char c) { return isTokenChar(c); })) {
    return Error::invalid("header matcher \"" + text +
                          "\" needs a header name (letters, digits, '-'), e.g. \"X-Tenant: blue\" or \"X-Tenant\"");
  }
  return {};
}

}  // namespace faultline

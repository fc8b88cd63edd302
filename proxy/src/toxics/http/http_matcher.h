#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "toxics/http/http_head.h"

namespace faultline {

// Which requests an http_* toxic acts on: every matcher that is set must hold.
//   method  "GET" or "GET,POST" (case-insensitive)
//   path    a glob where '*' stands for any run of characters ('/' included), matched against
//           the path without its query: "/data*" matches "/data", "/data/1" and "/data?x=1"
//   header  "Name: value" (value compared exactly, name case-insensitively) or "Name" (present)
class HttpMatcher {
 public:
  // Precondition: each text passed its check below (the spec validated it).
  HttpMatcher(std::string_view methods, std::string_view path_glob, std::string_view header);
  HttpMatcher() = default;

  bool matches(const HttpHead& request) const;
  bool empty() const { return methods_.empty() && glob_.empty() && header_name_.empty(); }

 private:
  std::vector<std::string> methods_;
  std::string glob_;
  std::string header_name_;
  std::optional<std::string> header_value_;
};

bool globMatch(std::string_view glob, std::string_view text);

// Validation for the matcher attributes; the error says what is wrong and how to write it.
Status checkMethodList(const std::string& text);
Status checkPathGlob(const std::string& text);
Status checkHeaderMatcher(const std::string& text);

}  // namespace faultline

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "control/json_mapping.h"

namespace faultline {

using nlohmann::json;

int jsonNestingDepth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        ++depth;
        if (depth > deepest) deepest = depth;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return deepest;
}

Result<json> parseJsonBody(std::string_view body) {
  bool blank = body.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (blank) return json::object();
  if (int depth = jsonNestingDepth(body); depth > kMaxJsonDepth) {
    return Error::invalid("JSON nested " + std::to_string(depth) + " levels deep; at most " +
                          std::to_string(kMaxJsonDepth) + " are allowed");
  }
  try {
    // Strict: trailing characters after the value are an error; floats that overflow are
    // rejected by nlohmann as "number overflow".
    return json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/true,
                       /*ignore_comments=*/false);
  } catch (const json::exception& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: ..." -> drop the tag.
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    return Error::invalid("invalid JSON: " + what);
  }
}

}  // namespace faultline

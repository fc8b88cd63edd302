#include "cli/attribute_arg.h"

#include <cerrno>
#include <cstdlib>

namespace faultline {

Result<std::pair<std::string, int64_t>> parseAttributeArg(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Error::invalid("attribute '" + text + "': expected key=value, e.g. -a latency=100");
  }
  std::string key = text.substr(0, eq);
  std::string value = text.substr(eq + 1);
  if (value.empty()) return Error::invalid("attribute '" + key + "': missing value; expected an integer after '='");
  errno = 0;
  char* end = nullptr;
  long long n = std::strtoll(value.c_str(), &end, 10);
  if (end == value.c_str() || *end != '\0') {
    return Error::invalid("attribute '" + key + "': expected an integer, got '" + value + "'");
  }
  if (errno == ERANGE) return Error::invalid("attribute '" + key + "': " + value + " is out of range");
  return std::pair<std::string, int64_t>{key, static_cast<int64_t>(n)};
}

Result<std::pair<std::string, nlohmann::json>> parseAttributeValueArg(const std::string& text) {
  auto number = parseAttributeArg(text);
  if (number) return std::pair<std::string, nlohmann::json>{number->first, number->second};
  auto eq = text.find('=');
  const std::string& message = number.error().message;
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size() || message.find("out of range") != std::string::npos) {
    return number.error();
  }
  return std::pair<std::string, nlohmann::json>{text.substr(0, eq), text.substr(eq + 1)};
}

}  // namespace faultline

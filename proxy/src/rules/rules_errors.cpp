#include <string>
#include <vector>

#include "rules/rules_config.h"
#include "rules/rules_parser.h"

namespace faultline {

std::string RulesError::toString() const {
  std::string out = file;
  if (where.line > 0) out += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
  out += ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

std::string joinRulesErrors(const std::vector<RulesError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += '\n';
    out += e.toString();
  }
  return out;
}

std::string rulesTooLargeMessage(const std::string& size, std::size_t max_bytes) {
  return "rules file too large (" + size + "); expected at most " + std::to_string(max_bytes) +
         " bytes (split the file, or raise the limit with faultline serve --rules-max-kib)";
}

}  // namespace faultline

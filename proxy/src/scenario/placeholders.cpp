#include "scenario/placeholders.h"

#include <cctype>

namespace faultline::scenario {

namespace {

bool wordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }

// The placeholder starting at text[open] ('{'), or an empty view when it is not one: a
// lower-case first word, then dotted words, then '}'.
std::string_view placeholderAt(std::string_view text, std::size_t open) {
  std::size_t i = open + 1;
  if (i >= text.size() || !std::islower(static_cast<unsigned char>(text[i]))) return {};
  while (i < text.size() && wordChar(text[i])) ++i;
  if (i >= text.size() || text[i] != '}') return {};
  return text.substr(open + 1, i - open - 1);
}

std::string knownList(const PlaceholderValues& values) {
  // Ports and proxies are many; show their shapes rather than a long list.
  std::string out;
  bool ports = false, proxies = false, vars = false;
  for (const auto& [name, value] : values) {
    if (name.rfind("port.", 0) == 0) ports = true;
    else if (name.rfind("proxy.", 0) == 0) proxies = true;
    else if (name.rfind("var.", 0) == 0) vars = true;
  }
  for (const auto& [name, value] : values) {
    if (name.rfind("port.", 0) == 0 || name.rfind("proxy.", 0) == 0 || name.rfind("var.", 0) == 0) continue;
    out += (out.empty() ? "{" : ", {") + name + "}";
  }
  if (ports) out += ", {port.NAME}";
  if (proxies) out += ", {proxy.NAME.url}, {proxy.NAME.port}";
  if (vars) out += ", {var.NAME}";
  return out;
}

}  // namespace

std::vector<std::string> placeholderNames(std::string_view text) {
  std::vector<std::string> names;
  for (std::size_t i = text.find('{'); i != std::string_view::npos; i = text.find('{', i + 1)) {
    auto name = placeholderAt(text, i);
    if (!name.empty()) names.emplace_back(name);
  }
  return names;
}

Result<std::string> substitutePlaceholders(std::string_view text, const PlaceholderValues& values) {
  std::string out;
  std::size_t copied = 0;
  for (std::size_t i = text.find('{'); i != std::string_view::npos; i = text.find('{', i + 1)) {
    auto name = placeholderAt(text, i);
    if (name.empty()) continue;
    auto it = values.find(std::string(name));
    if (it == values.end()) {
      std::string hint;
      if (name.rfind("proxy.", 0) == 0) hint = " (a proxy's address is known only where processes, targets and observers are written, not inside proxies:)";
      return Error::invalid("unknown placeholder {" + std::string(name) + "}" + hint + "; expected one of " +
                            knownList(values));
    }
    out.append(text.substr(copied, i - copied));
    out += it->second;
    copied = i + name.size() + 2;
    i = copied - 1;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace faultline::scenario

#include "scenario/prometheus_text.h"

#include <cmath>
#include <cstdlib>

namespace faultline::scenario {

namespace {

// Parses `{a="x",b="y"}` starting at text[i] == '{'; returns the index after '}' or npos.
std::size_t parseLabels(std::string_view text, std::size_t i, std::map<std::string, std::string>& out) {
  ++i;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
    if (i < text.size() && text[i] == '}') return i + 1;
    const std::size_t eq = text.find('=', i);
    if (eq == std::string_view::npos || eq + 1 >= text.size() || text[eq + 1] != '"') return std::string_view::npos;
    std::string name(text.substr(i, eq - i));
    std::string value;
    std::size_t j = eq + 2;
    for (; j < text.size() && text[j] != '"'; ++j) {
      if (text[j] == '\\' && j + 1 < text.size()) {
        ++j;
        value += text[j] == 'n' ? '\n' : text[j];
      } else {
        value += text[j];
      }
    }
    if (j >= text.size()) return std::string_view::npos;
    out[name] = value;
    i = j + 1;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<double> prometheusSum(std::string_view text, std::string_view metric,
                                    const std::map<std::string, std::string>& labels) {
  std::optional<double> sum;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t eol = text.find('\n', start);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = text.substr(start, eol - start);
    start = eol + 1;
    if (line.size() <= metric.size() || line.substr(0, metric.size()) != metric) continue;
    std::size_t i = metric.size();
    std::map<std::string, std::string> found;
    if (line[i] == '{') {
      i = parseLabels(line, i, found);
      if (i == std::string_view::npos) continue;
    }
    if (i >= line.size() || line[i] != ' ') continue;  // a longer name with the same prefix
    bool match = true;
    for (const auto& [k, v] : labels) {
      auto it = found.find(k);
      if (it == found.end() || it->second != v) match = false;
    }
    if (!match) continue;
    const std::string value(line.substr(i + 1, line.find(' ', i + 1) == std::string_view::npos ? std::string_view::npos
                                                                                            : line.find(' ', i + 1) - i - 1));
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (end == value.c_str() || !std::isfinite(v)) continue;
    sum = sum.value_or(0) + v;
  }
  return sum;
}

}  // namespace faultline::scenario

#include "rules/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace faultline {

namespace {

std::size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// " did you mean 'latency'?" when one allowed word is a near miss.
std::string suggestion(const std::string& word, const std::vector<std::string>& allowed) {
  std::string best;
  std::size_t best_distance = 3;
  for (const auto& candidate : allowed) {
    std::size_t d = editDistance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best.empty() ? "" : "; did you mean '" + best + "'?";
}

}  // namespace

SourceLocation locationOf(const YAML::Mark& mark) {
  if (mark.line < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "null";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Scalar: {
      std::string v = node.Scalar();
      if (v.size() > 40) v = v.substr(0, 40) + "...";
      return node.Tag() == "!" ? "the string \"" + v + "\"" : "'" + v + "'";
    }
    default: return "nothing";
  }
}

void YamlReader::fail(const YAML::Node& at, const std::string& path, const std::string& message) {
  fail(locationOf(at.Mark()), path, message);
}
void YamlReader::fail(SourceLocation where, const std::string& path, const std::string& message) {
  ++error_count_;
  if (errors.size() < limits_.max_errors) errors.push_back({file_, where, path, message});
}
void YamlReader::finish() {
  if (error_count_ > errors.size()) {
    errors.push_back({file_, {}, "", std::to_string(error_count_ - errors.size()) + " more errors not shown"});
  }
}


// The entries of a map, by key; reports non-string keys, duplicate keys and unknown keys.
std::map<std::string, KeyedValue> YamlReader::mapEntries(const YAML::Node& map, const std::string& path,
                                              const std::vector<std::string>& allowed, bool check_allowed) {
  std::map<std::string, KeyedValue> out;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      fail(key, path, "expected a plain key, got " + describe(key));
      continue;
    }
    const std::string& name = key.Scalar();
    std::string key_path = path.empty() ? name : path + "." + name;
    if (out.count(name) != 0) {
      fail(key, key_path, "duplicate key '" + name + "' (first at line " +
                              std::to_string(locationOf(out[name].key.Mark()).line) + "); expected each key once");
      continue;
    }
    if (check_allowed && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      fail(key, key_path,
           allowed.empty() ? "unknown key '" + name + "'; nothing is expected here, remove it"
                           : "unknown key '" + name + "'; expected one of " + joined(allowed) + suggestion(name, allowed));
      continue;
    }
    out[name] = {key, value};
  }
  return out;
}

std::optional<std::string> YamlReader::requiredString(const YAML::Node& parent, std::map<std::string, KeyedValue>& keys,
                                          const std::string& path, const std::string& key,
                                          const std::string& expected) {
  auto it = keys.find(key);
  if (it == keys.end()) {
    fail(parent, path, "missing required field: " + key + "; expected " + expected);
    return std::nullopt;
  }
  return string(it->second.value, path + "." + key, expected);
}

std::optional<std::string> YamlReader::string(const YAML::Node& node, const std::string& path, const std::string& expected) {
  if (!node.IsScalar()) {
    fail(node, path, "expected " + expected + " (a string), got " + describe(node));
    return std::nullopt;
  }
  return node.Scalar();
}

// Numbers must be unquoted: "100" in quotes is a string, and a rules file that says so is
// probably not saying what its author meant.
bool YamlReader::plainScalar(const YAML::Node& node, const std::string& path, const std::string& expected) {
  if (!node.IsScalar() || node.Tag() == "!") {
    fail(node, path, "expected " + expected + ", got " + describe(node));
    return false;
  }
  return true;
}

std::optional<int64_t> YamlReader::integer(const YAML::Node& node, const std::string& path, const std::string& expected) {
  if (!plainScalar(node, path, expected)) return std::nullopt;
  const std::string& text = node.Scalar();
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec == std::errc::result_out_of_range) {
    fail(node, path, "expected " + expected + ", got " + text + " (out of range)");
    return std::nullopt;
  }
  if (ec != std::errc{} || ptr != end || begin == end) {
    fail(node, path, "expected " + expected + ", got " + describe(node));
    return std::nullopt;
  }
  return value;
}

std::optional<double> YamlReader::number(const YAML::Node& node, const std::string& path, const std::string& expected) {
  if (!plainScalar(node, path, expected)) return std::nullopt;
  const std::string& text = node.Scalar();
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value)) {
    fail(node, path, "expected " + expected + ", got " + describe(node));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> YamlReader::boolean(const YAML::Node& node, const std::string& path) {
  if (!plainScalar(node, path, "true or false")) return std::nullopt;
  const std::string& text = node.Scalar();
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  fail(node, path, "expected true or false, got " + describe(node));
  return std::nullopt;
}

}  // namespace faultline

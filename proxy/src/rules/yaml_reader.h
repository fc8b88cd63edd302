#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rules/rules_config.h"
#include "rules/rules_parser.h"

namespace faultline {

// 1-based, as editors show it (YAML::Mark is 0-based); {0,0} when the mark has no position.
SourceLocation locationOf(const YAML::Mark& mark);

// "null", "a list", "a map", "'5s'", "the string \"100\"": what a node is, for "expected X, got Y".
std::string describe(const YAML::Node& node);

struct KeyedValue {
  YAML::Node key;
  YAML::Node value;
};

// Typed reads of YAML nodes that collect every problem (file:line:col, field path, what was
// expected) instead of stopping at the first: the shared vocabulary of the rules parser's
// proxy and toxic readers.
class YamlReader {
 public:
  YamlReader(std::string file, const RulesLimits& limits) : file_(std::move(file)), limits_(limits) {}

  std::vector<RulesError> errors;

  void fail(const YAML::Node& at, const std::string& path, const std::string& message);
  void fail(SourceLocation where, const std::string& path, const std::string& message);
  // Adds "N more errors not shown" when more than RulesLimits::max_errors were found.
  void finish();
  // Every error reported so far, shown or not: a reader compares it before and after a node.
  std::size_t errorCount() const { return error_count_; }

  // The entries of a map, by key; reports non-string keys, duplicate keys and unknown keys.
  std::map<std::string, KeyedValue> mapEntries(const YAML::Node& map, const std::string& path,
                                                const std::vector<std::string>& allowed, bool check_allowed = true);
  std::optional<std::string> requiredString(const YAML::Node& parent, std::map<std::string, KeyedValue>& keys,
                                            const std::string& path, const std::string& key,
                                            const std::string& expected);
  std::optional<std::string> string(const YAML::Node& node, const std::string& path, const std::string& expected);
  std::optional<int64_t> integer(const YAML::Node& node, const std::string& path, const std::string& expected);
  std::optional<double> number(const YAML::Node& node, const std::string& path, const std::string& expected);
  std::optional<bool> boolean(const YAML::Node& node, const std::string& path);

 private:
  bool plainScalar(const YAML::Node& node, const std::string& path, const std::string& expected);

  std::string file_;
  const RulesLimits& limits_;
  std::size_t error_count_ = 0;
};

}  // namespace faultline

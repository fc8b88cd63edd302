#pragma once

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>

#include <cstddef>
#include <string>

#include "rules/rules_parser.h"

namespace faultline {

// Thrown by the pre-scan, caught in parseRulesText: never leaves the rules parser.
struct ScanError {
  YAML::Mark mark;
  std::string message;
  RulesLimit limit = RulesLimit::kNone;
};

// A first pass over the parser's events, before any tree exists: refuses aliases (an anchor
// bomb is a handful of bytes that expands to billions of nodes once aliases are followed), too
// deep nesting and too many nodes, and counts documents.
class LimitScanner final : public YAML::EventHandler {
 public:
  explicit LimitScanner(const RulesLimits& limits) : limits_(limits) {}

  int documents = 0;

  void OnDocumentStart(const YAML::Mark&) override { ++documents; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    throw ScanError{mark, "YAML aliases (*name) are not allowed in rules files; expected each value written out"};
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    open(mark);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    open(mark);
  }
  void OnMapEnd() override { --depth_; }

 private:
  void node(const YAML::Mark& mark) {
    if (++nodes_ > limits_.max_nodes) {
      throw ScanError{mark,
                      "too many YAML nodes; expected at most " + std::to_string(limits_.max_nodes) +
                          " (split the file, or raise the limit with faultline serve --rules-max-nodes)",
                      RulesLimit::kNodes};
    }
  }
  void open(const YAML::Mark& mark) {
    node(mark);
    if (++depth_ > limits_.max_depth) {
      throw ScanError{mark, "nesting too deep; expected at most " + std::to_string(limits_.max_depth) + " levels",
                      RulesLimit::kDepth};
    }
  }

  const RulesLimits& limits_;
  std::size_t nodes_ = 0;
  int depth_ = 0;
};

}  // namespace faultline

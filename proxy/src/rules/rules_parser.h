#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "rules/rules_config.h"

namespace faultline {

// Bounds on untrusted input. A rules file describes a handful of proxies; anything near these
// limits is a mistake or an attack (a YAML anchor bomb expands exponentially), so it is refused
// before a tree is built.
struct RulesLimits {
  std::size_t max_bytes = std::size_t{1} << 20;  // 1 MiB
  int max_depth = 16;                            // the format needs 5 levels
  std::size_t max_nodes = 100'000;
  std::size_t max_errors = 50;                   // reported; the rest are counted
};

// Which of RulesLimits refused a file, for the limit-hit metrics.
enum class RulesLimit { kNone, kFileBytes, kNodes, kDepth };

// Every problem found, not just the first: a file is fixed in one pass, not one error at a time.
struct RulesParseResult {
  RulesConfig config;               // meaningful only when errors is empty
  std::vector<RulesError> errors;
  RulesLimit limit_hit = RulesLimit::kNone;
  bool ok() const { return errors.empty(); }
};

// Parses and validates rules text: either the YAML form (`version: 1`, `proxies: [...]`) or
// Toxiproxy's JSON config (a top-level list of proxies). `file` only labels the errors.
RulesParseResult parseRulesText(std::string_view content, const std::string& file,
                                const RulesLimits& limits = {});

// The same, as a Result: on failure the Error's message holds every problem, one per line.
Result<RulesConfig> parseRules(std::string_view content, const std::string& file,
                               const RulesLimits& limits = {});

// "a.yaml:3:7: proxies[0].listen: ...\na.yaml:9:5: ..."
std::string joinRulesErrors(const std::vector<RulesError>& errors);

// "rules file too large (<size>); expected at most <max_bytes> bytes (how to fix it)": the one
// wording for a file over RulesLimits::max_bytes, whether its size was seen by stat, by reading, or
// in memory. `size` is e.g. "2026 bytes" or "over 1024 bytes".
std::string rulesTooLargeMessage(const std::string& size, std::size_t max_bytes);

// A stable hash of the raw bytes (FNV-1a 64, hex): only used to notice that nothing changed.
std::string rulesContentHash(std::string_view content);

}  // namespace faultline

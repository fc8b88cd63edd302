#pragma once
// Scenario files: YAML with a top-level `scenario:` key. Every problem is reported at once, as
// "FILE:LINE:COL: PATH: MESSAGE" (the rules files' RulesError), including those inside the
// `proxies:` section, which goes through the rules parser itself.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "rules/rules_config.h"
#include "scenario/placeholders.h"
#include "scenario/scenario_spec.h"

namespace faultline::scenario {

struct ScenarioParseResult {
  ScenarioSpec spec;  // meaningful only when errors is empty
  std::vector<RulesError> errors;
  bool ok() const { return errors.empty(); }
};

// `fixed` holds the placeholders known before anything runs ({bin}, {dir}, {seed}, {log_dir}).
// Ports and proxy addresses are checked with stand-in values.
ScenarioParseResult parseScenarioText(std::string_view content, const std::string& file,
                                      const PlaceholderValues& fixed);

// Reads a regular file (never blocks on a FIFO) and parses it; a file that cannot be read is
// one error without a position.
ScenarioParseResult loadScenarioFile(const std::string& path, const PlaceholderValues& fixed);

// True for a regular, readable YAML file whose top level is a mapping with a `scenario` key:
// how `faultline validate` tells scenario files from rules files.
bool isScenarioFile(const std::string& path);

// The proxies section for one run, with real ports and vars: the stand-ins replaced.
Result<RulesConfig> resolveProxies(const ScenarioSpec& spec, const PlaceholderValues& values);

// "500ms", "1.5s", "2m", "1h"; a bare number means seconds. nullopt when malformed.
std::optional<Millis> parseScenarioDuration(std::string_view text);

// Stand-in values for validation: every port and proxy placeholder of `spec`, plus `fixed`.
PlaceholderValues standInValues(const ScenarioSpec& spec, const PlaceholderValues& fixed,
                                const std::vector<std::string>& proxy_names);

}  // namespace faultline::scenario

#pragma once
// Runs a parsed scenario: per variant, on one libuv loop of this thread, the proxies (in
// process: the registry the server uses, so there is no second process to start, wait for and
// race with), the started commands, the load, the observers and the signal handlers. Nothing
// crosses threads. Everything started is stopped before a variant ends, also on an error or
// SIGINT/SIGTERM.

#include <functional>
#include <optional>
#include <string>

#include "core/clock.h"
#include "scenario/placeholders.h"
#include "scenario/run_types.h"
#include "scenario/scenario_spec.h"

namespace faultline::scenario {

struct RunOptions {
  std::string log_dir;         // exists and is writable; VARIANT-NAME.log per started command
  uint64_t seed = 0;           // the proxies' randomness; 0 = random
  PlaceholderValues fixed;     // {bin}, {dir}, {seed}, {log_dir}
  Millis ready_timeout{15'000};
  Millis stop_grace{3'000};    // SIGTERM, then SIGKILL to the group
  std::function<void(const std::string&)> progress;  // one line per step, for the terminal
};

struct RunOutcome {
  ScenarioResult result;                 // the variants that ran
  std::optional<std::string> setup_error;  // the file or the set-up was wrong: exit 2
  bool interrupted = false;
};

RunOutcome runScenario(const ScenarioSpec& spec, const RunOptions& options);

}  // namespace faultline::scenario

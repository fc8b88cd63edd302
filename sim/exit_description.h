#pragma once

#include <string>

#include "sim_types.h"

namespace faultline::sim {

// "ran through", "exited 3 (memory watchdog) at 12.5 s", "killed by signal 9 at 4.0 s".
inline std::string exitDescription(const PhaseResult& phase) {
  if (!phase.server_exit_code) return "ran through";
  const int code = *phase.server_exit_code;
  char at[32];
  std::snprintf(at, sizeof at, " at %.1f s", phase.server_exit_s);
  if (code == 3) return std::string("OOM-exit 3") + at;
  if (code > 128) return "signal " + std::to_string(code - 128) + at;
  return "exit " + std::to_string(code) + at;
}

}  // namespace faultline::sim

#pragma once

#include <cstdio>
#include <string>

#include "scenario/run_types.h"

namespace faultline::scenario {

// "server exited 3 at 12.5 s", "server killed by signal 9 at 4.0 s".
inline std::string exitDescription(const ProcessExit& exit) {
  char at[32];
  std::snprintf(at, sizeof at, " at %.1f s", exit.at_s);
  if (exit.code > 128) return exit.name + " killed by signal " + std::to_string(exit.code - 128) + at;
  return exit.name + " exited " + std::to_string(exit.code) + at;
}

// Every exit of a variant, or "all ran through".
inline std::string exitsDescription(const VariantResult& variant) {
  if (variant.exits.empty()) return "all ran through";
  std::string out;
  for (const auto& e : variant.exits) out += (out.empty() ? "" : "; ") + exitDescription(e);
  return out;
}

}  // namespace faultline::scenario

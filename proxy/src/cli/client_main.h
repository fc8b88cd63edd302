#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace faultline {

// Everything a client run touches outside itself, so tests can drive it without a terminal.
struct ClientEnvironment {
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  bool terminal = false;                                  // stdout is a terminal
  std::function<std::string(const std::string&)> getenv;  // "" when unset
};

// The toxiproxy-cli style client: `faultline list|inspect|create|toggle|delete|toxic|reset|
// reload|rules ...`. argv[0] is the program. Also prints the top-level help, which lists
// `serve` and `validate` (dispatched by main before this is called). Returns the exit code.
int runClient(int argc, char** argv);
int runClient(const std::vector<std::string>& args, const ClientEnvironment& environment);

}  // namespace faultline

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/client_main.h"
#include "rules/validate_command.h"
#include "scenario/scenario_command.h"
#include "serve_command.h"

namespace {

// toxiproxy-server is started with bare flags (`-host=0.0.0.0 -config=/x.json`); so is faultline
// as its drop-in replacement. A client command never starts with these.
bool looksLikeServerFlags(const char* arg) {
  for (const char* flag : {"-host", "-port", "-config", "-seed", "-proxy-metrics", "-runtime-metrics", "-proxy"}) {
    const std::size_t n = std::strlen(flag);
    if (std::strncmp(arg, flag, n) == 0 && (arg[n] == '\0' || arg[n] == '=')) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "serve") == 0) return faultline::runServe(argc - 1, argv + 1);
  if (argc >= 2 && looksLikeServerFlags(argv[1])) return faultline::runServe(argc, argv);
  if (argc >= 2 && std::strcmp(argv[1], "validate") == 0) {
    std::vector<std::string> files(argv + 2, argv + argc);
    if (files.empty() || files[0] == "--help" || files[0] == "-h") {
      std::printf("Usage: faultline validate FILE...\n\nChecks rules files (YAML, or Toxiproxy's JSON list) and scenario files "
                  "(a top-level scenario: key) and exits non-zero on any error.\n");
      return files.empty() ? 2 : 0;
    }
    return faultline::runValidateFiles(files);
  }
  if (argc >= 2 && std::strcmp(argv[1], "scenario") == 0) return faultline::runScenarioCommand(argc - 1, argv + 1);
  return faultline::runClient(argc, argv);
}

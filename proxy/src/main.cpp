#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
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

// The container image (and the package's compatibility links) install /toxiproxy and
// /toxiproxy-cli as links to this binary, so the program it runs as decides the role.
std::string_view programName(const char* argv0) {
  std::string_view name = argv0 == nullptr ? "" : argv0;
  const auto slash = name.rfind('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view program = programName(argc > 0 ? argv[0] : nullptr);
  if (program == "toxiproxy" || program == "toxiproxy-server") {
    // toxiproxy-server takes flags only; `serve` first is accepted too (`podman run IMAGE serve ...`).
    if (argc >= 2 && std::strcmp(argv[1], "serve") == 0) return faultline::runServe(argc - 1, argv + 1);
    return faultline::runServe(argc, argv);
  }
  if (program == "toxiproxy-cli") return faultline::runClient(argc, argv);
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

#pragma once

#include <string>
#include <vector>

#include "cli/client_main.h"
#include "core/result.h"

namespace faultline {

// `--host` names one instance or a fleet: "URL", "URL1,URL2,...", or "@FILE" with one URL per
// line (blank lines and '#' comments skipped; a line may itself be a comma list). Errors say
// what is wrong and where ("@hosts.txt line 3: ...").
Result<std::vector<std::string>> expandHosts(const std::string& spec);

// Runs the command line once per host (each run is the one-host client, with `--host URL`),
// printing "==> URL <==" before each instance's output, and a closing line on stderr naming
// the instances that failed. 0 when every instance succeeded, else 1. Every URL is checked
// before any command runs (exit 2 on a bad one).
int runOnFleet(const std::vector<std::string>& hosts, const std::vector<std::string>& args,
               const ClientEnvironment& environment);

}  // namespace faultline

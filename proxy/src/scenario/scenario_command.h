#pragma once

#include <string>
#include <vector>

namespace faultline {

// `faultline scenario run FILE.yaml [--junit FILE] [--report FILE.html] [--log-dir DIR]
// [--seed N]`: argv[0] is "scenario". Exit 0 when every expectation holds, 1 when one fails,
// 2 when the file or the set-up is wrong, 130 when interrupted.
int runScenarioCommand(int argc, char** argv);

// `faultline validate FILE...`: scenario files (a top-level `scenario:` key) are checked as
// scenarios, everything else as rules files (runValidate).
int runValidateFiles(const std::vector<std::string>& files);

}  // namespace faultline

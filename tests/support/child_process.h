#pragma once

// The suites' ChildProcess is the installed one (one class, no ODR clash with testing.hpp).
#include <faultline/testing/child_process.hpp>

#include <string>

namespace faultline::testing {

// The API port from "control API listening on http://127.0.0.1:PORT".
int apiPortFromLine(const std::string& line);

}  // namespace faultline::testing

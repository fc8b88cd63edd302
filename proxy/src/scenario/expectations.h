#pragma once
// The `expect:` section judged against a run, and the JUnit XML CI systems read (one test case
// per expectation, the failure message saying measured vs bound).

#include <string>
#include <vector>

#include "scenario/run_types.h"
#include "scenario/scenario_spec.h"

namespace faultline::scenario {

std::vector<Verdict> evaluateExpectations(const ExpectSpec& expect, const VariantResult& variant);

// <testsuites><testsuite name=SCENARIO tests=N failures=F><testcase classname=SCENARIO.VARIANT
// name=EXPECTATION time=..>[<failure message=.../>]</testcase>...
std::string junitXml(const ScenarioResult& run);

// The file or the set-up was wrong (exit 2): one test case "set-up" with an <error>, so a CI
// system that reads the JUnit file shows why nothing was measured.
std::string junitSetupErrorXml(const std::string& scenario, const std::string& message);

}  // namespace faultline::scenario

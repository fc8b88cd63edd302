#include "scenario.h"

#include <fstream>
#include <sstream>

#include "rules/rules_parser.h"

namespace faultline::sim {

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> kScenarios = [] {
    std::vector<Scenario> list;
    Scenario s;
    s.name = "performance";
    s.summary = "slow partner (1 s latency +/- 500 ms jitter): unbounded waits vs a deadline with fallback";
    s.window_start = 0.15;
    s.window_end = 0.85;
    list.push_back(s);

    s = {};
    s.name = "outage";
    s.summary = "partner resets every connection for a while, then recovers";
    list.push_back(s);

    s = {};
    s.name = "blackhole";
    s.summary = "partner accepts and never answers (timeout 0): hangs vs deadline + fallback";
    list.push_back(s);

    s = {};
    s.name = "flaky";
    s.summary = "intermittent resets (30% of connections), sliced and jittery responses";
    s.window_start = 0.15;
    s.window_end = 0.85;
    list.push_back(s);

    s = {};
    s.name = "memory";
    s.summary = "very slow partner at a high rate: pending requests pile up until the memory watchdog fires";
    s.window_start = 0.1;
    s.window_end = 0.9;
    s.rate = 150;
    s.memory_limit_mib = 0;  // set from --memory-limit (default below in sim_main)
    list.push_back(s);

    s = {};
    s.name = "recovery";
    s.summary = "partner down (proxy disabled) for a window, then back: time to recover measured";
    s.window_start = 0.2;
    s.window_end = 0.45;
    s.measure_recovery = true;
    list.push_back(s);
    return list;
  }();
  return kScenarios;
}

const Scenario* findScenario(const std::string& name) {
  for (const auto& s : scenarios()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Result<FaultPlan> loadFaultPlan(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::io("cannot read scenario rules file " + path + "; expected configs/scenarios/NAME.yaml");
  std::stringstream text;
  text << in.rdbuf();
  auto rules = parseRules(text.str(), path);
  if (!rules.ok()) return rules.error();
  for (const auto& proxy : rules->proxies) {
    if (proxy.name != "partner") continue;
    FaultPlan plan;
    plan.disable_proxy = !proxy.enabled;
    for (const auto& spec : proxy.toxics) {
      testing::Toxic toxic;
      toxic.type = spec.type;
      toxic.name = spec.name;
      toxic.stream = streamName(spec.stream);
      toxic.toxicity = spec.toxicity;
      toxic.attributes = spec.attributes;
      plan.toxics.push_back(std::move(toxic));
      plan.label += (plan.label.empty() ? "" : " + ") + spec.type;
    }
    if (plan.disable_proxy) plan.label = "partner down";
    if (!plan.disable_proxy && plan.toxics.empty()) {
      return Error::invalid(path + ": proxy 'partner' has no toxics and is enabled; expected a fault to inject");
    }
    return plan;
  }
  return Error::invalid(path + ": no proxy named 'partner'; expected the scenario's fault on a proxy called partner");
}

}  // namespace faultline::sim

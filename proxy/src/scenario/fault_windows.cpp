#include "scenario/fault_windows.h"

namespace faultline::scenario {

std::vector<FaultWindow> faultWindows(const RulesConfig& proxies, double duration_s) {
  std::vector<FaultWindow> windows;
  for (const auto& proxy : proxies.proxies) {
    if (!proxy.enabled) windows.push_back({0, duration_s, proxy.name + " down"});
    for (const auto& toxic : proxy.toxics) windows.push_back({0, duration_s, proxy.name + ": " + toxic.type});
  }
  return windows;
}

}  // namespace faultline::scenario

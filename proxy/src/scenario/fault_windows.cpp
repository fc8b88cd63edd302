#include "scenario/fault_windows.h"

#include <algorithm>

#include "toxics/schedule.h"

namespace faultline::scenario {

namespace {
// A repeating schedule over a long run: more windows than a chart can show apart.
constexpr std::size_t kMaxWindowsPerToxic = 1000;

double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }
}  // namespace

std::vector<FaultWindow> faultWindows(const RulesConfig& proxies, double duration_s) {
  std::vector<FaultWindow> windows;
  for (const auto& proxy : proxies.proxies) {
    if (!proxy.enabled) windows.push_back({0, duration_s, proxy.name + " down"});
    for (const auto& toxic : proxy.toxics) {
      const std::string label = proxy.name + ": " + toxic.type;
      if (!toxic.schedule) {
        windows.push_back({0, duration_s, label});
        continue;
      }
      for (const auto& w : scheduleWindows(*toxic.schedule, kMaxWindowsPerToxic)) {
        const double begin = seconds(w.begin);
        if (begin >= duration_s) break;
        const double end = w.end == Duration::max() ? duration_s : std::min(seconds(w.end), duration_s);
        windows.push_back({begin, end, label});
      }
    }
  }
  std::sort(windows.begin(), windows.end(), [](const FaultWindow& a, const FaultWindow& b) { return a.start_s < b.start_s; });
  return windows;
}

}  // namespace faultline::scenario

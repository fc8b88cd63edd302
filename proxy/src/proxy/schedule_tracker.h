#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "toxics/schedule.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// The clocks of one proxy's scheduled toxics, with no libuv: time comes in as arguments, so
// tests drive it with any TimePoint. The proxy asks active() when it builds the toxic lists it
// hands its sessions; the state only moves in track() and advance(), so every session sees the
// same list between two edges.
class ScheduleTracker {
 public:
  struct Change {
    std::string toxic;
    bool active = false;
  };

  // The proxy's whole toxic list, after any change (API, rules reload, expiry). A toxic whose
  // name and schedule are unchanged keeps its anchor, so its windows stay where they were (a
  // reload, or an attribute update, does not restart the clock); a new toxic or a new schedule
  // starts at `now`. Returns the toxics whose state this changes (a new toxic inside its first
  // window counts as activated).
  std::vector<Change> track(const std::vector<ToxicSpecPtr>& toxics, TimePoint now);
  // Re-evaluates at `now`; returns the toxics that changed state since the last evaluation.
  std::vector<Change> advance(TimePoint now);

  // As of the last track()/advance(); a toxic without a schedule (or unknown) is always active.
  bool active(const std::string& toxic) const;
  // Scheduled toxics past their last window that should be removed (made through the API).
  std::vector<std::string> expired() const;
  // The earliest next change of any tracked toxic; none when nothing will change again.
  std::optional<TimePoint> nextEdge() const;
  // For GET: none for a toxic without a schedule.
  std::optional<ScheduleStatus> status(const std::string& toxic, TimePoint now) const;
  // The anchor of a scheduled toxic (for tests and reports).
  std::optional<TimePoint> anchor(const std::string& toxic) const;
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    ToxicSchedule schedule;
    TimePoint anchor;
    bool active = false;
    std::optional<TimePoint> next_change;
  };
  static void evaluate(Entry& entry, TimePoint now);

  std::map<std::string, Entry> entries_;
};

}  // namespace faultline

#include "proxy/schedule_tracker.h"

#include <algorithm>

namespace faultline {

void ScheduleTracker::evaluate(Entry& entry, TimePoint now) {
  const ScheduleState state = scheduleStateAt(entry.schedule, now - entry.anchor);
  entry.active = state.active;
  entry.next_change.reset();
  if (state.next_change) entry.next_change = entry.anchor + *state.next_change;
}

std::vector<ScheduleTracker::Change> ScheduleTracker::track(const std::vector<ToxicSpecPtr>& toxics, TimePoint now) {
  std::vector<Change> changes;
  std::map<std::string, Entry> next;
  for (const auto& toxic : toxics) {
    if (!toxic || !toxic->schedule) continue;
    auto old = entries_.find(toxic->name);
    if (old != entries_.end() && old->second.schedule == *toxic->schedule) {
      Entry entry = old->second;
      const bool was = entry.active;
      evaluate(entry, now);
      if (entry.active != was) changes.push_back({toxic->name, entry.active});
      next.emplace(toxic->name, entry);
      continue;
    }
    Entry entry{*toxic->schedule, now, false, std::nullopt};
    evaluate(entry, now);
    // A toxic that was active under its old schedule and is not under the new one flips too.
    const bool was = old != entries_.end() && old->second.active;
    if (entry.active != was) changes.push_back({toxic->name, entry.active});
    next.emplace(toxic->name, entry);
  }
  entries_ = std::move(next);
  return changes;
}

std::vector<ScheduleTracker::Change> ScheduleTracker::advance(TimePoint now) {
  std::vector<Change> changes;
  for (auto& [name, entry] : entries_) {
    const bool was = entry.active;
    evaluate(entry, now);
    if (entry.active != was) changes.push_back({name, entry.active});
  }
  return changes;
}

bool ScheduleTracker::active(const std::string& toxic) const {
  auto it = entries_.find(toxic);
  return it == entries_.end() || it->second.active;
}

std::vector<std::string> ScheduleTracker::expired() const {
  std::vector<std::string> out;
  for (const auto& [name, entry] : entries_) {
    if (!entry.active && !entry.next_change && !entry.schedule.keep_after_last) out.push_back(name);
  }
  return out;
}

std::optional<TimePoint> ScheduleTracker::nextEdge() const {
  std::optional<TimePoint> out;
  for (const auto& [name, entry] : entries_) {
    if (entry.next_change && (!out || *entry.next_change < *out)) out = entry.next_change;
  }
  return out;
}

std::optional<ScheduleStatus> ScheduleTracker::status(const std::string& toxic, TimePoint now) const {
  auto it = entries_.find(toxic);
  if (it == entries_.end()) return std::nullopt;
  ScheduleStatus out;
  out.active = it->second.active;
  if (it->second.next_change) {
    // A timer that is due but not yet run reports 0, never a negative wait.
    out.next_change_in = std::max(Millis(0), std::chrono::ceil<Millis>(*it->second.next_change - now));
  }
  return out;
}

std::optional<TimePoint> ScheduleTracker::anchor(const std::string& toxic) const {
  auto it = entries_.find(toxic);
  if (it == entries_.end()) return std::nullopt;
  return it->second.anchor;
}

}  // namespace faultline

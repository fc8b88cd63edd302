#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace faultline {

// When a toxic is applied, relative to its anchor (the moment this definition was added).
// Windows are half-open: window k is [start + k*every, start + k*every + duration).
struct ToxicSchedule {
  Millis start{0};                 // delay before the first window
  std::optional<Millis> duration;  // window length; absent: the window never closes
  std::optional<Millis> every;     // period between window starts; absent: one window
  std::optional<uint32_t> times;   // number of windows; absent with `every`: for ever
  // A toxic made through the API is removed after its last window; one a rules file declares
  // stays declared (inactive), because the file still says it exists.
  bool keep_after_last = false;

  bool operator==(const ToxicSchedule&) const = default;
};

// Raw input in milliseconds (JSON's `start_ms`, YAML's `start: 2s` converted by the reader).
struct ScheduleInput {
  std::optional<int64_t> start_ms;
  std::optional<int64_t> duration_ms;
  std::optional<int64_t> every_ms;
  std::optional<int64_t> times;
  bool keep_after_last = false;  // set by the rules-file reader
};

// Bounds: every duration within a day (the API's rule for durations), windows at most 1,000,000.
inline constexpr int64_t kMaxScheduleMs = 24LL * 60 * 60 * 1000;
inline constexpr int64_t kMaxScheduleTimes = 1'000'000;

// Validates once; `where` prefixes every message ("schedule" or "proxies[0].toxics[1].schedule").
// Rules: durations in [0, 24 h] (duration and every at least 1 ms); `every` needs `duration`
// and duration <= every; times >= 1; times > 1 needs `every`.
Result<ToxicSchedule> buildToxicSchedule(const ScheduleInput& input, const std::string& where);

// "250ms", "2s", "1.5s", "2m", "1h" -> milliseconds. A bare number is refused (is 5 seconds or
// milliseconds?): the message says to add a unit.
Result<Millis> parseDurationText(std::string_view text);
// The shortest exact spelling: 1500 -> "1500ms", 2000 -> "2s", 120000 -> "2m".
std::string formatDuration(Millis value);

// The state at `elapsed` since the anchor, and the elapsed time of the next change (none when the
// state never changes again).
struct ScheduleState {
  bool active = false;
  std::optional<Duration> next_change;
};
ScheduleState scheduleStateAt(const ToxicSchedule& schedule, Duration elapsed);

// True once the last window has closed: nothing will ever activate the toxic again.
bool scheduleFinished(const ToxicSchedule& schedule, Duration elapsed);

// The windows relative to the anchor, at most `limit` of them (an open-ended window ends at
// Duration::max()). For reports that draw fault windows.
struct ScheduleWindow {
  Duration begin;
  Duration end;
};
std::vector<ScheduleWindow> scheduleWindows(const ToxicSchedule& schedule, std::size_t limit);

// What the API shows for a scheduled toxic: its state now and how long until it changes.
struct ScheduleStatus {
  bool active = false;
  std::optional<Millis> next_change_in;  // none: it never changes again
};

// A schedule back to its input spelling (an update that keeps the schedule rebuilds from it).
ScheduleInput scheduleInputOf(const ToxicSchedule& schedule);

// "after 2s for 3s every 10s x3" (for logs and the CLI).
std::string describeSchedule(const ToxicSchedule& schedule);

}  // namespace faultline

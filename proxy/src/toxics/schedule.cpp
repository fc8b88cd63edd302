#include "toxics/schedule.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace faultline {

namespace {

std::string field(const std::string& where, const char* key) { return where.empty() ? key : where + "." + key; }

Result<Millis> checkedMs(std::optional<int64_t> value, int64_t fallback, int64_t min, const std::string& name) {
  const int64_t v = value.value_or(fallback);
  if (v < min || v > kMaxScheduleMs) {
    return Error::invalid(name + ": expected milliseconds from " + std::to_string(min) + " to " +
                          std::to_string(kMaxScheduleMs) + " (24 h), got " + std::to_string(v));
  }
  return Millis(v);
}

}  // namespace

Result<ToxicSchedule> buildToxicSchedule(const ScheduleInput& input, const std::string& where) {
  ToxicSchedule out;
  out.keep_after_last = input.keep_after_last;
  auto start = checkedMs(input.start_ms, 0, 0, field(where, "start_ms"));
  if (!start) return start.error();
  out.start = *start;
  if (input.duration_ms) {
    auto duration = checkedMs(input.duration_ms, 0, 1, field(where, "duration_ms"));
    if (!duration) return duration.error();
    out.duration = *duration;
  }
  if (input.every_ms) {
    auto every = checkedMs(input.every_ms, 0, 1, field(where, "every_ms"));
    if (!every) return every.error();
    if (!out.duration) {
      return Error::invalid(field(where, "every_ms") +
                            ": a repeating schedule needs duration_ms (how long each window lasts)");
    }
    if (*out.duration > *every) {
      return Error::invalid(field(where, "duration_ms") + ": expected at most every_ms (" +
                            std::to_string(every->count()) + "), got " + std::to_string(out.duration->count()) +
                            "; windows may not overlap");
    }
    out.every = *every;
  }
  if (input.times) {
    const int64_t times = *input.times;
    if (times < 1 || times > kMaxScheduleTimes) {
      return Error::invalid(field(where, "times") + ": expected a number of windows from 1 to " +
                            std::to_string(kMaxScheduleTimes) + ", got " + std::to_string(times));
    }
    if (times > 1 && !out.every) {
      return Error::invalid(field(where, "times") + ": more than one window needs every_ms (the period between them)");
    }
    out.times = static_cast<uint32_t>(times);
  }
  return out;
}

Result<Millis> parseDurationText(std::string_view text) {
  const std::string shown(text);
  auto bad = [&](const std::string& why) {
    return Error::invalid("invalid duration '" + shown + "': " + why + "; expected a number and a unit (ms, s, m, h), e.g. 500ms, 2s, 1m");
  };
  std::size_t unit_at = 0;
  while (unit_at < text.size() && (std::isdigit(static_cast<unsigned char>(text[unit_at])) || text[unit_at] == '.')) {
    ++unit_at;
  }
  if (unit_at == 0) return bad(text.empty() ? "empty" : "no number");
  const std::string_view number = text.substr(0, unit_at);
  const std::string_view unit = text.substr(unit_at);
  double scale = 0;
  if (unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "m") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else {
    return bad(unit.empty() ? "no unit" : "unknown unit '" + std::string(unit) + "'");
  }
  double value = 0;
  // from_chars for double is in libstdc++ 11+; strtod would accept hex and exponents.
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc{} || end != number.data() + number.size()) return bad("not a number");
  const double ms = value * scale;
  if (!std::isfinite(ms) || ms > static_cast<double>(kMaxScheduleMs)) return bad("longer than 24h");
  if (std::floor(ms) != ms) return bad("not a whole number of milliseconds");
  return Millis(static_cast<int64_t>(ms));
}

std::string formatDuration(Millis value) {
  const int64_t ms = value.count();
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

ScheduleState scheduleStateAt(const ToxicSchedule& schedule, Duration elapsed) {
  const Duration start = schedule.start;
  if (elapsed < start) return {false, start};
  if (!schedule.duration) return {true, std::nullopt};  // open-ended: on for good
  const Duration length = *schedule.duration;
  if (!schedule.every) {
    if (elapsed < start + length) return {true, start + length};
    return {false, std::nullopt};
  }
  const Duration period = *schedule.every;
  const auto window = static_cast<uint64_t>((elapsed - start) / period);
  if (schedule.times && window >= *schedule.times) return {false, std::nullopt};
  // Windows as long as their period touch: one long window, no edges in between.
  if (length == period) {
    if (!schedule.times) return {true, std::nullopt};
    return {true, start + period * static_cast<int64_t>(*schedule.times)};
  }
  const Duration window_start = start + period * static_cast<int64_t>(window);
  if (elapsed < window_start + length) return {true, window_start + length};
  if (schedule.times && window + 1 >= *schedule.times) return {false, std::nullopt};
  return {false, window_start + period};
}

bool scheduleFinished(const ToxicSchedule& schedule, Duration elapsed) {
  const ScheduleState state = scheduleStateAt(schedule, elapsed);
  return !state.active && !state.next_change;
}

std::vector<ScheduleWindow> scheduleWindows(const ToxicSchedule& schedule, std::size_t limit) {
  std::vector<ScheduleWindow> out;
  const Duration start = schedule.start;
  if (!schedule.duration) {
    if (limit > 0) out.push_back({start, Duration::max()});
    return out;
  }
  const uint64_t count = schedule.every ? schedule.times.value_or(std::numeric_limits<uint32_t>::max()) : 1;
  for (uint64_t k = 0; k < count && out.size() < limit; ++k) {
    const Duration begin = start + (schedule.every ? *schedule.every * static_cast<int64_t>(k) : Duration{});
    out.push_back({begin, begin + Duration(*schedule.duration)});
  }
  return out;
}

std::string describeSchedule(const ToxicSchedule& schedule) {
  std::string out = schedule.start.count() > 0 ? "after " + formatDuration(schedule.start) + " " : "";
  out += schedule.duration ? "for " + formatDuration(*schedule.duration) : "for ever";
  if (schedule.every) {
    out += " every " + formatDuration(*schedule.every);
    out += schedule.times ? " x" + std::to_string(*schedule.times) : " repeating";
  }
  return out;
}

ScheduleInput scheduleInputOf(const ToxicSchedule& schedule) {
  ScheduleInput input;
  input.start_ms = schedule.start.count();
  if (schedule.duration) input.duration_ms = schedule.duration->count();
  if (schedule.every) input.every_ms = schedule.every->count();
  if (schedule.times) input.times = *schedule.times;
  input.keep_after_last = schedule.keep_after_last;
  return input;
}

}  // namespace faultline

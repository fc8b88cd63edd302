#include "duration_flag.h"

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace faultline {

Result<Micros> parseDuration(const std::string& text, const std::string& what, BareNumber bare) {
  auto bad = [&] {
    return Error::invalid(fmt::format("{}: expected a non-negative duration like 500ms, 1s, 2m or {}, got '{}'", what,
                                      bare == BareNumber::kSeconds ? "1.5 (seconds)" : "1500 (milliseconds)", text));
  };
  if (text.empty()) return bad();
  const char* begin = text.c_str();
  char* end = nullptr;
  const double value = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(value) || value < 0) return bad();
  const std::string unit(end);
  double micros_per_unit = 0;
  if (unit.empty()) micros_per_unit = bare == BareNumber::kSeconds ? 1e6 : 1e3;
  else if (unit == "ms") micros_per_unit = 1e3;
  else if (unit == "s") micros_per_unit = 1e6;
  else if (unit == "m" || unit == "min") micros_per_unit = 60e6;
  else if (unit == "h") micros_per_unit = 3600e6;
  else if (unit == "us") micros_per_unit = 1;
  else return bad();
  const double micros = value * micros_per_unit;
  // A day is far beyond any delay or deadline these demos need; larger values are typos.
  if (micros > 86400e6) {
    return Error::invalid(fmt::format("{}: duration '{}' is longer than 24h", what, text));
  }
  return Micros(static_cast<int64_t>(std::llround(micros)));
}

const char* durationHelpSuffix(BareNumber bare) {
  return bare == BareNumber::kSeconds ? " (500ms, 1s, 2m; a bare number is seconds)"
                                      : " (500ms, 1s, 2m; a bare number is milliseconds)";
}

std::string formatDuration(Micros d) {
  const auto us = d.count();
  if (us % 1'000'000 == 0) return fmt::format("{}s", us / 1'000'000);
  if (us % 1000 == 0) return fmt::format("{}ms", us / 1000);
  return fmt::format("{}us", us);
}

}  // namespace faultline

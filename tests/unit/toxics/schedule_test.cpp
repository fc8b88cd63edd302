// Schedule window arithmetic and validation: exact at the edges, every/times counted right.
#include "toxics/schedule.h"

#include <gtest/gtest.h>

#include "toxics/toxic_spec.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;

ToxicSchedule make(int64_t start, std::optional<int64_t> duration, std::optional<int64_t> every = {},
                   std::optional<int64_t> times = {}) {
  auto built = buildToxicSchedule({start, duration, every, times}, "schedule");
  EXPECT_TRUE(built.ok()) << (built ? "" : built.error().message);
  return built.ok() ? *built : ToxicSchedule{};
}

TEST(Schedule, SingleWindowIsActiveExactlyInsideItsHalfOpenInterval) {
  const auto s = make(1000, 500);
  EXPECT_FALSE(scheduleStateAt(s, 0ms).active);
  EXPECT_FALSE(scheduleStateAt(s, 999ms).active);
  EXPECT_FALSE(scheduleStateAt(s, 999999us).active);
  EXPECT_TRUE(scheduleStateAt(s, 1000ms).active);
  EXPECT_TRUE(scheduleStateAt(s, 1499999us).active);
  EXPECT_FALSE(scheduleStateAt(s, 1500ms).active);
  EXPECT_FALSE(scheduleStateAt(s, 100s).active);
}

TEST(Schedule, NextChangeIsTheNextEdgeAndNoneAfterTheLastWindow) {
  const auto s = make(1000, 500);
  EXPECT_EQ(scheduleStateAt(s, 0ms).next_change, Duration(1000ms));
  EXPECT_EQ(scheduleStateAt(s, 1000ms).next_change, Duration(1500ms));
  EXPECT_EQ(scheduleStateAt(s, 1500ms).next_change, std::nullopt);
  EXPECT_FALSE(scheduleFinished(s, 1499ms));
  EXPECT_TRUE(scheduleFinished(s, 1500ms));
}

TEST(Schedule, RepeatingWindowsCountExactlyTimesWindows) {
  const auto s = make(2000, 3000, 10000, 3);  // [2,5) [12,15) [22,25)
  int activations = 0;
  bool was = false;
  for (int64_t ms = 0; ms <= 60'000; ++ms) {
    const bool now = scheduleStateAt(s, Millis(ms)).active;
    if (now && !was) ++activations;
    was = now;
  }
  EXPECT_EQ(activations, 3);
  for (int64_t edge : {2000, 12000, 22000}) {
    EXPECT_FALSE(scheduleStateAt(s, Millis(edge - 1)).active) << edge;
    EXPECT_TRUE(scheduleStateAt(s, Millis(edge)).active) << edge;
    EXPECT_TRUE(scheduleStateAt(s, Millis(edge + 2999)).active) << edge;
    EXPECT_FALSE(scheduleStateAt(s, Millis(edge + 3000)).active) << edge;
  }
  EXPECT_EQ(scheduleStateAt(s, 5000ms).next_change, Duration(12000ms));
  EXPECT_EQ(scheduleStateAt(s, 24000ms).next_change, Duration(25000ms));
  EXPECT_EQ(scheduleStateAt(s, 25000ms).next_change, std::nullopt);
  EXPECT_TRUE(scheduleFinished(s, 25000ms));
}

TEST(Schedule, EveryWithoutTimesRepeatsForEver) {
  const auto s = make(0, 10, 100);
  EXPECT_TRUE(scheduleStateAt(s, Millis(100 * 1'000'000)).active);
  EXPECT_FALSE(scheduleStateAt(s, Millis(100 * 1'000'000 + 10)).active);
  EXPECT_FALSE(scheduleFinished(s, 1000h));
}

TEST(Schedule, WindowsAsLongAsTheirPeriodAreOneLongWindow) {
  const auto s = make(0, 100, 100, 3);
  EXPECT_TRUE(scheduleStateAt(s, 100ms).active);
  EXPECT_TRUE(scheduleStateAt(s, 299ms).active);
  EXPECT_EQ(scheduleStateAt(s, 150ms).next_change, Duration(300ms));
  EXPECT_FALSE(scheduleStateAt(s, 300ms).active);
}

TEST(Schedule, NoDurationMeansActiveFromStartOnForGood) {
  const auto s = make(5000, std::nullopt);
  EXPECT_FALSE(scheduleStateAt(s, 4999ms).active);
  EXPECT_TRUE(scheduleStateAt(s, 5000ms).active);
  EXPECT_EQ(scheduleStateAt(s, 5000ms).next_change, std::nullopt);
  EXPECT_FALSE(scheduleFinished(s, 1000h));
}

TEST(Schedule, WindowsListsEachWindowUpToTheLimit) {
  const auto w = scheduleWindows(make(2000, 3000, 10000, 3), 10);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[2].begin, Duration(22000ms));
  EXPECT_EQ(w[2].end, Duration(25000ms));
  EXPECT_EQ(scheduleWindows(make(0, 1, 2), 5).size(), 5u);
}

TEST(Schedule, ValidationNamesTheFieldAndTheFix) {
  auto err = [](ScheduleInput in) {
    auto r = buildToxicSchedule(in, "schedule");
    return r ? std::string("ok") : r.error().message;
  };
  EXPECT_EQ(err({-1, {}, {}, {}}), "schedule.start_ms: expected milliseconds from 0 to 86400000 (24 h), got -1");
  EXPECT_EQ(err({0, 0, {}, {}}), "schedule.duration_ms: expected milliseconds from 1 to 86400000 (24 h), got 0");
  EXPECT_EQ(err({0, 86'400'001, {}, {}}),
            "schedule.duration_ms: expected milliseconds from 1 to 86400000 (24 h), got 86400001");
  EXPECT_NE(err({0, {}, 1000, {}}).find("schedule.every_ms: a repeating schedule needs duration_ms"), std::string::npos);
  EXPECT_NE(err({0, 2000, 1000, {}}).find("schedule.duration_ms: expected at most every_ms (1000), got 2000"),
            std::string::npos);
  EXPECT_NE(err({0, 100, 1000, 0}).find("schedule.times: expected a number of windows from 1"), std::string::npos);
  EXPECT_NE(err({0, 100, {}, 2}).find("schedule.times: more than one window needs every_ms"), std::string::npos);
  EXPECT_EQ(err({0, 100, {}, 1}), "ok");
  EXPECT_EQ(err({{}, {}, {}, {}}), "ok");
}

TEST(Schedule, DurationTextTakesUnitsAndRefusesBareNumbers) {
  EXPECT_EQ(*parseDurationText("250ms"), 250ms);
  EXPECT_EQ(*parseDurationText("2s"), 2000ms);
  EXPECT_EQ(*parseDurationText("1.5s"), 1500ms);
  EXPECT_EQ(*parseDurationText("2m"), 120000ms);
  EXPECT_EQ(*parseDurationText("1h"), 3600000ms);
  for (const char* bad : {"", "5", "s", "2 s", "2x", "-1s", "25h", "0.5ms", "1e3ms"}) {
    auto r = parseDurationText(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("expected a number and a unit"), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(formatDuration(1500ms), "1500ms");
  EXPECT_EQ(formatDuration(2000ms), "2s");
  EXPECT_EQ(formatDuration(120000ms), "2m");
  EXPECT_EQ(formatDuration(0ms), "0ms");
}

TEST(Schedule, ToxicSpecCarriesTheValidatedScheduleAndComparesIt) {
  ToxicInput input;
  input.type = "latency";
  input.schedule = ScheduleInput{1000, 2000, {}, {}};
  auto a = buildToxicSpec(input);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a->schedule.has_value());
  EXPECT_EQ(a->schedule->duration, Millis(2000));
  input.schedule->start_ms = 1001;
  auto b = buildToxicSpec(input);
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(*a == *b);
  input.schedule->duration_ms = -3;
  auto c = buildToxicSpec(input, "proxies[0].toxics[1]");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message.rfind("proxies[0].toxics[1].schedule.duration_ms: ", 0), 0u) << c.error().message;
}

}  // namespace
}  // namespace faultline

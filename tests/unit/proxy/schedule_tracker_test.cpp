// The per-proxy schedule clocks on a fake clock: edges, reloads that keep the clock, expiry.
#include "proxy/schedule_tracker.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

using namespace std::chrono_literals;

ToxicSpecPtr toxic(const std::string& name, std::optional<ScheduleInput> schedule, int64_t latency = 100) {
  ToxicInput input;
  input.name = name;
  input.type = "latency";
  input.attributes["latency"] = latency;
  input.schedule = schedule;
  auto spec = buildToxicSpec(input);
  EXPECT_TRUE(spec.ok());
  return std::make_shared<const ToxicSpec>(*spec);
}

const TimePoint t0 = TimePoint(1000h);

TEST(ScheduleTracker, UnscheduledToxicsAreAlwaysActiveAndNotTracked) {
  ScheduleTracker tracker;
  EXPECT_TRUE(tracker.track({toxic("plain", std::nullopt)}, t0).empty());
  EXPECT_TRUE(tracker.active("plain"));
  EXPECT_EQ(tracker.status("plain", t0), std::nullopt);
  EXPECT_EQ(tracker.nextEdge(), std::nullopt);
}

TEST(ScheduleTracker, AdvanceReportsEachEdgeOnceAtTheEdge) {
  ScheduleTracker tracker;
  auto changes = tracker.track({toxic("w", ScheduleInput{1000, 1000, {}, {}})}, t0);
  EXPECT_TRUE(changes.empty());
  EXPECT_FALSE(tracker.active("w"));
  EXPECT_EQ(tracker.nextEdge(), t0 + 1s);
  EXPECT_TRUE(tracker.advance(t0 + 999ms).empty());
  changes = tracker.advance(t0 + 1s);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].active);
  EXPECT_TRUE(tracker.active("w"));
  EXPECT_TRUE(tracker.advance(t0 + 1500ms).empty());
  EXPECT_EQ(tracker.nextEdge(), t0 + 2s);
  changes = tracker.advance(t0 + 2s);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_FALSE(changes[0].active);
  EXPECT_EQ(tracker.nextEdge(), std::nullopt);
}

TEST(ScheduleTracker, AToxicAddedInsideItsWindowCountsAsActivated) {
  ScheduleTracker tracker;
  auto changes = tracker.track({toxic("now", ScheduleInput{0, 500, {}, {}})}, t0);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].active);
}

TEST(ScheduleTracker, EveryTimesGivesExactlyTimesActivations) {
  ScheduleTracker tracker;
  int on = 0;
  int off = 0;
  tracker.track({toxic("r", ScheduleInput{100, 50, 200, 4})}, t0);
  // Walk the edges the way the timer does: wake at nextEdge() until there is none.
  for (int guard = 0; guard < 100; ++guard) {
    auto edge = tracker.nextEdge();
    if (!edge) break;
    for (const auto& c : tracker.advance(*edge)) (c.active ? on : off) += 1;
  }
  EXPECT_EQ(on, 4);
  EXPECT_EQ(off, 4);
  EXPECT_FALSE(tracker.active("r"));
}

TEST(ScheduleTracker, AReloadWithTheSameScheduleKeepsTheClock) {
  ScheduleTracker tracker;
  tracker.track({toxic("w", ScheduleInput{1000, 1000, {}, {}})}, t0);
  // 600 ms later the rules file is reloaded with the same toxic (and another one added).
  tracker.track({toxic("w", ScheduleInput{1000, 1000, {}, {}}), toxic("x", std::nullopt)}, t0 + 600ms);
  EXPECT_EQ(tracker.anchor("w"), t0);
  EXPECT_EQ(tracker.nextEdge(), t0 + 1s);
  // Attributes changing (an API update of latency) keep it too: the schedule is the same.
  tracker.track({toxic("w", ScheduleInput{1000, 1000, {}, {}}, 900)}, t0 + 700ms);
  EXPECT_EQ(tracker.anchor("w"), t0);
  ASSERT_EQ(tracker.advance(t0 + 1s).size(), 1u);
  EXPECT_TRUE(tracker.active("w"));
}

TEST(ScheduleTracker, ANewScheduleRestartsTheClockAndReportsTheFlip) {
  ScheduleTracker tracker;
  tracker.track({toxic("w", ScheduleInput{0, 1000, {}, {}})}, t0);
  EXPECT_TRUE(tracker.active("w"));
  auto changes = tracker.track({toxic("w", ScheduleInput{5000, 1000, {}, {}})}, t0 + 500ms);
  EXPECT_EQ(tracker.anchor("w"), t0 + 500ms);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_FALSE(changes[0].active);
  EXPECT_EQ(tracker.nextEdge(), t0 + 5500ms);
}

TEST(ScheduleTracker, RemovedToxicsAreForgotten) {
  ScheduleTracker tracker;
  tracker.track({toxic("w", ScheduleInput{0, 1000, {}, {}})}, t0);
  tracker.track({}, t0 + 1ms);
  EXPECT_TRUE(tracker.empty());
  // Added again later: a fresh clock.
  tracker.track({toxic("w", ScheduleInput{0, 1000, {}, {}})}, t0 + 2s);
  EXPECT_EQ(tracker.anchor("w"), t0 + 2s);
}

TEST(ScheduleTracker, ApiToxicsExpireAfterTheirLastWindowRulesToxicsStay) {
  ScheduleTracker tracker;
  ScheduleInput kept{0, 100, {}, {}};
  kept.keep_after_last = true;
  tracker.track({toxic("api", ScheduleInput{0, 100, {}, {}}), toxic("rules", kept)}, t0);
  EXPECT_TRUE(tracker.expired().empty());
  tracker.advance(t0 + 100ms);
  EXPECT_EQ(tracker.expired(), std::vector<std::string>{"api"});
  EXPECT_FALSE(tracker.active("rules"));
}

TEST(ScheduleTracker, StatusSaysWhenTheStateNextChanges) {
  ScheduleTracker tracker;
  tracker.track({toxic("w", ScheduleInput{2000, 1000, {}, {}})}, t0);
  auto status = tracker.status("w", t0 + 500ms);
  ASSERT_TRUE(status.has_value());
  EXPECT_FALSE(status->active);
  EXPECT_EQ(status->next_change_in, Millis(1500));
  // Due but not yet advanced: 0, not negative.
  EXPECT_EQ(tracker.status("w", t0 + 2500ms)->next_change_in, Millis(0));
  tracker.advance(t0 + 3s);
  EXPECT_EQ(tracker.status("w", t0 + 3s)->next_change_in, std::nullopt);
}

}  // namespace
}  // namespace faultline

#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/chunk.h"
#include "core/clock.h"
#include "core/random.h"
#include "toxics/toxic.h"

namespace faultline {

// A ToxicContext on a virtual clock, for driving one stage (or a hand-wired chain) without a
// loop. Time moves only in advance(); timers fire in deadline order (ties in scheduling order),
// including timers that a firing timer schedules inside the same window. after() never runs its
// callback synchronously. Everything the stage does to the link is recorded.
class FakeToxicContext : public ToxicContext {
 public:
  // The fake clock's start: far from the steady clock's zero, so "time 0" bugs show up.
  static TimePoint epoch() { return TimePoint{} + std::chrono::hours(1000); }

  explicit FakeToxicContext(uint64_t seed = 42);

  // ToxicContext.
  void forward(Chunk chunk) override;
  void forwardEnd() override;
  void closeLink(CloseMode mode) override;
  TimerId after(Duration delay, std::function<void()> fn) override;
  void cancel(TimerId id) override;
  TimePoint now() const override { return now_; }
  Random& random() override { return random_; }
  TimePoint connectionOpenedAt() const override { return opened_at_.value_or(now_); }
  // The connection's opening as a stage attached later sees it (default: always "now").
  void setConnectionOpenedAt(TimePoint when) { opened_at_ = when; }
  ToxicCounters* counters() override { return &counters_; }
  // What the stage counted for /metrics.
  const ToxicCounters& toxicCounters() const { return counters_; }

  // Moves the clock forward by `by`, firing every timer due on the way (the clock reads each
  // timer's deadline while it runs). advance(0) fires timers already due, e.g. after(0).
  void advance(Duration by);
  void advanceTo(TimePoint when);
  // Fires timers until none is pending, however far in the future (bounded, see kMaxFires).
  void runAllTimers();
  // What the link does to a removed or replaced stage: its timers never fire.
  void cancelAllTimers();
  std::size_t pendingTimers() const { return timers_.size(); }
  // Deadline of the earliest pending timer.
  std::optional<TimePoint> nextDeadline() const;

  // A chunk holding `bytes`, stamped with the current fake time.
  Chunk makeChunk(std::string_view bytes) const;
  // Stamps a chunk with the current fake time and hands it to the stage.
  void push(Toxic& toxic, std::string_view bytes);
  void push(Toxic& toxic, Chunk chunk);

  // What the stage forwarded, in order, and when (fake time) each chunk was forwarded.
  const std::vector<Chunk>& forwarded() const { return forwarded_; }
  const std::vector<TimePoint>& forwardedAt() const { return forwarded_at_; }
  std::string forwardedBytes() const;
  std::size_t forwardedSize() const { return forwarded_size_; }
  void clearForwarded();

  bool ended() const { return end_count_ > 0; }
  int endCount() const { return end_count_; }
  std::optional<TimePoint> endedAt() const { return ended_at_; }
  std::optional<CloseMode> closeMode() const { return close_mode_; }
  int closeCount() const { return close_count_; }
  std::optional<TimePoint> closedAt() const { return closed_at_; }

  // Optional taps, called after recording: wire a stage's output into another stage to test
  // stacked toxics, or let a fuzzer check invariants on every forward.
  void setOnForward(std::function<void(const Chunk&)> fn) { on_forward_ = std::move(fn); }
  void setOnEnd(std::function<void()> fn) { on_end_ = std::move(fn); }

  // A runaway stage (a timer that re-arms itself at zero delay forever) fails the test instead
  // of hanging it.
  static constexpr std::size_t kMaxFires = 50'000'000;

 private:
  struct Timer {
    TimePoint deadline;
    uint64_t seq;
    std::function<void()> fn;
  };
  bool fireNext(TimePoint limit);

  TimePoint now_;
  std::optional<TimePoint> opened_at_;
  ToxicCounters counters_;
  Random random_;
  uint64_t next_id_ = 1;
  uint64_t next_seq_ = 0;
  // Ordered by (deadline, seq) so firing order is deterministic.
  std::map<std::pair<TimePoint, uint64_t>, TimerId> order_;
  std::map<TimerId, Timer> timers_;

  std::vector<Chunk> forwarded_;
  std::vector<TimePoint> forwarded_at_;
  std::size_t forwarded_size_ = 0;
  int end_count_ = 0;
  std::optional<TimePoint> ended_at_;
  std::optional<CloseMode> close_mode_;
  int close_count_ = 0;
  std::optional<TimePoint> closed_at_;
  std::function<void(const Chunk&)> on_forward_;
  std::function<void()> on_end_;
};

}  // namespace faultline

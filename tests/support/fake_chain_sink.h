#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "support/fake_toxic_context.h"
#include "toxics/toxic_chain.h"

namespace faultline {

// A ChainSink on a virtual clock: the scheduler is a FakeToxicContext's (time moves only in
// advance()), randomness is one seeded generator, and everything the chain does outward is
// recorded. Drives a real ToxicChain the way a Link does, without a loop.
class FakeChainSink final : public ChainSink, public Scheduler {
 public:
  explicit FakeChainSink(uint64_t seed = 42) : clock_(seed), random_(seed) {}

  // ChainSink.
  void writeChunk(Chunk chunk) override;
  void writeEnd() override { ++ends_; }
  void closeSession(CloseMode mode, const std::string& toxic) override {
    ++closes_;
    if (!close_mode_) close_mode_ = mode;
    closed_by_ = toxic;
  }
  Scheduler& scheduler() override { return *this; }
  Random& random(const ToxicSpec&) override { return random_; }
  void stageBuilt(const ToxicSpec& spec, bool applied) override { built_.push_back({spec.name, spec.type, applied}); }

  // Scheduler.
  TimerId after(Duration delay, std::function<void()> fn) override { return clock_.after(delay, std::move(fn)); }
  void cancel(TimerId id) override { clock_.cancel(id); }
  TimePoint now() const override { return clock_.now(); }

  void advance(Duration by) { clock_.advance(by); }
  void runAllTimers() { clock_.runAllTimers(); }
  std::size_t pendingTimers() const { return clock_.pendingTimers(); }

  const std::string& written() const { return written_; }
  std::size_t writes() const { return writes_; }
  int ends() const { return ends_; }
  int closes() const { return closes_; }
  std::optional<CloseMode> closeMode() const { return close_mode_; }
  const std::string& closedBy() const { return closed_by_; }
  struct Built {
    std::string name;
    std::string type;
    bool applied;
  };
  const std::vector<Built>& built() const { return built_; }
  // Called after each write is recorded (a fuzzer checks invariants here).
  void setOnWrite(std::function<void(const Chunk&)> fn) { on_write_ = std::move(fn); }

 private:
  FakeToxicContext clock_;
  Random random_;
  std::string written_;
  std::size_t writes_ = 0;
  int ends_ = 0;
  int closes_ = 0;
  std::optional<CloseMode> close_mode_;
  std::string closed_by_;
  std::vector<Built> built_;
  std::function<void(const Chunk&)> on_write_;
};

}  // namespace faultline

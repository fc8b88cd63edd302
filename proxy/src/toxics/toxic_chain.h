#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/chunk.h"
#include "core/random.h"
#include "core/scheduler.h"
#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// Everything a chain reaches outside itself. A Link implements it over libuv; tests implement
// it over a fake clock. Randomness is asked for per toxic so that where it comes from (one
// generator per proxy today, one per (seed, proxy, connection, direction, toxic) later) is the
// sink's business alone.
class ChainSink {
 public:
  virtual ~ChainSink() = default;
  // After the last stage: bytes to the destination peer, in order.
  virtual void writeChunk(Chunk chunk) = 0;
  // After the last stage: end of stream (FIN behind every written byte).
  virtual void writeEnd() = 0;
  // A stage ends the whole session (both directions).
  virtual void closeSession(CloseMode mode, const std::string& toxic) = 0;
  virtual Scheduler& scheduler() = 0;
  virtual Random& random(const ToxicSpec& spec) = 0;
  // The generator of a stage's toxicity roll, asked for each time a stage is built. A sink can
  // hand out a fresh one derived from the same key, so a toxic re-attached (by a schedule or an
  // update) rolls the same outcome on the same link. By default the stage's own random().
  virtual Random& rollRandom(const ToxicSpec& spec) { return random(spec); }
  // A stage was built for `spec`: applied = its toxicity roll won (false: a pass-through).
  virtual void stageBuilt(const ToxicSpec& spec, bool applied) = 0;
  // The chain has finished what it was doing (no stage is on the stack): what writeChunk queued
  // in this burst can go out as one write.
  virtual void settled() {}
  // When the connection opened (ToxicContext::connectionOpenedAt); by default the scheduler's now.
  virtual TimePoint connectionOpenedAt() { return scheduler().now(); }
  // The counters of the toxic named in `spec` (ToxicContext::counters); null: not counted.
  virtual ToxicCounters* counters(const ToxicSpec& spec) {
    (void)spec;
    return nullptr;
  }
};

// One direction's stages: reader -> stage 1 -> ... -> stage n -> sink. Owns the stages, their
// contexts and timers, delivery, and live replacement with the in-order hand-over. No I/O.
//
// forward() from a stage may be called at any time (from its own onChunk, from its timers, or
// from outside, e.g. a per-session HTTP layer answering from the other direction's callbacks):
// it always means "to the next stage of the chain as it is now, or to the sink".
class ToxicChain {
 public:
  explicit ToxicChain(ChainSink& sink);
  ToxicChain(const ToxicChain&) = delete;
  ToxicChain& operator=(const ToxicChain&) = delete;
  ~ToxicChain();

  // Builds the stages (rolling toxicity for each) and attaches them.
  void start(const std::vector<ToxicSpecPtr>& toxics);
  // Live change: stages whose spec is unchanged stay (with their state and their roll); a
  // removed stage hands its held chunks to the first kept stage after it (or the sink), a
  // replaced stage to its replacement with their arrival times; nothing is lost or reordered.
  void setToxics(const std::vector<ToxicSpecPtr>& toxics);
  // A stage that stays first whatever setToxics does (e.g. the session's HTTP framing). Pinned
  // stages keep the order they were added in, ahead of every toxic.
  void addHeadStage(ToxicSpecPtr spec, std::unique_ptr<Toxic> toxic);

  // From the reader.
  void push(Chunk chunk);
  void end();
  // The session is closing: no timer fires and no stage forwards from now on.
  void stop();

  bool stopped() const { return stopped_; }
  // Payload bytes held inside the stages.
  std::size_t bufferedBytes() const;
  // Separate chunks held inside the stages (each has a cost beyond its bytes).
  std::size_t heldChunks() const;
  // What the stages want in flight: the sum of their wants, Toxic::kWantsAll if any wants all.
  std::size_t wantedInFlight() const;

  struct StageInfo {
    std::string name;
    std::string type;
    bool applied = false;
    bool pinned = false;
    uint64_t bytes_in = 0;   // given to the stage (delivered or handed over)
    uint64_t bytes_out = 0;  // forwarded by it, or handed on when it was drained
    std::size_t buffered = 0;
  };
  std::size_t size() const { return stages_.size(); }
  StageInfo stageInfo(std::size_t index) const;

 private:
  class StageContext;
  struct Stage;

  std::unique_ptr<Stage> makeStage(const ToxicSpecPtr& spec);
  void renumber();
  void deliver(std::size_t index, Chunk chunk);
  void deliverEnd(std::size_t index);
  TimerId schedule(Stage& stage, Duration delay, std::function<void()> fn);
  void cancelTimer(Stage& stage, TimerId id);
  void cancelStageTimers(Stage& stage);
  void retire(std::unique_ptr<Stage> stage);
  void collectRetired();
  // At the end of every outermost call into the chain: free retired stages, tell the sink.
  void settle();

  ChainSink& sink_;
  std::vector<std::unique_ptr<Stage>> stages_;
  // Stages taken out of the chain while one of them may still be on the stack; freed once no
  // delivery is running.
  std::vector<std::unique_ptr<Stage>> retired_;
  int depth_ = 0;
  TimerId next_timer_id_ = 1;
  bool stopped_ = false;
};

}  // namespace faultline

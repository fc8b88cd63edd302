#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>

#include "core/chunk.h"
#include "core/clock.h"
#include "core/random.h"
#include "core/scheduler.h"
#include "toxics/toxic_counters.h"

namespace faultline {

enum class CloseMode {
  kGraceful,  // FIN towards both peers once written data has drained
  kReset,     // RST towards both peers, now
};

// What a toxic stage may do to the link it sits in. The link implements one context per stage,
// so forward() always means "to the next stage, or to the writer after the last stage".
// Toxics own no libuv handles and see no sockets: time, timers and randomness come from here,
// which is what lets unit tests drive a fake clock.
class ToxicContext {
 public:
  virtual ~ToxicContext() = default;

  virtual void forward(Chunk chunk) = 0;
  // End of stream (the source sent FIN): passed on after every forwarded chunk.
  virtual void forwardEnd() = 0;
  // Ends the whole session (both directions), e.g. reset_peer, limit_data, timeout.
  virtual void closeLink(CloseMode mode) = 0;

  // Runs fn once after delay (never synchronously). Timers of a stage that is removed or
  // replaced never fire.
  virtual TimerId after(Duration delay, std::function<void()> fn) = 0;
  virtual void cancel(TimerId id) = 0;

  virtual TimePoint now() const = 0;
  virtual Random& random() = 0;
  // When this link's connection was opened (accepted): a stage attached later, by a live add,
  // counts "since the connection opened" from here. Never after now().
  virtual TimePoint connectionOpenedAt() const { return now(); }
  // Where this stage's toxic counts what it did (cuts, stalls, flipped bytes, delays) for
  // /metrics; null when nobody counts.
  virtual ToxicCounters* counters() { return nullptr; }
};

// What a stage hands back when it is removed or replaced: the chunks it still holds, oldest
// first, and whether the end of stream had reached it. Nothing is dropped on the floor.
struct DrainedStage {
  std::deque<Chunk> chunks;
  bool ended = false;
};

// One toxic on one link (one direction of one connection). Instances are built from a
// validated, immutable ToxicSpec; they never validate anything themselves.
class Toxic {
 public:
  virtual ~Toxic() = default;

  // Called once, when the stage is attached to a live link (at connect or on a live add).
  virtual void onAttach(ToxicContext& ctx) { (void)ctx; }
  // Each chunk, in order. Forward it now, later, in pieces, or not at all.
  virtual void onChunk(Chunk chunk, ToxicContext& ctx) = 0;
  // The source sent FIN and every chunk before it has been given to onChunk.
  virtual void onEnd(ToxicContext& ctx) { ctx.forwardEnd(); }
  // Called when the toxic is removed from a live link, after drain(): timeout closes here.
  virtual void onRemove(ToxicContext& ctx) { (void)ctx; }

  // Bytes held inside the stage, counted for backpressure.
  virtual std::size_t bufferedBytes() const { return 0; }
  // Hands back what the stage holds, in order; pending timers are cancelled by the link.
  virtual DrainedStage drain() { return {}; }

  // How many separate chunks the stage holds: each costs memory beyond its bytes (the queue
  // entry, the reference), which the link charges against its caps (a stage of 1-byte pieces
  // must not escape them).
  virtual std::size_t heldChunks() const { return 0; }
  // How many bytes the stage wants in flight to do its job; the link's reader stops when the
  // chain holds what its stages want (the caps stay the upper bound). kWantsAll: as much as
  // the cap allows (a latency stage must hold rate x delay, whatever the rate); 0: nothing
  // beyond what passes straight through.
  static constexpr std::size_t kWantsAll = static_cast<std::size_t>(-1);
  virtual std::size_t wantedInFlight() const { return kWantsAll; }
};

// The stage a toxic becomes on links where its toxicity roll lost.
class PassThroughToxic final : public Toxic {
 public:
  void onChunk(Chunk chunk, ToxicContext& ctx) override { ctx.forward(std::move(chunk)); }
  std::size_t wantedInFlight() const override { return 0; }
};

}  // namespace faultline

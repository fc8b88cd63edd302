#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <set>
#include <string>

#include "core/chunk.h"
#include "toxics/http/http_plan.h"
#include "toxics/toxic.h"

namespace faultline {

// The way out of one direction of the HTTP layer: a FIFO where each entry may wait until a
// release time (an http_delay), and where a cut (an http_reset) waits its turn behind the bytes
// before it. Nothing overtakes anything: a held request holds the ones behind it, as HTTP/1.x
// order requires. One timer at a time, for the front entry.
class HttpGate {
 public:
  // `toxic` names the delay that set release_at, so removing that toxic releases the entry.
  void push(Chunk chunk, TimePoint release_at, const std::string& toxic, ToxicContext& ctx);
  void pushCut(CutMode mode, ToxicContext& ctx);
  // End of stream, passed on once everything before it has gone.
  void end(ToxicContext& ctx);
  // Entries held by a toxic not in `kept` go now (in order).
  void releaseExcept(const std::set<std::string>& kept, ToxicContext& ctx);
  void pump(ToxicContext& ctx);

  std::size_t bufferedBytes() const { return bytes_; }
  // Everything still held, oldest first (the stage is being taken out); cuts are dropped.
  DrainedStage drain(ToxicContext& ctx);
  // A hang cut ran: the connection stays open and silent from here on.
  bool hung() const { return hung_; }

 private:
  struct Entry {
    Chunk chunk;
    TimePoint release_at;
    std::string toxic;
    std::optional<CutMode> cut;
  };
  void arm(ToxicContext& ctx);

  std::deque<Entry> queue_;
  std::size_t bytes_ = 0;
  TimerId timer_ = 0;
  TimePoint timer_for_{};
  bool end_pending_ = false;
  bool ended_ = false;
  bool hung_ = false;
};

}  // namespace faultline

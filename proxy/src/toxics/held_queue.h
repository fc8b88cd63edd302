#pragma once

#include <cstddef>
#include <deque>
#include <optional>

#include "core/chunk.h"
#include "core/clock.h"
#include "toxics/toxic.h"

namespace faultline {

// The chunks a pacing toxic (latency, bandwidth, slicer) is holding back, and the end of stream
// that must wait behind them. One place keeps the byte count for backpressure, the "FIN is
// forwarded exactly once, after the last held byte" rule, and the hand-over on removal.
class HeldQueue {
 public:
  struct Entry {
    Chunk chunk;
    // When the stage may release it; stages that pace by other means leave it unset.
    TimePoint due{};
  };

  bool empty() const { return entries_.empty(); }
  std::size_t bytes() const { return bytes_; }
  // Entries held (each one costs memory beyond its bytes).
  std::size_t size() const { return entries_.size(); }
  Entry& front() { return entries_.front(); }
  const Entry& front() const { return entries_.front(); }

  void push(Chunk chunk, TimePoint due = {});
  // The whole head entry.
  Chunk pop();
  // Up to n bytes from the head; the head entry goes once it is empty.
  Chunk takeFront(std::size_t n);

  // The source sent FIN: forward it now if nothing is held, else once the queue empties.
  void end(ToxicContext& ctx);
  // Call after releasing chunks: forwards the pending FIN when the last one has left.
  void forwardEndIfDone(ToxicContext& ctx);

  // Everything held, oldest first, and whether a FIN is still owed downstream.
  DrainedStage drain();

 private:
  std::deque<Entry> entries_;
  std::size_t bytes_ = 0;
  bool ended_ = false;
  bool end_forwarded_ = false;
};

// For stages that hold each entry until its `due` time (latency, tcp_loss): arms `timer` for the
// head entry; when it fires, forwards every entry that is due, in order, then re-arms for the
// next one, or forwards the pending FIN once the queue is empty. The timer belongs to the stage,
// so the chain cancels it when the stage is removed.
void releaseWhenDue(HeldQueue& held, std::optional<TimerId>& timer, ToxicContext& ctx);

}  // namespace faultline

#include "toxics/held_queue.h"

#include <algorithm>
#include <utility>

namespace faultline {

void HeldQueue::push(Chunk chunk, TimePoint due) {
  bytes_ += chunk.size();
  entries_.push_back({std::move(chunk), due});
}

Chunk HeldQueue::pop() {
  Chunk chunk = std::move(entries_.front().chunk);
  entries_.pop_front();
  bytes_ -= chunk.size();
  return chunk;
}

Chunk HeldQueue::takeFront(std::size_t n) {
  Chunk& head = entries_.front().chunk;
  Chunk piece = head.takeFront(n);
  if (head.empty()) entries_.pop_front();
  bytes_ -= piece.size();
  return piece;
}

void HeldQueue::end(ToxicContext& ctx) {
  ended_ = true;
  forwardEndIfDone(ctx);
}

void HeldQueue::forwardEndIfDone(ToxicContext& ctx) {
  if (ended_ && !end_forwarded_ && entries_.empty()) {
    end_forwarded_ = true;
    ctx.forwardEnd();
  }
}

DrainedStage HeldQueue::drain() {
  DrainedStage out;
  for (auto& entry : entries_) out.chunks.push_back(std::move(entry.chunk));
  entries_.clear();
  bytes_ = 0;
  out.ended = ended_ && !end_forwarded_;
  return out;
}

void releaseWhenDue(HeldQueue& held, std::optional<TimerId>& timer, ToxicContext& ctx) {
  const Duration wait = std::max(held.front().due - ctx.now(), Duration::zero());
  timer = ctx.after(wait, [&held, &timer, &ctx] {
    timer.reset();
    const TimePoint now = ctx.now();
    while (!held.empty() && held.front().due <= now) ctx.forward(held.pop());
    if (!held.empty()) {
      releaseWhenDue(held, timer, ctx);
    } else {
      held.forwardEndIfDone(ctx);
    }
  });
}

}  // namespace faultline

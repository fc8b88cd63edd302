#include "toxics/latency_toxic.h"

#include <algorithm>

namespace faultline {

LatencyToxic::LatencyToxic(Params params) : params_(params) {}

std::unique_ptr<Toxic> LatencyToxic::create(const ToxicSpec& spec) {
  return std::make_unique<LatencyToxic>(Params{std::chrono::milliseconds(spec.attr("latency")),
                                               std::chrono::milliseconds(spec.attr("jitter"))});
}

Duration LatencyToxic::delayFor(ToxicContext& ctx) const {
  Duration delay = params_.latency;
  if (params_.jitter.count() > 0) {
    // Microsecond resolution: Toxiproxy draws whole milliseconds, which a finer draw contains.
    const auto jitter_us = std::chrono::duration_cast<Micros>(params_.jitter).count();
    delay += Micros(ctx.random().between(-jitter_us, jitter_us));
  }
  return std::max(delay, Duration::zero());
}

void LatencyToxic::onChunk(Chunk chunk, ToxicContext& ctx) {
  const TimePoint release_at = chunk.arrivedAt() + delayFor(ctx);

  if (queue_.empty() && release_at <= ctx.now()) {
    // Already due (latency 0, or a chunk handed over from a replaced stage that waited enough).
    ctx.forward(std::move(chunk));
    return;
  }
  held_bytes_ += chunk.size();
  queue_.push_back({std::move(chunk), release_at});
  if (!timer_) armHead(ctx);
}

void LatencyToxic::onEnd(ToxicContext& ctx) {
  ended_ = true;
  if (queue_.empty() && !end_forwarded_) {
    end_forwarded_ = true;
    ctx.forwardEnd();
  }
}

void LatencyToxic::armHead(ToxicContext& ctx) {
  const Duration wait = std::max(queue_.front().release_at - ctx.now(), Duration::zero());
  timer_ = ctx.after(wait, [this, &ctx] {
    timer_.reset();
    releaseDue(ctx);
  });
}

void LatencyToxic::releaseDue(ToxicContext& ctx) {
  const TimePoint now = ctx.now();
  while (!queue_.empty() && queue_.front().release_at <= now) {
    Chunk chunk = std::move(queue_.front().chunk);
    queue_.pop_front();
    held_bytes_ -= chunk.size();
    ctx.forward(std::move(chunk));
  }
  if (!queue_.empty()) {
    armHead(ctx);
  } else if (ended_ && !end_forwarded_) {
    end_forwarded_ = true;
    ctx.forwardEnd();
  }
}

DrainedStage LatencyToxic::drain() {
  DrainedStage out;
  for (auto& held : queue_) out.chunks.push_back(std::move(held.chunk));
  queue_.clear();
  held_bytes_ = 0;
  timer_.reset();
  out.ended = ended_ && !end_forwarded_;
  return out;
}

}  // namespace faultline

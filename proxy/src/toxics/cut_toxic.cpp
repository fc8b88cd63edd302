#include "toxics/cut_toxic.h"

#include <algorithm>
#include <utility>

namespace faultline {

CutToxic::CutToxic(Params params) : params_(params) {}

std::unique_ptr<Toxic> CutToxic::create(const ToxicSpec& spec) {
  Params params;
  params.after = std::chrono::milliseconds(spec.attr("after_ms"));
  params.after_bytes = static_cast<uint64_t>(spec.attr("after_bytes"));
  params.mode = parseCutMode(spec.text("mode")).value_or(CutMode::kReset);
  return std::make_unique<CutToxic>(params);
}

void CutToxic::onAttach(ToxicContext& ctx) {
  // A byte limit alone waits for the bytes; a time (or nothing at all) arms the clock.
  if (params_.after_bytes > 0 && params_.after.count() == 0) return;
  // after_ms counts from the connection's opening, on a live add too: a moment already past
  // cuts at once (the next loop turn).
  const TimePoint deadline = ctx.connectionOpenedAt() + params_.after;
  const Duration delay = std::max<Duration>(Duration::zero(), deadline - ctx.now());
  timer_ = ctx.after(delay, [this, &ctx] {
    timer_.reset();
    cut(ctx);
  });
}

void CutToxic::onChunk(Chunk chunk, ToxicContext& ctx) {
  if (cut_) {
    if (params_.mode == CutMode::kHang) held_.push(std::move(chunk));
    return;  // reset/close: the session is going away; bytes past the cut never arrive
  }
  if (params_.after_bytes == 0) {
    ctx.forward(std::move(chunk));
    return;
  }
  const uint64_t room = params_.after_bytes - passed_bytes_;
  if (chunk.size() < room) {
    passed_bytes_ += chunk.size();
    ctx.forward(std::move(chunk));
    return;
  }
  Chunk head = chunk.takeFront(static_cast<std::size_t>(room));
  passed_bytes_ += head.size();
  if (!head.empty()) ctx.forward(std::move(head));
  if (timer_) {
    ctx.cancel(*timer_);
    timer_.reset();
  }
  cut_ = true;
  countCut(ctx);
  if (params_.mode == CutMode::kHang) {
    if (!chunk.empty()) held_.push(std::move(chunk));
    return;
  }
  // Closing from inside onChunk would tear the link down under the stage calling us; the next
  // loop turn is soon enough and the bytes forwarded above are already queued for writing.
  ctx.after(Duration::zero(), [&ctx, mode = params_.mode] {
    ctx.closeLink(mode == CutMode::kClose ? CloseMode::kGraceful : CloseMode::kReset);
  });
}

void CutToxic::cut(ToxicContext& ctx) {
  if (cut_) return;
  cut_ = true;
  countCut(ctx);
  if (params_.mode == CutMode::kHang) return;
  ctx.closeLink(params_.mode == CutMode::kClose ? CloseMode::kGraceful : CloseMode::kReset);
}

void CutToxic::countCut(ToxicContext& ctx) const {
  if (ToxicCounters* counters = ctx.counters()) ++counters->cuts[cutModeName(params_.mode)];
}

void CutToxic::onEnd(ToxicContext& ctx) {
  // Before the cut the FIN passes like any byte; in a hang it waits with the held bytes for the
  // cable to be plugged back in; after a reset or close there is no one left to tell.
  if (!cut_) {
    ctx.forwardEnd();
    return;
  }
  if (params_.mode == CutMode::kHang) end_held_ = true;
}

DrainedStage CutToxic::drain() {
  timer_.reset();
  DrainedStage out = held_.drain();
  out.ended = end_held_;
  end_held_ = false;
  return out;
}

}  // namespace faultline

#include "toxics/http/http_gate.h"

namespace faultline {

void HttpGate::push(Chunk chunk, TimePoint release_at, const std::string& toxic, ToxicContext& ctx) {
  if (hung_ || chunk.empty()) return;
  if (queue_.empty() && release_at <= ctx.now()) {
    ctx.forward(std::move(chunk));
    return;
  }
  bytes_ += chunk.size();
  queue_.push_back({std::move(chunk), release_at, toxic, std::nullopt});
  pump(ctx);
}

void HttpGate::pushCut(CutMode mode, ToxicContext& ctx) {
  if (hung_) return;
  queue_.push_back({Chunk{}, ctx.now(), "", mode});
  pump(ctx);
}

void HttpGate::end(ToxicContext& ctx) {
  end_pending_ = true;
  pump(ctx);
}

void HttpGate::releaseExcept(const std::set<std::string>& kept, ToxicContext& ctx) {
  for (auto& entry : queue_) {
    if (!entry.toxic.empty() && kept.count(entry.toxic) == 0) {
      entry.release_at = ctx.now();
      entry.toxic.clear();
    }
  }
  pump(ctx);
}

void HttpGate::pump(ToxicContext& ctx) {
  while (!queue_.empty() && !hung_ && queue_.front().release_at <= ctx.now()) {
    Entry entry = std::move(queue_.front());
    queue_.pop_front();
    if (entry.cut) {
      bytes_ = 0;
      if (*entry.cut == CutMode::kHang) {
        hung_ = true;
        queue_.clear();
        return;
      }
      queue_.clear();
      ctx.closeLink(*entry.cut == CutMode::kReset ? CloseMode::kReset : CloseMode::kGraceful);
      return;
    }
    bytes_ -= entry.chunk.size();
    ctx.forward(std::move(entry.chunk));
  }
  if (hung_) return;
  if (queue_.empty()) {
    if (end_pending_ && !ended_) {
      ended_ = true;
      ctx.forwardEnd();
    }
    return;
  }
  arm(ctx);
}

void HttpGate::arm(ToxicContext& ctx) {
  const TimePoint due = queue_.front().release_at;
  if (timer_ != 0 && timer_for_ == due) return;
  if (timer_ != 0) ctx.cancel(timer_);
  timer_for_ = due;
  timer_ = ctx.after(due - ctx.now(), [this, &ctx] {
    timer_ = 0;
    pump(ctx);
  });
}

DrainedStage HttpGate::drain(ToxicContext& ctx) {
  DrainedStage out;
  if (timer_ != 0) ctx.cancel(timer_);
  timer_ = 0;
  for (auto& entry : queue_) {
    if (!entry.cut) out.chunks.push_back(std::move(entry.chunk));
  }
  queue_.clear();
  bytes_ = 0;
  out.ended = end_pending_ && !ended_;
  ended_ = ended_ || out.ended;
  return out;
}

}  // namespace faultline

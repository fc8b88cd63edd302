#include "toxics/timeout_toxic.h"

namespace faultline {

TimeoutToxic::TimeoutToxic(Params params) : params_(params) {}

std::unique_ptr<Toxic> TimeoutToxic::create(const ToxicSpec& spec) {
  return std::make_unique<TimeoutToxic>(Params{std::chrono::milliseconds(spec.attr("timeout"))});
}

void TimeoutToxic::onAttach(ToxicContext& ctx) {
  if (params_.timeout.count() == 0) return;
  ctx.after(params_.timeout, [&ctx] { ctx.closeLink(CloseMode::kGraceful); });
}

void TimeoutToxic::onChunk(Chunk chunk, ToxicContext& ctx) {
  (void)chunk;
  (void)ctx;
}

void TimeoutToxic::onEnd(ToxicContext& ctx) {
  (void)ctx;
  ended_ = true;
}

void TimeoutToxic::onRemove(ToxicContext& ctx) { ctx.closeLink(CloseMode::kGraceful); }

DrainedStage TimeoutToxic::drain() { return DrainedStage{{}, ended_}; }

}  // namespace faultline

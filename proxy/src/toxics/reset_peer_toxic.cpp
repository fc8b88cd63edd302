#include "toxics/reset_peer_toxic.h"

namespace faultline {

ResetPeerToxic::ResetPeerToxic(Params params) : params_(params) {}

std::unique_ptr<Toxic> ResetPeerToxic::create(const ToxicSpec& spec) {
  return std::make_unique<ResetPeerToxic>(Params{std::chrono::milliseconds(spec.attr("timeout"))});
}

void ResetPeerToxic::onChunk(Chunk chunk, ToxicContext& ctx) {
  (void)chunk;
  trigger(ctx);
}

void ResetPeerToxic::onEnd(ToxicContext& ctx) {
  // Toxiproxy reads a closed input like a chunk: the FIN starts the countdown too, and is
  // swallowed because the reset supersedes it. Should the toxic be removed before the reset,
  // drain() hands the FIN on so the half-close is not lost.
  ended_ = true;
  trigger(ctx);
}

void ResetPeerToxic::trigger(ToxicContext& ctx) {
  if (triggered_) return;
  triggered_ = true;
  ctx.after(params_.timeout, [&ctx] { ctx.closeLink(CloseMode::kReset); });
}

DrainedStage ResetPeerToxic::drain() { return DrainedStage{{}, ended_}; }

}  // namespace faultline

#include "toxics/slow_close_toxic.h"

namespace faultline {

SlowCloseToxic::SlowCloseToxic(Params params) : params_(params) {}

std::unique_ptr<Toxic> SlowCloseToxic::create(const ToxicSpec& spec) {
  return std::make_unique<SlowCloseToxic>(Params{std::chrono::milliseconds(spec.attr("delay"))});
}

void SlowCloseToxic::onChunk(Chunk chunk, ToxicContext& ctx) { ctx.forward(std::move(chunk)); }

void SlowCloseToxic::onEnd(ToxicContext& ctx) {
  if (ended_) return;
  ended_ = true;
  if (params_.delay.count() == 0) {
    end_forwarded_ = true;
    ctx.forwardEnd();
    return;
  }
  ctx.after(params_.delay, [this, &ctx] {
    end_forwarded_ = true;
    ctx.forwardEnd();
  });
}

DrainedStage SlowCloseToxic::drain() {
  // A FIN still waiting here is handed on; the replacing stage decides how long it waits.
  return DrainedStage{{}, ended_ && !end_forwarded_};
}

}  // namespace faultline

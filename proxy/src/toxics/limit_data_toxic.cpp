#include "toxics/limit_data_toxic.h"

#include <algorithm>

namespace faultline {

LimitDataToxic::LimitDataToxic(Params params) : params_(params) {}

std::unique_ptr<Toxic> LimitDataToxic::create(const ToxicSpec& spec) {
  return std::make_unique<LimitDataToxic>(Params{spec.attr("bytes")});
}

void LimitDataToxic::onChunk(Chunk chunk, ToxicContext& ctx) {
  if (closed_) return;
  const auto limit = static_cast<uint64_t>(std::max<int64_t>(params_.limit_bytes, 0));
  const uint64_t remaining = limit - passed_bytes_;
  if (chunk.size() < remaining) {
    passed_bytes_ += chunk.size();
    ctx.forward(std::move(chunk));
    return;
  }
  passed_bytes_ = limit;
  closed_ = true;
  if (remaining > 0) ctx.forward(chunk.takeFront(static_cast<std::size_t>(remaining)));
  ctx.closeLink(CloseMode::kGraceful);
}

void LimitDataToxic::onEnd(ToxicContext& ctx) {
  if (!closed_) ctx.forwardEnd();
}

}  // namespace faultline

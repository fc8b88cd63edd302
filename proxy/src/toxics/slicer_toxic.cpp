#include "toxics/slicer_toxic.h"

#include <algorithm>

namespace faultline {

SlicerToxic::SlicerToxic(Params params) : params_(params) {}

std::unique_ptr<Toxic> SlicerToxic::create(const ToxicSpec& spec) {
  return std::make_unique<SlicerToxic>(Params{spec.attr("average_size"), spec.attr("size_variation"),
                                              std::chrono::microseconds(spec.attr("delay"))});
}

std::size_t SlicerToxic::nextPieceSize(std::size_t available, ToxicContext& ctx) const {
  if (params_.average_size_bytes <= 0) return available;
  // Toxiproxy requires variation < average and recurses or crashes otherwise; clamping the low
  // end at 1 byte accepts any pair.
  const int64_t lo = std::max<int64_t>(1, params_.average_size_bytes - params_.size_variation_bytes);
  const int64_t hi = params_.average_size_bytes + params_.size_variation_bytes;
  const auto size = static_cast<uint64_t>(ctx.random().between(lo, hi));
  return static_cast<std::size_t>(std::min<uint64_t>(size, available));
}

void SlicerToxic::onChunk(Chunk chunk, ToxicContext& ctx) {
  if (chunk.empty()) return;
  if (params_.delay.count() == 0) {
    while (!chunk.empty()) ctx.forward(chunk.takeFront(nextPieceSize(chunk.size(), ctx)));
    return;
  }
  held_.push(std::move(chunk));
  if (timer_) return;
  // Pieces keep their spacing across chunks: the first piece of a new chunk waits for the
  // delay that follows the previous chunk's last piece.
  const TimePoint now = ctx.now();
  if (!last_sent_ || *last_sent_ + params_.delay <= now) {
    sendPiece(ctx);
  } else {
    timer_ = ctx.after(*last_sent_ + params_.delay - now, [this, &ctx] {
      timer_.reset();
      sendPiece(ctx);
    });
  }
}

void SlicerToxic::sendPiece(ToxicContext& ctx) {
  Chunk piece = held_.takeFront(nextPieceSize(held_.front().chunk.size(), ctx));
  last_sent_ = ctx.now();
  ctx.forward(std::move(piece));
  if (!held_.empty()) {
    timer_ = ctx.after(params_.delay, [this, &ctx] {
      timer_.reset();
      sendPiece(ctx);
    });
  } else {
    held_.forwardEndIfDone(ctx);
  }
}

void SlicerToxic::onEnd(ToxicContext& ctx) { held_.end(ctx); }

DrainedStage SlicerToxic::drain() {
  timer_.reset();
  return held_.drain();
}

// Without a delay every piece leaves at once; with one, the chunk being sliced is enough.
std::size_t SlicerToxic::wantedInFlight() const { return params_.delay.count() == 0 ? 0 : kWantedWhileSlicing; }

}  // namespace faultline

#include "toxics/bandwidth_toxic.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace faultline {

namespace {
constexpr int64_t kPieceMillis = 100;
}  // namespace

BandwidthToxic::BandwidthToxic(Params params)
    : params_(params),
      max_piece_bytes_(params.rate_kbps > 0
                           ? static_cast<std::size_t>(std::min<uint64_t>(
                                 static_cast<uint64_t>(params.rate_kbps) * kPieceMillis,
                                 std::numeric_limits<std::size_t>::max()))
                           : 0) {}

std::unique_ptr<Toxic> BandwidthToxic::create(const ToxicSpec& spec) {
  return std::make_unique<BandwidthToxic>(Params{spec.attr("rate")});
}

std::size_t BandwidthToxic::pieceSize() const {
  return std::min(queue_.front().size(), max_piece_bytes_);
}

Duration BandwidthToxic::transmitTime(std::size_t bytes) const {
  // bytes * 1 ms / rate_kbps; long double keeps the product exact enough for any rate in range.
  const long double nanos =
      static_cast<long double>(bytes) * 1'000'000.0L / static_cast<long double>(params_.rate_kbps);
  return std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(std::llround(nanos)));
}

void BandwidthToxic::onChunk(Chunk chunk, ToxicContext& ctx) {
  if (params_.rate_kbps <= 0) {
    ctx.forward(std::move(chunk));
    return;
  }
  held_bytes_ += chunk.size();
  queue_.push_back(std::move(chunk));
  if (!timer_) {
    // The link was idle: transmission starts now, not at a stale virtual time (no burst
    // after a pause).
    scheduleHead(std::max(head_due_, ctx.now()), ctx);
  }
}

void BandwidthToxic::scheduleHead(TimePoint start, ToxicContext& ctx) {
  head_piece_bytes_ = pieceSize();
  head_due_ = start + transmitTime(head_piece_bytes_);
  timer_ = ctx.after(std::max(head_due_ - ctx.now(), Duration::zero()), [this, &ctx] {
    timer_.reset();
    onTimer(ctx);
  });
}

void BandwidthToxic::onTimer(ToxicContext& ctx) {
  // A late timer releases everything whose virtual time has passed, then re-arms for the rest.
  while (true) {
    Chunk piece = queue_.front().takeFront(head_piece_bytes_);
    if (queue_.front().empty()) queue_.pop_front();
    held_bytes_ -= piece.size();
    if (!piece.empty()) ctx.forward(std::move(piece));
    if (queue_.empty()) break;
    head_piece_bytes_ = pieceSize();
    const TimePoint next_due = head_due_ + transmitTime(head_piece_bytes_);
    if (next_due > ctx.now()) {
      scheduleHead(head_due_, ctx);
      return;
    }
    head_due_ = next_due;
  }
  if (ended_ && !end_forwarded_) {
    end_forwarded_ = true;
    ctx.forwardEnd();
  }
}

void BandwidthToxic::onEnd(ToxicContext& ctx) {
  ended_ = true;
  if (queue_.empty() && !end_forwarded_) {
    end_forwarded_ = true;
    ctx.forwardEnd();
  }
}

DrainedStage BandwidthToxic::drain() {
  DrainedStage out;
  out.chunks = std::move(queue_);
  queue_.clear();
  held_bytes_ = 0;
  timer_.reset();
  out.ended = ended_ && !end_forwarded_;
  return out;
}

}  // namespace faultline

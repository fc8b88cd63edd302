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
  return std::min(held_.front().chunk.size(), max_piece_bytes_);
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
  held_.push(std::move(chunk));
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
    Chunk piece = held_.takeFront(head_piece_bytes_);
    if (!piece.empty()) ctx.forward(std::move(piece));
    if (held_.empty()) break;
    head_piece_bytes_ = pieceSize();
    const TimePoint next_due = head_due_ + transmitTime(head_piece_bytes_);
    if (next_due > ctx.now()) {
      scheduleHead(head_due_, ctx);
      return;
    }
    head_due_ = next_due;
  }
  held_.forwardEndIfDone(ctx);
}

void BandwidthToxic::onEnd(ToxicContext& ctx) { held_.end(ctx); }

DrainedStage BandwidthToxic::drain() {
  timer_.reset();
  return held_.drain();
}

// A short window at the rate keeps the pacing exact: two 100 ms pieces, so the next one is
// already queued when one leaves (the reader resumes at half its window). More only moves the
// sender's backlog out of the kernel's buffers into ours.
std::size_t BandwidthToxic::wantedInFlight() const { return 2 * max_piece_bytes_; }

}  // namespace faultline

#include "toxics/bandwidth_toxic.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace faultline {

namespace {
constexpr int64_t kPieceMillis = 100;
}  // namespace

BandwidthToxic::BandwidthToxic(Params params, std::shared_ptr<SharedRate> shared)
    : params_(params),
      shared_(std::move(shared)),
      max_piece_bytes_(params.rate_kbps > 0
                           ? static_cast<std::size_t>(std::min<uint64_t>(
                                 static_cast<uint64_t>(params.rate_kbps) * kPieceMillis,
                                 std::numeric_limits<std::size_t>::max()))
                           : 0) {}

std::unique_ptr<Toxic> BandwidthToxic::create(const ToxicSpec& spec) {
  return std::make_unique<BandwidthToxic>(Params{spec.attr("rate")}, spec.shared_rate);
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

TimePoint BandwidthToxic::reserve(TimePoint earliest, std::size_t bytes) {
  const TimePoint start = shared_ ? std::max(earliest, shared_->free_at) : earliest;
  const TimePoint due = start + transmitTime(bytes);
  if (shared_) shared_->free_at = due;
  return due;
}

void BandwidthToxic::scheduleHead(TimePoint earliest, ToxicContext& ctx) {
  head_piece_bytes_ = pieceSize();
  head_due_ = reserve(earliest, head_piece_bytes_);
  arm(ctx);
}

void BandwidthToxic::arm(ToxicContext& ctx) {
  timer_ = ctx.after(std::max(head_due_ - ctx.now(), Duration::zero()), [this, &ctx] {
    timer_.reset();
    onTimer(ctx);
  });
}

void BandwidthToxic::onTimer(ToxicContext& ctx) {
  // A late timer releases everything whose virtual time has passed, then re-arms for the rest.
  // Consecutive pieces are timed from the previous piece's virtual end, not from when the timer
  // fired, so the long-run rate stays exact.
  while (true) {
    Chunk piece = held_.takeFront(head_piece_bytes_);
    if (!piece.empty()) ctx.forward(std::move(piece));
    if (held_.empty()) break;
    head_piece_bytes_ = pieceSize();
    head_due_ = reserve(head_due_, head_piece_bytes_);
    if (head_due_ > ctx.now()) {
      arm(ctx);
      return;
    }
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

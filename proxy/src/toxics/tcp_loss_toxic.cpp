#include "toxics/tcp_loss_toxic.h"

#include <algorithm>

namespace faultline {

TcpLossToxic::TcpLossToxic(Params params)
    : params_(params), loss_(Probability::fromFraction(static_cast<double>(params.percent) / 100.0)) {
  params_.burst = std::max<int64_t>(params_.burst, 1);
  // percent 0 must never stall, whatever fromFraction rounds to.
  if (params_.percent <= 0) loss_ = Probability{0};
}

std::unique_ptr<Toxic> TcpLossToxic::create(const ToxicSpec& spec) {
  return std::make_unique<TcpLossToxic>(
      Params{spec.attr("percent"), std::chrono::milliseconds(spec.attr("rto_ms")), spec.attr("burst")});
}

Duration TcpLossToxic::stallFor(Random& random) const {
  // Consecutive losses are geometric with mean `burst`: after each loss the retransmission is
  // lost again with probability 1 - 1/burst.
  int losses = 1;
  if (params_.burst > 1) {
    const auto again = static_cast<uint64_t>(params_.burst - 1);
    const auto out_of = static_cast<uint64_t>(params_.burst);
    while (losses < kMaxConsecutiveLosses && random.below(out_of) < again) ++losses;
  }
  const int64_t factor = (int64_t{1} << losses) - 1;
  return std::chrono::duration_cast<Duration>(params_.rto) * factor;
}

void TcpLossToxic::onChunk(Chunk chunk, ToxicContext& ctx) {
  const bool lost = params_.rto.count() > 0 && loss_.roll(ctx.random());
  if (held_.empty() && !lost) {
    ctx.forward(std::move(chunk));
    return;
  }
  TimePoint due = held_.empty() ? chunk.arrivedAt() : std::max(last_due_, chunk.arrivedAt());
  if (lost) {
    ++stalls_;
    const Duration stall = stallFor(ctx.random());
    due += stall;
    if (ToxicCounters* counters = ctx.counters()) {
      ++counters->stalls;
      counters->stalled += stall;
    }
  }
  last_due_ = due;
  held_.push(std::move(chunk), due);
  if (!timer_) releaseWhenDue(held_, timer_, ctx);
}

void TcpLossToxic::onEnd(ToxicContext& ctx) { held_.end(ctx); }

DrainedStage TcpLossToxic::drain() {
  timer_.reset();
  return held_.drain();
}

}  // namespace faultline

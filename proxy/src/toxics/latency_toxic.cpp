#include "toxics/latency_toxic.h"

#include <algorithm>
#include <string>

namespace faultline {

LatencyToxic::LatencyToxic(Params params)
    : distribution_({params.distribution, params.latency, params.jitter, params.p99}) {}

std::unique_ptr<Toxic> LatencyToxic::create(const ToxicSpec& spec) {
  Params params;
  params.latency = std::chrono::milliseconds(spec.attr("latency"));
  params.jitter = std::chrono::milliseconds(spec.attr("jitter"));
  params.distribution = parseDistribution(spec.text("distribution")).value_or(DistributionKind::kUniform);
  params.p99 = std::chrono::milliseconds(spec.attr("p99"));
  return std::make_unique<LatencyToxic>(params);
}

void LatencyToxic::onChunk(Chunk chunk, ToxicContext& ctx) {
  const Duration delay = distribution_.sample(ctx.random());
  if (ToxicCounters* counters = ctx.counters()) counters->countDelay(delay);
  const TimePoint release_at = chunk.arrivedAt() + delay;

  if (held_.empty() && release_at <= ctx.now()) {
    // Already due (latency 0, or a chunk handed over from a replaced stage that waited enough).
    ctx.forward(std::move(chunk));
    return;
  }
  held_.push(std::move(chunk), release_at);
  if (!timer_) releaseWhenDue(held_, timer_, ctx);
}

void LatencyToxic::onEnd(ToxicContext& ctx) { held_.end(ctx); }

DrainedStage LatencyToxic::drain() {
  timer_.reset();
  return held_.drain();
}

// Everything that arrives during the delay must be in flight to keep the sender's rate, and that
// depends on the sender: as much as the link's cap allows.
std::size_t LatencyToxic::wantedInFlight() const { return kWantsAll; }

}  // namespace faultline

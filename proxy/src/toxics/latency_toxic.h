#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>

#include "toxics/held_queue.h"
#include "toxics/latency_distribution.h"
#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// Delays every chunk by a draw from its distribution (by default latency +/- jitter), measured
// from the chunk's arrival at this stage.
// Pipelined: any number of chunks are in flight, but only the head of the queue has a timer,
// so a bulk transfer costs one timer per release, not one per chunk.
class LatencyToxic final : public Toxic {
 public:
  struct Params {
    std::chrono::milliseconds latency{0};
    std::chrono::milliseconds jitter{0};
    DistributionKind distribution = DistributionKind::kUniform;
    // The 99th percentile, for lognormal and pareto (latency is then their median).
    std::chrono::milliseconds p99{0};
  };

  explicit LatencyToxic(Params params);
  static std::unique_ptr<Toxic> create(const ToxicSpec& spec);

  void onChunk(Chunk chunk, ToxicContext& ctx) override;
  void onEnd(ToxicContext& ctx) override;
  std::size_t bufferedBytes() const override { return held_.bytes(); }
  std::size_t heldChunks() const override { return held_.size(); }
  std::size_t wantedInFlight() const override;
  DrainedStage drain() override;

 private:

  LatencyDistribution distribution_;
  // FIFO with each chunk's release time: a chunk whose jittered time is earlier than its
  // predecessor's waits behind it and leaves with it, so jitter never reorders the stream.
  HeldQueue held_;
  std::optional<TimerId> timer_;
};

}  // namespace faultline

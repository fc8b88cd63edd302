#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>

#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// Delays every chunk by latency +/- jitter, measured from the chunk's arrival at this stage.
// Pipelined: any number of chunks are in flight, but only the head of the queue has a timer,
// so a bulk transfer costs one timer per release, not one per chunk.
class LatencyToxic final : public Toxic {
 public:
  struct Params {
    std::chrono::milliseconds latency{0};
    std::chrono::milliseconds jitter{0};
  };

  explicit LatencyToxic(Params params);
  static std::unique_ptr<Toxic> create(const ToxicSpec& spec);

  void onChunk(Chunk chunk, ToxicContext& ctx) override;
  void onEnd(ToxicContext& ctx) override;
  std::size_t bufferedBytes() const override { return held_bytes_; }
  DrainedStage drain() override;

 private:
  // FIFO: a chunk whose jittered release time is earlier than its predecessor's waits behind it
  // and leaves with it, so jitter never reorders the stream.
  struct Held {
    Chunk chunk;
    TimePoint release_at;
  };

  Duration delayFor(ToxicContext& ctx) const;
  void armHead(ToxicContext& ctx);
  void releaseDue(ToxicContext& ctx);

  Params params_;
  std::deque<Held> queue_;
  std::size_t held_bytes_ = 0;
  std::optional<TimerId> timer_;
  bool ended_ = false;
  bool end_forwarded_ = false;
};

}  // namespace faultline

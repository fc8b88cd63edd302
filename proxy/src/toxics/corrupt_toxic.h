#pragma once

#include <cstdint>
#include <memory>

#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// Flips one random bit in each of about ppm bytes per million passing bytes; the length and
// the order of the stream are unchanged, so a checksum or a parser downstream sees the damage,
// not a framing error. Which bytes are hit comes from the seeded Random (replayable).
class CorruptToxic final : public Toxic {
 public:
  static constexpr int64_t kPerMillion = 1'000'000;
  struct Params {
    int64_t ppm = 0;
  };

  explicit CorruptToxic(Params params);
  static std::unique_ptr<Toxic> create(const ToxicSpec& spec);

  void onChunk(Chunk chunk, ToxicContext& ctx) override;

 private:
  // Bytes to pass untouched before the next flipped one: geometric, so the cost is per flip,
  // not per byte, and the gap carries over chunk boundaries.
  uint64_t drawGap(Random& random) const;

  Params params_;
  double log_keep_ = 0.0;  // ln(1 - p), p = ppm / 1e6
  bool gap_drawn_ = false;
  uint64_t gap_ = 0;
};

}  // namespace faultline

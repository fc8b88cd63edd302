#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "toxics/held_queue.h"
#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// Cuts each chunk into pieces of average_size +/- size_variation bytes (at least 1 byte each),
// released delay_us apart (all at once when the delay is 0). Average size 0 passes chunks whole.
// Cutting is a loop, never recursion: a 1-byte slicer over 64 MiB costs time, not stack.
class SlicerToxic final : public Toxic {
 public:
  struct Params {
    int64_t average_size_bytes = 0;
    int64_t size_variation_bytes = 0;
    std::chrono::microseconds delay{0};
  };

  explicit SlicerToxic(Params params);
  static std::unique_ptr<Toxic> create(const ToxicSpec& spec);

  void onChunk(Chunk chunk, ToxicContext& ctx) override;
  void onEnd(ToxicContext& ctx) override;
  std::size_t bufferedBytes() const override { return held_.bytes(); }
  std::size_t heldChunks() const override { return held_.size(); }
  std::size_t wantedInFlight() const override;
  DrainedStage drain() override;

 private:
  static constexpr std::size_t kWantedWhileSlicing = 64 * 1024;
  std::size_t nextPieceSize(std::size_t available, ToxicContext& ctx) const;
  void sendPiece(ToxicContext& ctx);

  Params params_;
  HeldQueue held_;
  std::optional<TimerId> timer_;
  // When the last piece left: the next one may not leave before last_sent_ + delay.
  std::optional<TimePoint> last_sent_;
};

}  // namespace faultline

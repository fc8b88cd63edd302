#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "toxics/held_queue.h"
#include "toxics/shared_rate.h"
#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// Limits throughput to rate_kbps (1 KB = 1000 bytes, as Toxiproxy counts): a piece of n bytes
// is released n / rate_kbps milliseconds after the previous one finished. Rate 0 = unlimited.
// With a shared line (scope=proxy) "the previous one" is the previous piece of any connection of
// the proxy in this direction: one rate for all of them, like a congested link.
class BandwidthToxic final : public Toxic {
 public:
  struct Params {
    int64_t rate_kbps = 0;
  };

  // `shared` null: this link has the rate to itself.
  explicit BandwidthToxic(Params params, std::shared_ptr<SharedRate> shared = nullptr);
  static std::unique_ptr<Toxic> create(const ToxicSpec& spec);

  void onChunk(Chunk chunk, ToxicContext& ctx) override;
  void onEnd(ToxicContext& ctx) override;
  std::size_t bufferedBytes() const override { return held_.bytes(); }
  std::size_t heldChunks() const override { return held_.size(); }
  std::size_t wantedInFlight() const override;
  DrainedStage drain() override;

 private:
  std::size_t pieceSize() const;
  Duration transmitTime(std::size_t bytes) const;
  // The transmission slot of the next piece: from `earliest`, or after the shared line frees.
  TimePoint reserve(TimePoint earliest, std::size_t bytes);
  void scheduleHead(TimePoint earliest, ToxicContext& ctx);
  void arm(ToxicContext& ctx);
  void onTimer(ToxicContext& ctx);

  Params params_;
  std::shared_ptr<SharedRate> shared_;
  // Pieces of at most 100 ms worth of bytes, so a slow rate does not hold a big chunk for
  // seconds before the first byte moves (Toxiproxy splits the same way).
  std::size_t max_piece_bytes_;
  HeldQueue held_;
  // The virtual schedule: when the piece in transmission is due. Consecutive pieces are timed
  // from here, not from when a (possibly late) timer fired, so the long-run rate stays exact.
  TimePoint head_due_{};
  std::size_t head_piece_bytes_ = 0;
  std::optional<TimerId> timer_;
};

}  // namespace faultline

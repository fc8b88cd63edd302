#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "core/random.h"
#include "toxics/held_queue.h"
#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// What an application sees of packet loss under TCP: not missing bytes (TCP retransmits them)
// but stalls. Each chunk is "lost" with probability percent; a lost chunk, and everything
// behind it, waits for the retransmission timeout. Losses come in bursts of on average `burst`
// consecutive losses, and each consecutive loss doubles the timeout (TCP's exponential
// backoff), so a burst of k stalls for rto * (2^k - 1). No byte is ever dropped or reordered:
// Toxiproxy's proposal to drop bytes corrupts the stream instead of delaying it.
class TcpLossToxic final : public Toxic {
 public:
  struct Params {
    int64_t percent = 0;
    std::chrono::milliseconds rto{200};
    int64_t burst = 1;
  };
  // Seventeen doublings of a 200 ms RTO is over seven hours: far beyond any real TCP's limit,
  // and it keeps the arithmetic in range.
  static constexpr int kMaxConsecutiveLosses = 16;

  explicit TcpLossToxic(Params params);
  static std::unique_ptr<Toxic> create(const ToxicSpec& spec);

  void onChunk(Chunk chunk, ToxicContext& ctx) override;
  void onEnd(ToxicContext& ctx) override;
  std::size_t bufferedBytes() const override { return held_.bytes(); }
  DrainedStage drain() override;

  // Losses so far (bursts count once): what a test or a metric counts as a stall.
  uint64_t stalls() const { return stalls_; }

 private:
  Duration stallFor(Random& random) const;

  Params params_;
  Probability loss_;
  // Each held chunk is due when the one before it has left plus its own stall, so a stall
  // starts when the lost chunk reaches the head: stalls within a link queue up, as TCP's
  // in-order delivery makes them.
  HeldQueue held_;
  TimePoint last_due_{};
  std::optional<TimerId> timer_;
  uint64_t stalls_ = 0;
};

}  // namespace faultline

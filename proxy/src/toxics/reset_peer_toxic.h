#pragma once

#include <chrono>
#include <memory>

#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// Toxiproxy's reset_peer: the connection is untouched until the first chunk (or the end of
// stream) arrives; that chunk and everything after it is dropped, and timeout ms later the
// connection is reset (RST). Timeout 0 resets on the next timer tick, never inside onChunk,
// so the link is not torn down underneath the stage that is calling it.
class ResetPeerToxic final : public Toxic {
 public:
  struct Params {
    std::chrono::milliseconds timeout{0};
  };

  explicit ResetPeerToxic(Params params);
  static std::unique_ptr<Toxic> create(const ToxicSpec& spec);

  void onChunk(Chunk chunk, ToxicContext& ctx) override;
  // Holds no bytes: passes them on, cuts them, or swallows them.
  std::size_t wantedInFlight() const override { return 0; }
  void onEnd(ToxicContext& ctx) override;
  DrainedStage drain() override;

 private:
  void trigger(ToxicContext& ctx);

  Params params_;
  bool triggered_ = false;
  bool ended_ = false;
};

}  // namespace faultline

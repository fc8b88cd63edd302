#pragma once

#include <chrono>
#include <memory>

#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// A black hole: every byte is dropped (not buffered, so it builds no backpressure) and the end
// of stream is swallowed. With timeout > 0 the connection is closed timeout ms after the toxic
// attached; with 0 it is held open forever. Removing the toxic closes the connection, as
// Toxiproxy does, because the peers' views of the stream have already diverged.
class TimeoutToxic final : public Toxic {
 public:
  struct Params {
    std::chrono::milliseconds timeout{0};
  };

  explicit TimeoutToxic(Params params);
  static std::unique_ptr<Toxic> create(const ToxicSpec& spec);

  void onAttach(ToxicContext& ctx) override;
  void onChunk(Chunk chunk, ToxicContext& ctx) override;
  // Holds no bytes: passes them on, cuts them, or swallows them.
  std::size_t wantedInFlight() const override { return 0; }
  void onEnd(ToxicContext& ctx) override;
  void onRemove(ToxicContext& ctx) override;
  DrainedStage drain() override;

 private:
  Params params_;
  bool ended_ = false;
};

}  // namespace faultline

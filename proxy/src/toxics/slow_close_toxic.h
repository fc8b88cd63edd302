#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// Passes data straight through and holds the end of stream (FIN) back for delay ms.
class SlowCloseToxic final : public Toxic {
 public:
  struct Params {
    std::chrono::milliseconds delay{0};
  };

  explicit SlowCloseToxic(Params params);
  static std::unique_ptr<Toxic> create(const ToxicSpec& spec);

  void onChunk(Chunk chunk, ToxicContext& ctx) override;
  // Holds no bytes: passes them on, cuts them, or swallows them.
  std::size_t wantedInFlight() const override { return 0; }
  void onEnd(ToxicContext& ctx) override;
  DrainedStage drain() override;

 private:
  Params params_;
  bool ended_ = false;
  bool end_forwarded_ = false;
};

}  // namespace faultline

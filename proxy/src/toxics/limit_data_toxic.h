#pragma once

#include <cstdint>
#include <memory>

#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// Forwards the first `bytes` bytes of the link, cuts the chunk that crosses the limit, and
// closes the connection gracefully once the limit is reached (at once for a limit of 0, when the
// first chunk arrives). Nothing after the limit is forwarded.
class LimitDataToxic final : public Toxic {
 public:
  struct Params {
    int64_t limit_bytes = 0;
  };

  explicit LimitDataToxic(Params params);
  static std::unique_ptr<Toxic> create(const ToxicSpec& spec);

  void onChunk(Chunk chunk, ToxicContext& ctx) override;
  // Holds no bytes: passes them on, cuts them, or swallows them.
  std::size_t wantedInFlight() const override { return 0; }
  void onEnd(ToxicContext& ctx) override;

 private:
  Params params_;
  uint64_t passed_bytes_ = 0;
  bool closed_ = false;
};

}  // namespace faultline

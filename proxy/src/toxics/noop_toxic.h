#pragma once

#include <memory>

#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// Passes every byte on at once, unchanged. Toxiproxy registers it and clients add it as a
// marker (or to test their own toxic plumbing), so it must exist and must do nothing.
class NoopToxic final : public Toxic {
 public:
  static std::unique_ptr<Toxic> create(const ToxicSpec& spec);

  void onChunk(Chunk chunk, ToxicContext& ctx) override { ctx.forward(std::move(chunk)); }
  std::size_t wantedInFlight() const override { return 0; }
};

}  // namespace faultline

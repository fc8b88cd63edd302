#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "toxics/cut_mode.h"
#include "toxics/held_queue.h"
#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {


// Ends a connection while data flows: after_ms after the connection opened (also when the
// toxic is added to a live connection; a moment already past cuts at once) or once after_bytes
// bytes have passed through this direction, whichever comes first. With neither set it cuts at
// once.
// The bytes before the cut point are forwarded exactly; nothing after it is.
//
// hang holds every later byte (counted for backpressure, so the sender stalls as it would
// against a dead peer) and never forwards the end of stream. Removing the toxic plugs the cable
// back in: the held bytes are handed on in order, as TCP's retransmissions would deliver them.
class CutToxic final : public Toxic {
 public:
  struct Params {
    std::chrono::milliseconds after{0};
    uint64_t after_bytes = 0;
    CutMode mode = CutMode::kReset;
  };

  explicit CutToxic(Params params);
  static std::unique_ptr<Toxic> create(const ToxicSpec& spec);

  void onAttach(ToxicContext& ctx) override;
  void onChunk(Chunk chunk, ToxicContext& ctx) override;
  void onEnd(ToxicContext& ctx) override;
  std::size_t bufferedBytes() const override { return held_.bytes(); }
  DrainedStage drain() override;

  bool isCut() const { return cut_; }

 private:
  void cut(ToxicContext& ctx);
  void countCut(ToxicContext& ctx) const;

  Params params_;
  uint64_t passed_bytes_ = 0;
  bool cut_ = false;
  // hang only: everything that arrived after the cut, and a FIN that must wait behind it.
  HeldQueue held_;
  bool end_held_ = false;
  std::optional<TimerId> timer_;
};

}  // namespace faultline

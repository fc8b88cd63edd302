#pragma once

#include <memory>

#include "toxics/http/http_exchange_layer.h"
#include "toxics/toxic.h"

namespace faultline {

// What a link's chain holds at its head for a session's HTTP layer: one side of it. Both
// sides share the layer, so it lives exactly as long as the longer-lived of the two chains.
class HttpLayerStage final : public Toxic {
 public:
  enum class Side { kRequests, kResponses };
  HttpLayerStage(std::shared_ptr<HttpExchangeLayer> layer, Side side)
      : layer_(std::move(layer)), stage_(side == Side::kRequests ? layer_->requestStage() : layer_->responseStage()) {}

  void onAttach(ToxicContext& ctx) override { stage_.onAttach(ctx); }
  void onChunk(Chunk chunk, ToxicContext& ctx) override { stage_.onChunk(std::move(chunk), ctx); }
  void onEnd(ToxicContext& ctx) override { stage_.onEnd(ctx); }
  void onRemove(ToxicContext& ctx) override { stage_.onRemove(ctx); }
  std::size_t bufferedBytes() const override { return stage_.bufferedBytes(); }
  DrainedStage drain() override { return stage_.drain(); }

 private:
  std::shared_ptr<HttpExchangeLayer> layer_;
  Toxic& stage_;
};

}  // namespace faultline

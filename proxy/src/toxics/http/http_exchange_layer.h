#pragma once

#include <functional>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "toxics/http/http_framer.h"
#include "toxics/http/http_gate.h"
#include "toxics/http/http_layer_stats.h"
#include "toxics/http/http_plan.h"
#include "toxics/http/http_toxic.h"
#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// The HTTP layer of one session, shared by its two links: the request stage heads the
// upstream chain and frames requests, the response stage heads the downstream chain, frames
// responses, pairs each with its request (FIFO, so pipelining works) and puts synthetic answers
// in their request's place. http_* toxics decide per request what happens (HttpPlan). Bytes of
// a request that nothing matches go on as they came, in the same chunks. A stream that is not
// HTTP/1.x passes through untouched from the first byte that does not frame.
// Pure (no libuv): time, timers, randomness and output come from each stage's ToxicContext.
class HttpExchangeLayer {
 public:
  struct Options {
    std::string proxy;
    uint64_t connection = 0;
    // X-Faultline-Abort / X-Faultline-Delay on a request apply to it (and are removed).
    bool client_faults = false;
    // Installed on a connection that already carried bytes: start framing at the next chunk.
    bool late_start = false;
    std::shared_ptr<HttpLayerStats> stats;
    // Told of every request a toxic acted on (the session publishes fault_injected events).
    std::function<void(const HttpHead&, const HttpPlan&)> on_fault = nullptr;
  };

  explicit HttpExchangeLayer(Options options);
  HttpExchangeLayer(const HttpExchangeLayer&) = delete;
  HttpExchangeLayer& operator=(const HttpExchangeLayer&) = delete;
  ~HttpExchangeLayer();

  // The http_* toxics now on the proxy (any stream). Unchanged specs keep their runtime (and
  // their toxicity roll); new ones roll toxicity once, here. Held messages whose delay toxic is
  // gone are let go, in order.
  void setToxics(const std::vector<ToxicSpecPtr>& specs, Random& random);
  // The toxicity roll of each toxic from its own generator (the session derives one per toxic
  // from the seed, so a replay makes the same decisions).
  using RollSource = std::function<Random&(const ToxicSpec&)>;
  void setToxics(const std::vector<ToxicSpecPtr>& specs, const RollSource& roll_for);
  void setClientFaults(bool on) { options_.client_faults = on; }

  Toxic& requestStage();
  Toxic& responseStage();

  bool passThrough() const { return raw_; }
  std::size_t pendingExchanges() const { return exchanges_.size(); }

 private:
  class RequestStage;
  class ResponseStage;
  struct Exchange {
    std::string method;
    bool synthetic = false;
    std::string answer;           // synthetic: the whole response
    bool close_after = false;     // synthetic: Connection: close, then FIN
    bool hang = false;            // the exchange was cut with mode hang at the request
    HttpPlan plan;
  };
  enum class BodyMode { kForward, kSwallow, kBudget };

  // Requests.
  void onRequestChunk(Chunk chunk, ToxicContext& ctx);
  void onRequestEnd(ToxicContext& ctx);
  void onRequestHead(ToxicContext& ctx);
  void routeRequest(Chunk part, ToxicContext& ctx);
  HttpPlan planFor(const HttpHead& head, ToxicContext& ctx);
  void applyClientFaults(const HttpHead& head, HttpPlan& plan);

  // Responses.
  void onResponseChunk(Chunk chunk, ToxicContext& ctx);
  void onResponseEnd(ToxicContext& ctx);
  void onResponseHead(ToxicContext& ctx);
  void onResponseComplete(ToxicContext& ctx);
  void routeResponse(Chunk part, ToxicContext& ctx);
  void emitSynthetic();

  // Both.
  DrainedStage drainSide(HttpGate& gate, std::deque<Chunk>& head, ToxicContext* ctx);
  void fallBackToRaw(const std::string& why);
  void logFault(const HttpHead& head, const HttpPlan& plan) const;

  Options options_;
  std::unique_ptr<RequestStage> request_stage_;
  std::unique_ptr<ResponseStage> response_stage_;
  ToxicContext* up_ = nullptr;
  ToxicContext* down_ = nullptr;
  struct Installed {
    ToxicSpecPtr spec;
    std::unique_ptr<HttpToxic> toxic;  // nullptr: toxicity spared this connection
  };
  std::vector<Installed> toxics_;

  HttpFramer request_framer_{HttpFramer::Mode::kRequest};
  HttpFramer response_framer_{HttpFramer::Mode::kResponse};
  HttpGate request_gate_;
  HttpGate response_gate_;
  std::deque<Chunk> request_head_;   // bytes of the request head being framed
  std::deque<Chunk> response_head_;  // bytes of the response head being framed
  std::deque<Exchange> exchanges_;   // requests awaiting their answer, oldest first
  BodyMode request_body_ = BodyMode::kForward;
  bool request_in_body_ = false;
  bool request_raw_ = false;  // after an Upgrade/CONNECT request or a framing error
  bool request_ended_ = false;
  BodyMode response_body_ = BodyMode::kForward;
  int64_t response_budget_ = 0;
  HttpPlan::Cut response_cut_;
  bool response_in_body_ = false;
  bool response_interim_ = false;
  bool response_raw_ = false;
  bool response_ended_ = false;
  bool raw_ = false;  // the whole connection passes through
  bool hung_ = false;
  uint64_t requests_seen_ = 0;
};

}  // namespace faultline

#include "toxics/http/http_exchange_layer.h"

#include <spdlog/spdlog.h>

#include <set>

#include "toxics/http/http_abort_toxic.h"

namespace faultline {

namespace {
constexpr const char* kAbortHeader = "X-Faultline-Abort";
constexpr const char* kDelayHeader = "X-Faultline-Delay";

std::optional<int64_t> headerNumber(const HttpHead& head, const char* name, int64_t lo, int64_t hi) {
  auto value = head.header(name);
  if (!value || value->empty() || value->size() > 9) return std::nullopt;
  int64_t n = 0;
  for (char c : *value) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n < lo || n > hi) return std::nullopt;
  return n;
}

Chunk joined(std::deque<Chunk>& parts) {
  if (parts.size() == 1) {
    Chunk only = std::move(parts.front());
    parts.clear();
    return only;
  }
  std::string bytes;
  TimePoint at = parts.empty() ? TimePoint{} : parts.front().arrivedAt();
  for (const auto& p : parts) bytes.append(p.data(), p.size());
  parts.clear();
  return Chunk::copyOf(bytes.data(), bytes.size(), at);
}

// What one side holds: the gate's messages plus the head being framed.
std::size_t heldBytes(const HttpGate& gate, const std::deque<Chunk>& head) {
  std::size_t n = gate.bufferedBytes();
  for (const auto& c : head) n += c.size();
  return n;
}
}  // namespace

class HttpExchangeLayer::RequestStage final : public Toxic {
 public:
  explicit RequestStage(HttpExchangeLayer& layer) : layer_(layer) {}
  void onAttach(ToxicContext& ctx) override { layer_.up_ = &ctx; }
  void onChunk(Chunk chunk, ToxicContext& ctx) override {
    layer_.up_ = &ctx;
    layer_.onRequestChunk(std::move(chunk), ctx);
  }
  void onEnd(ToxicContext& ctx) override {
    layer_.up_ = &ctx;
    layer_.onRequestEnd(ctx);
  }
  std::size_t bufferedBytes() const override { return heldBytes(layer_.request_gate_, layer_.request_head_); }
  DrainedStage drain() override { return layer_.drainSide(layer_.request_gate_, layer_.request_head_, layer_.up_); }

 private:
  HttpExchangeLayer& layer_;
};

class HttpExchangeLayer::ResponseStage final : public Toxic {
 public:
  explicit ResponseStage(HttpExchangeLayer& layer) : layer_(layer) {}
  void onAttach(ToxicContext& ctx) override {
    layer_.down_ = &ctx;
    layer_.emitSynthetic();
  }
  void onChunk(Chunk chunk, ToxicContext& ctx) override {
    layer_.down_ = &ctx;
    layer_.onResponseChunk(std::move(chunk), ctx);
  }
  void onEnd(ToxicContext& ctx) override {
    layer_.down_ = &ctx;
    layer_.onResponseEnd(ctx);
  }
  std::size_t bufferedBytes() const override { return heldBytes(layer_.response_gate_, layer_.response_head_); }
  DrainedStage drain() override { return layer_.drainSide(layer_.response_gate_, layer_.response_head_, layer_.down_); }

 private:
  HttpExchangeLayer& layer_;
};

HttpExchangeLayer::HttpExchangeLayer(Options options)
    : options_(std::move(options)),
      request_stage_(std::make_unique<RequestStage>(*this)),
      response_stage_(std::make_unique<ResponseStage>(*this)) {
  if (!options_.stats) options_.stats = std::make_shared<HttpLayerStats>();
}

HttpExchangeLayer::~HttpExchangeLayer() = default;

Toxic& HttpExchangeLayer::requestStage() { return *request_stage_; }
Toxic& HttpExchangeLayer::responseStage() { return *response_stage_; }

void HttpExchangeLayer::setToxics(const std::vector<ToxicSpecPtr>& specs, Random& random) {
  setToxics(specs, [&random](const ToxicSpec&) -> Random& { return random; });
}

void HttpExchangeLayer::setToxics(const std::vector<ToxicSpecPtr>& specs, const RollSource& roll_for) {
  std::vector<Installed> next;
  std::set<std::string> kept;
  for (const auto& spec : specs) {
    auto same = std::find_if(toxics_.begin(), toxics_.end(), [&](const Installed& i) {
      return i.spec && (i.spec == spec || *i.spec == *spec);
    });
    if (same != toxics_.end()) {
      next.push_back(std::move(*same));
      toxics_.erase(same);
      kept.insert(spec->name);
      continue;
    }
    Installed fresh{spec, nullptr};
    if (spec->probability.roll(roll_for(*spec))) fresh.toxic = createHttpToxic(*spec);
    next.push_back(std::move(fresh));
  }
  toxics_ = std::move(next);
  // A delay whose toxic was removed or changed lets its message go now.
  if (up_ != nullptr) request_gate_.releaseExcept(kept, *up_);
  if (down_ != nullptr) response_gate_.releaseExcept(kept, *down_);
}

// One side's stage is removed: its held messages and the head being framed go back, oldest first,
// and the layer stops framing (what follows is passed on as it is).
DrainedStage HttpExchangeLayer::drainSide(HttpGate& gate, std::deque<Chunk>& head, ToxicContext* ctx) {
  DrainedStage out;
  if (ctx != nullptr) out = gate.drain(*ctx);
  for (auto& c : head) out.chunks.push_back(std::move(c));
  head.clear();
  fallBackToRaw("layer removed");
  return out;
}

void HttpExchangeLayer::fallBackToRaw(const std::string& why) {
  if (raw_) return;
  raw_ = true;
  request_raw_ = true;
  response_raw_ = true;
  if (requests_seen_ == 0) ++options_.stats->non_http_streams;
  spdlog::info("http layer off: not HTTP/1.x proxy={} conn={} reason=\"{}\"", options_.proxy, options_.connection, why);
  if (up_ != nullptr && !request_head_.empty()) {
    while (!request_head_.empty()) {
      request_gate_.push(std::move(request_head_.front()), up_->now(), "", *up_);
      request_head_.pop_front();
    }
  }
  if (down_ != nullptr && !response_head_.empty()) {
    while (!response_head_.empty()) {
      response_gate_.push(std::move(response_head_.front()), down_->now(), "", *down_);
      response_head_.pop_front();
    }
  }
  request_body_ = BodyMode::kForward;
  response_body_ = BodyMode::kForward;
}

// ---- Requests ----

void HttpExchangeLayer::onRequestChunk(Chunk chunk, ToxicContext& ctx) {
  if (hung_ || request_gate_.hung()) return;
  if (request_raw_) {
    request_gate_.push(std::move(chunk), ctx.now(), "", ctx);
    return;
  }
  std::size_t off = 0;
  bool after_head = false;  // a bodiless message ends right at its head: one more step finds it
  while ((off < chunk.size() || after_head) && !request_raw_ && !hung_) {
    after_head = false;
    const std::size_t begin = off;
    auto step = request_framer_.step(chunk.data() + off, chunk.size() - off);
    Chunk part = chunk.slice(off, step.consumed);
    off += step.consumed;
    switch (step.event) {
      case HttpFramer::Event::kNeedMore:
        routeRequest(std::move(part), ctx);
        break;
      case HttpFramer::Event::kHead:
        request_head_.push_back(std::move(part));
        onRequestHead(ctx);
        after_head = true;
        break;
      case HttpFramer::Event::kMessageEnd:
        routeRequest(std::move(part), ctx);
        request_in_body_ = false;
        request_body_ = BodyMode::kForward;
        break;
      case HttpFramer::Event::kUpgrade:
        // After an Upgrade or CONNECT request the client may speak another protocol: pass it on.
        routeRequest(std::move(part), ctx);
        request_raw_ = true;
        request_gate_.push(chunk.slice(off, chunk.size() - off), ctx.now(), "", ctx);
        return;
      case HttpFramer::Event::kError:
        request_head_.push_back(chunk.slice(begin, chunk.size() - begin));
        fallBackToRaw(request_framer_.error());
        return;
    }
  }
  if (request_raw_ && off < chunk.size()) request_gate_.push(chunk.slice(off, chunk.size() - off), ctx.now(), "", ctx);
}

void HttpExchangeLayer::routeRequest(Chunk part, ToxicContext& ctx) {
  if (part.empty()) return;
  if (!request_in_body_) {
    request_head_.push_back(std::move(part));
    return;
  }
  if (request_body_ == BodyMode::kForward) request_gate_.push(std::move(part), ctx.now(), "", ctx);
}

void HttpExchangeLayer::onRequestEnd(ToxicContext& ctx) {
  request_ended_ = true;
  // An unfinished head is not ours to judge: the upstream gets it as it came.
  while (!request_head_.empty()) {
    request_gate_.push(std::move(request_head_.front()), ctx.now(), "", ctx);
    request_head_.pop_front();
  }
  if (!hung_) request_gate_.end(ctx);
}

HttpPlan HttpExchangeLayer::planFor(const HttpHead& head, ToxicContext& ctx) {
  HttpPlan plan;
  for (const auto& installed : toxics_) {
    if (installed.toxic) installed.toxic->consider(head, plan, ctx);
  }
  if (options_.client_faults) applyClientFaults(head, plan);
  for (const auto& name : plan.applied) ++options_.stats->faults[name];
  return plan;
}

void HttpExchangeLayer::applyClientFaults(const HttpHead& head, HttpPlan& plan) {
  if (auto ms = headerNumber(head, kDelayHeader, 0, 86'400'000)) {
    plan.request_delay += Millis(*ms);
    plan.request_delay_toxic = kDelayHeader;
    plan.applied.push_back(kDelayHeader);
  }
  if (auto status = headerNumber(head, kAbortHeader, 100, 599); status && !plan.settled()) {
    int code = static_cast<int>(*status);
    plan.answer = HttpPlan::Answer{code, HttpAbortToxic::defaultBody(code, kAbortHeader), 0, kAbortHeader};
    plan.applied.push_back(kAbortHeader);
  }
}

void HttpExchangeLayer::onRequestHead(ToxicContext& ctx) {
  const HttpHead& head = request_framer_.head();
  ++requests_seen_;
  ++options_.stats->requests;
  request_in_body_ = true;
  Exchange exchange;
  exchange.method = head.method;
  exchange.plan = planFor(head, ctx);
  HttpPlan& plan = exchange.plan;
  if (!plan.applied.empty()) {
    logFault(head, plan);
    if (options_.on_fault) options_.on_fault(head, plan);
  }

  if (options_.client_faults && (head.header(kAbortHeader) || head.header(kDelayHeader))) {
    Chunk raw = joined(request_head_);
    std::string stripped = withoutHeaders(std::string_view(raw.data(), raw.size()), {kAbortHeader, kDelayHeader});
    request_head_.push_back(Chunk::copyOf(stripped.data(), stripped.size(), raw.arrivedAt()));
  }

  if (plan.answer) {
    request_head_.clear();
    request_body_ = BodyMode::kSwallow;
    exchange.synthetic = true;
    // A client waiting for 100 Continue may never send the body we would have to skip: answer
    // and close rather than misread its next bytes as a request.
    exchange.close_after = head.expectsContinue();
    exchange.answer = syntheticResponse(plan.answer->status, plan.answer->body, plan.answer->toxic,
                                        plan.answer->retry_after_s, exchange.close_after);
    exchanges_.push_back(std::move(exchange));
    emitSynthetic();
    return;
  }
  if (plan.cut && plan.cut->when == HttpCutPoint::kRequest) {
    request_head_.clear();
    request_body_ = BodyMode::kSwallow;
    if (plan.cut->mode == CutMode::kHang) {
      exchange.hang = true;
      exchanges_.push_back(std::move(exchange));
      request_gate_.pushCut(CutMode::kHang, ctx);
      emitSynthetic();
      return;
    }
    request_gate_.pushCut(plan.cut->mode, ctx);
    return;
  }
  const TimePoint release_at = ctx.now() + plan.request_delay;
  request_body_ = BodyMode::kForward;
  exchanges_.push_back(std::move(exchange));
  while (!request_head_.empty()) {
    request_gate_.push(std::move(request_head_.front()), release_at, exchanges_.back().plan.request_delay_toxic, ctx);
    request_head_.pop_front();
  }
}

void HttpExchangeLayer::logFault(const HttpHead& head, const HttpPlan& plan) const {
  std::string toxics;
  for (const auto& name : plan.applied) toxics += (toxics.empty() ? "" : ",") + name;
  const char* effect = plan.answer ? "answer" : plan.cut ? "cut" : plan.rewrite ? "status" : "delay";
  spdlog::info("http fault proxy={} conn={} toxic={} effect={} method={} path={}", options_.proxy,
               options_.connection, toxics, effect, head.method, head.path());
}

}  // namespace faultline

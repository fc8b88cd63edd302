// The response half of HttpExchangeLayer: framing the upstream's answers, pairing each with the
// oldest unanswered request, and carrying out the response side of its plan.
#include <spdlog/spdlog.h>

#include "toxics/http/http_exchange_layer.h"

namespace faultline {

// Synthetic answers at the front of the queue go out as soon as no upstream answer is half
// written: they take their request's place in the response order.
void HttpExchangeLayer::emitSynthetic() {
  if (down_ == nullptr || response_raw_ || response_framer_.inMessage()) return;
  while (!exchanges_.empty() && !hung_) {
    Exchange& front = exchanges_.front();
    if (front.hang) {
      hung_ = true;
      response_gate_.pushCut(CutMode::kHang, *down_);
      return;
    }
    if (!front.synthetic) return;
    Chunk answer = Chunk::copyOf(front.answer.data(), front.answer.size(), down_->now());
    const bool close_after = front.close_after;
    exchanges_.pop_front();
    response_gate_.push(std::move(answer), down_->now(), "", *down_);
    if (close_after) {
      response_gate_.pushCut(CutMode::kClose, *down_);
      return;
    }
  }
}

void HttpExchangeLayer::onResponseChunk(Chunk chunk, ToxicContext& ctx) {
  if (hung_ || response_gate_.hung()) return;
  if (response_raw_) {
    response_gate_.push(std::move(chunk), ctx.now(), "", ctx);
    return;
  }
  std::size_t off = 0;
  bool after_head = false;  // a bodiless answer ends right at its head: one more step finds it
  while (off < chunk.size() || after_head) {
    after_head = false;
    if (!response_framer_.inMessage()) {
      emitSynthetic();
      if (hung_) return;
      if (exchanges_.empty()) {
        // A server that speaks first is not HTTP. Otherwise (a layer added to a live
        // connection, or an answer to a request sent before it), these bytes are not ours.
        if (requests_seen_ == 0 && !options_.late_start) {
          response_head_.push_back(chunk.slice(off, chunk.size() - off));
          fallBackToRaw("the server spoke first");
          return;
        }
        response_gate_.push(chunk.slice(off, chunk.size() - off), ctx.now(), "", ctx);
        return;
      }
    }
    const std::size_t begin = off;
    auto step = response_framer_.step(chunk.data() + off, chunk.size() - off);
    Chunk part = chunk.slice(off, step.consumed);
    off += step.consumed;
    switch (step.event) {
      case HttpFramer::Event::kNeedMore:
        routeResponse(std::move(part), ctx);
        break;
      case HttpFramer::Event::kHead:
        response_head_.push_back(std::move(part));
        onResponseHead(ctx);
        after_head = true;
        break;
      case HttpFramer::Event::kMessageEnd:
        routeResponse(std::move(part), ctx);
        onResponseComplete(ctx);
        break;
      case HttpFramer::Event::kUpgrade:
        routeResponse(std::move(part), ctx);
        response_raw_ = true;
        response_gate_.push(chunk.slice(off, chunk.size() - off), ctx.now(), "", ctx);
        return;
      case HttpFramer::Event::kError:
        response_head_.push_back(chunk.slice(begin, chunk.size() - begin));
        fallBackToRaw(response_framer_.error());
        return;
    }
    if (hung_ || response_gate_.hung()) return;
  }
}

void HttpExchangeLayer::routeResponse(Chunk part, ToxicContext& ctx) {
  if (part.empty()) return;
  if (!response_in_body_) {
    response_head_.push_back(std::move(part));
    return;
  }
  const TimePoint release_at = ctx.now();
  switch (response_body_) {
    case BodyMode::kForward:
      response_gate_.push(std::move(part), release_at, "", ctx);
      break;
    case BodyMode::kSwallow:
      break;
    case BodyMode::kBudget: {
      const auto take = static_cast<std::size_t>(std::min<int64_t>(response_budget_, static_cast<int64_t>(part.size())));
      response_budget_ -= static_cast<int64_t>(take);
      response_gate_.push(part.takeFront(take), release_at, "", ctx);
      if (response_budget_ == 0) {
        response_body_ = BodyMode::kSwallow;
        response_gate_.pushCut(response_cut_.mode, ctx);
        if (response_cut_.mode == CutMode::kHang) hung_ = true;
      }
      break;
    }
  }
}

void HttpExchangeLayer::onResponseHead(ToxicContext& ctx) {
  const HttpHead& head = response_framer_.head();
  response_in_body_ = true;
  response_body_ = BodyMode::kForward;
  if (exchanges_.empty()) {
    // Nothing asked for this answer (it answers a request from before the layer): pass it.
    while (!response_head_.empty()) {
      response_gate_.push(std::move(response_head_.front()), ctx.now(), "", ctx);
      response_head_.pop_front();
    }
    return;
  }
  Exchange& exchange = exchanges_.front();
  // 1xx are interim: the final answer follows; 101 switches protocols (framed as an upgrade).
  response_interim_ = head.status >= 100 && head.status < 200 && head.status != 101;
  if (exchange.method == "HEAD") response_framer_.skipBody();
  if (exchange.method == "CONNECT" && head.status >= 200 && head.status < 300) response_framer_.upgradeAfterHead();
  if (head.status < 200) {
    while (!response_head_.empty()) {
      response_gate_.push(std::move(response_head_.front()), ctx.now(), "", ctx);
      response_head_.pop_front();
    }
    return;
  }
  const HttpPlan& plan = exchange.plan;
  const TimePoint release_at = ctx.now() + plan.response_delay;
  const std::string& delay_toxic = plan.response_delay_toxic;
  if (plan.rewrite) {
    const int status = plan.rewrite->status != 0 ? plan.rewrite->status : head.status;
    std::string bytes = rewrittenResponseHead(head, status, plan.rewrite->body, plan.rewrite->toxic);
    if (plan.rewrite->body && exchange.method != "HEAD") bytes += *plan.rewrite->body;
    if (plan.rewrite->body) response_body_ = BodyMode::kSwallow;
    response_head_.clear();
    response_gate_.push(Chunk::copyOf(bytes.data(), bytes.size(), ctx.now()), release_at, delay_toxic, ctx);
  } else {
    while (!response_head_.empty()) {
      response_gate_.push(std::move(response_head_.front()), release_at, delay_toxic, ctx);
      response_head_.pop_front();
    }
  }
  if (plan.cut && plan.cut->when == HttpCutPoint::kHeaders) {
    response_body_ = BodyMode::kSwallow;
    response_gate_.pushCut(plan.cut->mode, ctx);
    if (plan.cut->mode == CutMode::kHang) hung_ = true;
  } else if (plan.cut && plan.cut->when == HttpCutPoint::kBody) {
    response_cut_ = *plan.cut;
    response_budget_ = plan.cut->body_bytes;
    response_body_ = BodyMode::kBudget;
    if (response_budget_ == 0) {
      response_body_ = BodyMode::kSwallow;
      response_gate_.pushCut(plan.cut->mode, ctx);
      if (plan.cut->mode == CutMode::kHang) hung_ = true;
    }
  }
}

void HttpExchangeLayer::onResponseComplete(ToxicContext& ctx) {
  (void)ctx;
  response_in_body_ = false;
  response_body_ = BodyMode::kForward;
  if (response_interim_) {
    response_interim_ = false;
    return;
  }
  if (!exchanges_.empty()) exchanges_.pop_front();
  emitSynthetic();
}

void HttpExchangeLayer::onResponseEnd(ToxicContext& ctx) {
  response_ended_ = true;
  if (!response_raw_ && response_framer_.inMessage()) {
    auto step = response_framer_.finish();
    if (step.event == HttpFramer::Event::kMessageEnd) onResponseComplete(ctx);
  }
  while (!response_head_.empty()) {
    response_gate_.push(std::move(response_head_.front()), ctx.now(), "", ctx);
    response_head_.pop_front();
  }
  if (!hung_) response_gate_.end(ctx);
}

}  // namespace faultline

#include "toxics/toxic_chain.h"

#include <algorithm>

#include <utility>

#include "toxics/toxic_registry.h"

namespace faultline {

struct ToxicChain::Stage {
  ToxicSpecPtr spec;
  std::unique_ptr<Toxic> toxic;
  std::unique_ptr<StageContext> ctx;
  std::size_t index = 0;
  bool applied = false;
  bool pinned = false;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  // The chain's timer id -> the scheduler's, for the timers this stage has pending, so a
  // removed stage's timers can be cancelled without scanning every timer of the link.
  std::unordered_map<TimerId, TimerId> timers;
};

// forward() from stage i means "to stage i + 1 of the chain as it is now, or to the sink".
class ToxicChain::StageContext final : public ToxicContext {
 public:
  StageContext(ToxicChain& chain, Stage& stage) : chain_(chain), stage_(stage) {}

  void forward(Chunk chunk) override {
    if (removed_) return;
    stage_.bytes_out += chunk.size();
    chain_.deliver(stage_.index + 1, std::move(chunk));
    if (chain_.depth_ == 0) chain_.settle();
  }
  void forwardEnd() override {
    if (removed_) return;
    chain_.deliverEnd(stage_.index + 1);
    if (chain_.depth_ == 0) chain_.settle();
  }
  void closeLink(CloseMode mode) override {
    if (chain_.stopped_) return;
    chain_.sink_.closeSession(mode, stage_.spec->name);
  }
  TimerId after(Duration delay, std::function<void()> fn) override {
    if (removed_) return 0;
    return chain_.schedule(stage_, delay, std::move(fn));
  }
  void cancel(TimerId id) override { chain_.cancelTimer(stage_, id); }
  TimePoint now() const override { return chain_.sink_.scheduler().now(); }
  Random& random() override { return chain_.sink_.random(*stage_.spec); }
  TimePoint connectionOpenedAt() const override { return std::min(chain_.sink_.connectionOpenedAt(), now()); }
  ToxicCounters* counters() override {
    if (counters_ == nullptr) counters_ = chain_.sink_.counters(*stage_.spec);
    return counters_;
  }

  // A drained stage may still be on the stack (it called something that changed the chain);
  // from then on its forwards go nowhere, because its chunks were handed on by drain().
  void markRemoved() { removed_ = true; }

 private:
  ToxicChain& chain_;
  Stage& stage_;
  ToxicCounters* counters_ = nullptr;  // looked up once, at the first count
  bool removed_ = false;
};

ToxicChain::ToxicChain(ChainSink& sink) : sink_(sink) {}

ToxicChain::~ToxicChain() {
  for (auto& stage : stages_) cancelStageTimers(*stage);
}

std::unique_ptr<ToxicChain::Stage> ToxicChain::makeStage(const ToxicSpecPtr& spec) {
  auto stage = std::make_unique<Stage>();
  stage->spec = spec;
  BuiltStage built = buildToxicStage(*spec, sink_.rollRandom(*spec));
  stage->toxic = std::move(built.toxic);
  stage->applied = built.applied;
  stage->ctx = std::make_unique<StageContext>(*this, *stage);
  sink_.stageBuilt(*spec, stage->applied);
  return stage;
}

void ToxicChain::renumber() {
  for (std::size_t i = 0; i < stages_.size(); ++i) stages_[i]->index = i;
}

void ToxicChain::start(const std::vector<ToxicSpecPtr>& toxics) {
  const std::size_t first = stages_.size();
  for (const auto& spec : toxics) stages_.push_back(makeStage(spec));
  renumber();
  ++depth_;
  for (std::size_t i = first; i < stages_.size() && !stopped_; ++i) stages_[i]->toxic->onAttach(*stages_[i]->ctx);
  --depth_;
  settle();
}

void ToxicChain::addHeadStage(ToxicSpecPtr spec, std::unique_ptr<Toxic> toxic) {
  auto stage = std::make_unique<Stage>();
  stage->spec = std::move(spec);
  stage->toxic = std::move(toxic);
  stage->applied = true;
  stage->pinned = true;
  stage->ctx = std::make_unique<StageContext>(*this, *stage);
  Stage* raw = stage.get();
  std::size_t at = 0;
  while (at < stages_.size() && stages_[at]->pinned) ++at;
  stages_.insert(stages_.begin() + static_cast<std::ptrdiff_t>(at), std::move(stage));
  renumber();
  ++depth_;
  raw->toxic->onAttach(*raw->ctx);
  --depth_;
  settle();
}

void ToxicChain::setToxics(const std::vector<ToxicSpecPtr>& toxics) {
  if (stopped_) return;
  const std::size_t old_count = stages_.size();
  std::vector<Stage*> old_ptr(old_count);
  for (std::size_t i = 0; i < old_count; ++i) old_ptr[i] = stages_[i].get();
  std::vector<bool> kept(old_count, false);
  std::vector<Stage*> replaced_by(old_count, nullptr);
  std::vector<std::unique_ptr<Stage>> next;
  std::vector<Stage*> fresh;
  for (std::size_t i = 0; i < old_count; ++i) {
    if (!old_ptr[i]->pinned) continue;
    kept[i] = true;
    next.push_back(std::move(stages_[i]));
  }
  for (const auto& spec : toxics) {
    std::size_t found = old_count;
    for (std::size_t i = 0; i < old_count; ++i) {
      if (!old_ptr[i]->pinned && old_ptr[i]->spec->name == spec->name) {
        found = i;
        break;
      }
    }
    if (found < old_count && !kept[found] && old_ptr[found]->spec == spec) {
      kept[found] = true;
      next.push_back(std::move(stages_[found]));
      continue;
    }
    next.push_back(makeStage(spec));
    fresh.push_back(next.back().get());
    if (found < old_count) replaced_by[found] = next.back().get();
  }

  // A removed stage's chunks are older than everything before it and newer than everything after
  // it, so they go to the first kept stage that stood after it (or to the sink); stages are
  // drained from the back so older bytes are handed on first. A replaced stage (an update) hands
  // its chunks to its replacement with their arrival time, so time already waited counts.
  struct Handover {
    Stage* target;  // nullptr = the sink
    bool keep_arrival;
    DrainedStage drained;
  };
  std::vector<Handover> handovers;
  std::vector<std::pair<Stage*, bool>> retiring;  // stage, removed (not replaced)
  for (std::size_t i = old_count; i-- > 0;) {
    if (kept[i]) continue;
    Stage* old = old_ptr[i];
    Handover handover{nullptr, false, old->toxic->drain()};
    cancelStageTimers(*old);
    old->ctx->markRemoved();
    for (const auto& chunk : handover.drained.chunks) old->bytes_out += chunk.size();
    if (replaced_by[i] != nullptr) {
      handover.target = replaced_by[i];
      handover.keep_arrival = true;
    } else {
      for (std::size_t j = i + 1; j < old_count; ++j) {
        if (kept[j]) {
          handover.target = old_ptr[j];
          break;
        }
      }
    }
    handovers.push_back(std::move(handover));
    retiring.emplace_back(old, replaced_by[i] == nullptr);
    retire(std::move(stages_[i]));
  }
  stages_ = std::move(next);
  renumber();

  ++depth_;
  for (Stage* stage : fresh) {
    if (!stopped_) stage->toxic->onAttach(*stage->ctx);
  }
  const TimePoint now = sink_.scheduler().now();
  for (auto& handover : handovers) {
    for (auto& chunk : handover.drained.chunks) {
      if (stopped_) break;
      if (handover.target == nullptr) {
        sink_.writeChunk(std::move(chunk));
        continue;
      }
      if (!handover.keep_arrival) chunk.setArrivedAt(now);
      handover.target->bytes_in += chunk.size();
      handover.target->toxic->onChunk(std::move(chunk), *handover.target->ctx);
    }
    if (handover.drained.ended && !stopped_) {
      if (handover.target == nullptr) sink_.writeEnd();
      else handover.target->toxic->onEnd(*handover.target->ctx);
    }
  }
  // timeout closes the connections it held when it is removed (Toxiproxy's cleanup).
  for (auto& [old, removed] : retiring) {
    if (removed && !stopped_) old->toxic->onRemove(*old->ctx);
  }
  --depth_;
  settle();
}

void ToxicChain::push(Chunk chunk) {
  deliver(0, std::move(chunk));
  if (depth_ == 0) settle();
}

void ToxicChain::end() {
  deliverEnd(0);
  if (depth_ == 0) settle();
}

void ToxicChain::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& stage : stages_) {
    cancelStageTimers(*stage);
    stage->ctx->markRemoved();
  }
}

void ToxicChain::deliver(std::size_t index, Chunk chunk) {
  if (stopped_ || chunk.empty()) return;
  if (index >= stages_.size()) {
    sink_.writeChunk(std::move(chunk));
    return;
  }
  Stage& stage = *stages_[index];
  stage.bytes_in += chunk.size();
  chunk.setArrivedAt(sink_.scheduler().now());
  ++depth_;
  stage.toxic->onChunk(std::move(chunk), *stage.ctx);
  --depth_;
}

void ToxicChain::deliverEnd(std::size_t index) {
  if (stopped_) return;
  if (index >= stages_.size()) {
    sink_.writeEnd();
    return;
  }
  Stage& stage = *stages_[index];
  ++depth_;
  stage.toxic->onEnd(*stage.ctx);
  --depth_;
}

TimerId ToxicChain::schedule(Stage& stage, Duration delay, std::function<void()> fn) {
  if (stopped_) return 0;
  const TimerId id = next_timer_id_++;
  Stage* target = &stage;
  const TimerId real = sink_.scheduler().after(delay, [this, target, id, fn = std::move(fn)] {
    target->timers.erase(id);
    if (stopped_) return;
    ++depth_;
    fn();
    --depth_;
    if (depth_ == 0) settle();
  });
  stage.timers.emplace(id, real);
  return id;
}

void ToxicChain::cancelTimer(Stage& stage, TimerId id) {
  auto it = stage.timers.find(id);
  if (it == stage.timers.end()) return;
  sink_.scheduler().cancel(it->second);
  stage.timers.erase(it);
}

void ToxicChain::cancelStageTimers(Stage& stage) {
  for (const auto& [id, real] : stage.timers) sink_.scheduler().cancel(real);
  stage.timers.clear();
}

void ToxicChain::retire(std::unique_ptr<Stage> stage) { retired_.push_back(std::move(stage)); }

void ToxicChain::collectRetired() {
  if (depth_ == 0 && !retired_.empty()) retired_.clear();
}

void ToxicChain::settle() {
  if (depth_ != 0) return;
  collectRetired();
  sink_.settled();
}

std::size_t ToxicChain::bufferedBytes() const {
  std::size_t total = 0;
  for (const auto& stage : stages_) total += stage->toxic->bufferedBytes();
  return total;
}

std::size_t ToxicChain::heldChunks() const {
  std::size_t total = 0;
  for (const auto& stage : stages_) total += stage->toxic->heldChunks();
  return total;
}

std::size_t ToxicChain::wantedInFlight() const {
  std::size_t total = 0;
  for (const auto& stage : stages_) {
    const std::size_t want = stage->toxic->wantedInFlight();
    if (want == Toxic::kWantsAll) return Toxic::kWantsAll;
    total += want;
  }
  return total;
}

ToxicChain::StageInfo ToxicChain::stageInfo(std::size_t index) const {
  const Stage& stage = *stages_.at(index);
  return StageInfo{stage.spec->name, stage.spec->type, stage.applied,  stage.pinned,
                   stage.bytes_in,   stage.bytes_out,  stage.toxic->bufferedBytes()};
}

}  // namespace faultline

#include "proxy/link.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "proxy/session.h"
#include "toxics/toxic_registry.h"

namespace faultline {

namespace {
constexpr std::size_t kWriterHighWatermark = 1u << 20;
}  // namespace

struct Link::Stage {
  ToxicSpecPtr spec;
  std::unique_ptr<Toxic> toxic;
  std::unique_ptr<StageContext> ctx;
  std::size_t index = 0;
  Random random{uint64_t{0}};  // derived per (connection, direction, toxic): Session::stageRandom
};

// forward() from stage i means "to stage i + 1, or to the writer after the last stage".
class Link::StageContext final : public ToxicContext {
 public:
  StageContext(Link& link, Stage& stage) : link_(link), stage_(stage) {}

  void forward(Chunk chunk) override {
    if (!removed_) link_.deliver(stage_.index + 1, std::move(chunk));
  }
  void forwardEnd() override {
    if (!removed_) link_.deliverEnd(stage_.index + 1);
  }
  void closeLink(CloseMode mode) override { link_.session_.closeFromToxic(mode, stage_.spec ? stage_.spec->name : ""); }
  TimerId after(Duration delay, std::function<void()> fn) override {
    if (removed_) return 0;
    return link_.schedule(&stage_, delay, std::move(fn));
  }
  void cancel(TimerId id) override { link_.cancelTimer(id); }
  TimePoint now() const override { return Clock::now(); }
  Random& random() override { return stage_.random; }

  // A drained stage may still be on the stack (it called something that changed the chain);
  // from then on its forwards go nowhere, because its chunks were handed on by drain().
  void markRemoved() { removed_ = true; }

 private:
  Link& link_;
  Stage& stage_;
  bool removed_ = false;
};

struct Link::WriteReq {
  uv_write_t req{};
  Chunk chunk;
  Link* link = nullptr;
};

Link::Link(Session& session, Stream stream) : session_(session), stream_(stream) {}

Link::~Link() = default;

void Link::init(uv_loop_t* loop, uv_stream_t* src, uv_stream_t* dst, std::size_t cap_bytes, BufferBudget* budget) {
  loop_ = loop;
  src_ = src;
  dst_ = dst;
  cap_bytes_ = cap_bytes;
  budget_ = budget;
  uv_timer_init(loop, &timer_);
  timer_.data = this;
}

std::unique_ptr<Link::Stage> Link::makeStage(const ToxicSpecPtr& spec) {
  auto stage = std::make_unique<Stage>();
  stage->spec = spec;
  stage->random = session_.stageRandom(stream_, spec->name);
  stage->toxic = createToxicStage(*spec, stage->random);
  session_.recordDecision(*spec, dynamic_cast<PassThroughToxic*>(stage->toxic.get()) == nullptr);
  stage->ctx = std::make_unique<StageContext>(*this, *stage);
  return stage;
}

void Link::renumber() {
  for (std::size_t i = 0; i < stages_.size(); ++i) stages_[i]->index = i;
}

void Link::start(const std::vector<ToxicSpecPtr>& toxics) {
  started_ = true;
  for (const auto& spec : toxics) stages_.push_back(makeStage(spec));
  renumber();
  for (auto& stage : stages_) stage->toxic->onAttach(*stage->ctx);
  reading_ = true;
  updateFlowControl();
}

void Link::setToxics(const std::vector<ToxicSpecPtr>& toxics) {
  if (!started_ || closing_) return;
  const std::size_t old_count = stages_.size();
  std::vector<Stage*> old_ptr(old_count);
  for (std::size_t i = 0; i < old_count; ++i) old_ptr[i] = stages_[i].get();
  std::vector<bool> kept(old_count, false);
  std::vector<Stage*> replaced_by(old_count, nullptr);
  std::vector<std::unique_ptr<Stage>> next;
  std::vector<Stage*> fresh;
  for (const auto& spec : toxics) {
    std::size_t found = old_count;
    for (std::size_t i = 0; i < old_count; ++i) {
      if (old_ptr[i]->spec->name == spec->name) { found = i; break; }
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
  // it, so they go to the first kept stage that stood after it (or to the writer); stages are
  // drained from the back so older bytes are handed on first. A replaced stage (an update) hands
  // its chunks to its replacement with their arrival time, so time already waited counts.
  struct Handover {
    Stage* target;  // nullptr = the writer
    bool keep_arrival;
    DrainedStage drained;
  };
  std::vector<Handover> handovers;
  std::vector<std::pair<std::unique_ptr<Stage>, bool>> retired;  // stage, removed (not replaced)
  for (std::size_t i = old_count; i-- > 0;) {
    if (kept[i]) continue;
    Stage* old = old_ptr[i];
    Handover handover{nullptr, false, old->toxic->drain()};
    cancelStageTimers(old);
    old->ctx->markRemoved();
    if (replaced_by[i] != nullptr) {
      handover.target = replaced_by[i];
      handover.keep_arrival = true;
    } else {
      for (std::size_t j = i + 1; j < old_count; ++j) {
        if (kept[j]) { handover.target = old_ptr[j]; break; }
      }
    }
    handovers.push_back(std::move(handover));
    retired.emplace_back(std::move(stages_[i]), replaced_by[i] == nullptr);
  }
  stages_ = std::move(next);
  renumber();
  for (Stage* stage : fresh) stage->toxic->onAttach(*stage->ctx);
  for (auto& handover : handovers) {
    for (auto& chunk : handover.drained.chunks) {
      if (handover.target == nullptr) {
        write(std::move(chunk));
        continue;
      }
      if (!handover.keep_arrival) chunk.setArrivedAt(Clock::now());
      handover.target->toxic->onChunk(std::move(chunk), *handover.target->ctx);
    }
    if (handover.drained.ended) {
      if (handover.target == nullptr) writeEnd();
      else handover.target->toxic->onEnd(*handover.target->ctx);
    }
  }
  // timeout closes the connections it held when it is removed (Toxiproxy's cleanup).
  for (auto& [old, removed] : retired) {
    if (removed) old->toxic->onRemove(*old->ctx);
  }
  updateFlowControl();
}

void Link::onRead(Chunk chunk) {
  if (closing_) return;
  session_.countRead(stream_, chunk.size());
  deliver(0, std::move(chunk));
  updateFlowControl();
}

void Link::onEof() {
  if (closing_) return;
  reading_ = false;
  uv_read_stop(src_);
  deliverEnd(0);
  updateFlowControl();
}

void Link::deliver(std::size_t index, Chunk chunk) {
  if (closing_ || chunk.empty()) return;
  if (index >= stages_.size()) {
    write(std::move(chunk));
    return;
  }
  Stage& stage = *stages_[index];
  chunk.setArrivedAt(Clock::now());
  stage.toxic->onChunk(std::move(chunk), *stage.ctx);
}

void Link::deliverEnd(std::size_t index) {
  if (closing_) return;
  if (index >= stages_.size()) {
    writeEnd();
    return;
  }
  Stage& stage = *stages_[index];
  stage.toxic->onEnd(*stage.ctx);
}

void Link::write(Chunk chunk) {
  if (closing_ || end_written_ || chunk.empty()) return;
  auto* req = new WriteReq;
  req->link = this;
  req->req.data = req;
  const std::size_t size = chunk.size();
  req->chunk = std::move(chunk);
  uv_buf_t buf = uv_buf_init(const_cast<char*>(req->chunk.data()), static_cast<unsigned>(size));
  write_queue_bytes_ += size;
  if (int rc = uv_write(&req->req, dst_, &buf, 1, &Link::onWriteDone); rc < 0) {
    write_queue_bytes_ -= size;
    delete req;
    session_.onLinkError(stream_, rc, "write");
    return;
  }
  accountBuffered();
}

void Link::onWriteDone(uv_write_t* req, int status) noexcept {
  auto* write_req = static_cast<WriteReq*>(req->data);
  Link* link = write_req->link;
  const std::size_t size = write_req->chunk.size();
  delete write_req;
  link->write_queue_bytes_ -= size;
  if (status < 0) {
    // Cancelled writes (the session is closing) land here too; only real failures count.
    if (status != UV_ECANCELED && !link->closing_) link->session_.onLinkError(link->stream_, status, "write");
    link->accountBuffered();
    return;
  }
  link->session_.countWritten(link->stream_, size);
  link->updateFlowControl();
}

// FIN travels behind every byte written before it: uv_shutdown waits for queued writes.
void Link::writeEnd() {
  if (closing_ || end_written_) return;
  end_written_ = true;
  shutdown_req_.data = this;
  if (int rc = uv_shutdown(&shutdown_req_, dst_, &Link::onShutdownDone); rc < 0) {
    shutdown_done_ = true;
    session_.onLinkEnded(stream_);
  }
}

void Link::onShutdownDone(uv_shutdown_t* req, int status) noexcept {
  auto* link = static_cast<Link*>(req->data);
  link->shutdown_done_ = true;
  if (status == UV_ECANCELED || link->closing_) return;
  link->session_.onLinkEnded(link->stream_);
}

std::size_t Link::bufferedBytes() const {
  std::size_t total = write_queue_bytes_;
  for (const auto& stage : stages_) total += stage->toxic->bufferedBytes();
  return total;
}

void Link::accountBuffered() {
  if (budget_ == nullptr) return;
  const std::size_t now_bytes = closing_ ? 0 : bufferedBytes();
  if (now_bytes > accounted_bytes_) budget_->add(now_bytes - accounted_bytes_);
  else if (now_bytes < accounted_bytes_) budget_->release(accounted_bytes_ - now_bytes);
  accounted_bytes_ = now_bytes;
}

// Stop reading above the cap, resume below half of it (Envoy's watermarks): the link never holds
// more than its cap plus one read, whatever the sender's speed or the toxics' delays.
void Link::updateFlowControl() {
  accountBuffered();
  if (closing_ || !reading_) return;
  const std::size_t held = bufferedBytes();
  if (!read_paused_) {
    // Two bounds: the whole link (toxics may hold up to the cap to keep a delayed stream at
    // rate), and the writer's own queue, which only grows when the destination is not reading:
    // then reading ahead helps nothing and just moves the backlog out of the kernel into us.
    const bool over_link = held >= cap_bytes_ || write_queue_bytes_ >= kWriterHighWatermark;
    const bool over_global = budget_ != nullptr && budget_->exhausted();
    if (over_link || over_global) {
      read_paused_ = true;
      uv_read_stop(src_);
      session_.countPause();
      if (over_global) budget_->waitForRoom(this, [this] { updateFlowControl(); });
    }
    return;
  }
  const bool link_ok = held < cap_bytes_ / 2 && write_queue_bytes_ < kWriterHighWatermark / 2;
  const bool global_ok = budget_ == nullptr || budget_->belowLowWatermark() || held == 0;
  if (link_ok && global_ok) {
    read_paused_ = false;
    if (budget_ != nullptr) budget_->cancelWait(this);
    session_.resumeReading(src_);
  } else if (link_ok && budget_ != nullptr) {
    budget_->waitForRoom(this, [this] { updateFlowControl(); });
  }
}

TimerId Link::schedule(Stage* stage, Duration delay, std::function<void()> fn) {
  if (closing_) return 0;
  if (delay < Duration::zero()) delay = Duration::zero();
  const TimerId id = next_timer_id_++;
  const TimePoint deadline = Clock::now() + delay;
  timers_.emplace(std::make_pair(deadline, id), TimerEntry{stage, std::move(fn)});
  timer_deadlines_.emplace(id, deadline);
  armTimer();
  return id;
}

void Link::cancelTimer(TimerId id) {
  auto it = timer_deadlines_.find(id);
  if (it == timer_deadlines_.end()) return;
  timers_.erase({it->second, id});
  timer_deadlines_.erase(it);
}

void Link::cancelStageTimers(const Stage* stage) {
  for (auto it = timers_.begin(); it != timers_.end();) {
    if (it->second.stage == stage) {
      timer_deadlines_.erase(it->first.second);
      it = timers_.erase(it);
    } else {
      ++it;
    }
  }
}

// libuv timers have millisecond resolution: round up so a stage is never woken early, and
// refresh the loop's cached time first so time spent in this callback is not lost.
void Link::armTimer() {
  if (closing_ || timers_.empty()) return;
  const TimePoint earliest = timers_.begin()->first.first;
  if (timer_armed_ && timer_armed_for_ <= earliest) return;
  const auto remaining = earliest - Clock::now();
  uint64_t ms = 0;
  if (remaining > Duration::zero()) {
    ms = static_cast<uint64_t>(std::chrono::ceil<Millis>(remaining).count());
  }
  // epoll_wait may oversleep by 0.1% of its timeout (the kernel's timer slack for poll), 1 ms on
  // a 1 s latency: long waits wake a little early and re-arm for the short remainder.
  if (ms > 10) ms -= ms / 500 + 1;
  uv_update_time(loop_);
  uv_timer_start(&timer_, &Link::onTimerFired, ms, 0);
  timer_armed_ = true;
  timer_armed_for_ = earliest;
}

void Link::onTimerFired(uv_timer_t* timer) noexcept {
  static_cast<Link*>(timer->data)->onTimer();
}

void Link::onTimer() {
  timer_armed_ = false;
  // Run everything due; callbacks may schedule more (possibly already due) or change the chain.
  for (int guard = 0; guard < 100000 && !closing_ && !timers_.empty(); ++guard) {
    auto it = timers_.begin();
    if (it->first.first > Clock::now()) break;
    auto fn = std::move(it->second.fn);
    timer_deadlines_.erase(it->first.second);
    timers_.erase(it);
    fn();
  }
  armTimer();
  updateFlowControl();
}

void Link::close(uv_close_cb on_closed) {
  if (closing_) return;
  closing_ = true;
  reading_ = false;
  if (budget_ != nullptr) budget_->cancelWait(this);
  timers_.clear();
  timer_deadlines_.clear();
  for (auto& stage : stages_) stage->ctx->markRemoved();
  accountBuffered();
  // The close callback belongs to the session, which counts its handles.
  timer_.data = &session_;
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), on_closed);
}

}  // namespace faultline

#include "proxy/link.h"

#include <spdlog/spdlog.h>

#include "net/read_slab.h"

namespace faultline {

namespace {
// The writer's queue only grows when the destination reads slower than the source sends; then
// reading ahead helps nothing and only moves the backlog out of the kernel's socket buffers
// into ours. A link without toxics holds no more than this (plus one read).
constexpr std::size_t kWriterQueueBytes = 128 * 1024;
// A burst is written out once it has this much, without waiting for the chain to settle.
constexpr std::size_t kFlushBytes = 64 * 1024;
// What a chunk held inside a stage costs beyond its bytes: the queue entry, the Chunk and its
// share of the storage's control block.
constexpr std::size_t kHeldChunkOverhead = 96;
}  // namespace

Link::Link(LinkEvents& events, Stream stream) : events_(events), stream_(stream), chain_(*this) {}

Link::~Link() = default;

void Link::init(uv_loop_t* loop, uv_stream_t* src, uv_stream_t* dst, uv_read_cb read_cb, std::size_t cap_bytes,
                BufferBudget* budget) {
  loop_ = loop;
  src_ = src;
  dst_ = dst;
  read_cb_ = read_cb;
  cap_bytes_ = cap_bytes;
  budget_ = budget;
  timers_.init(loop);
  opened_at_ = timers_.now();
  timers_.setAfterFire([](void* self) { static_cast<Link*>(self)->updateFlowControl(); }, this);
}

void Link::start(const std::vector<ToxicSpecPtr>& toxics) {
  started_ = true;
  chain_.start(toxics);
}

void Link::startReading() {
  if (closing_ || reading_ || read_halted_) return;
  reading_ = true;
  updateFlowControl();
  if (closing_ || read_paused_ || read_active_) return;
  if (int rc = uv_read_start(src_, &allocReadSlab, read_cb_); rc < 0) {
    events_.onLinkReadError(stream_, rc);
    return;
  }
  read_active_ = true;
}

void Link::stopReading() {
  if (!read_active_) return;
  read_active_ = false;
  uv_read_stop(src_);
}

void Link::haltReading() {
  read_halted_ = true;
  reading_ = false;
  stopReading();
}

void Link::setToxics(const std::vector<ToxicSpecPtr>& toxics) {
  if (!started_ || closing_) return;
  chain_.setToxics(toxics);
  updateFlowControl();
}

void Link::onReadResult(ssize_t nread) {
  if (nread == 0 || closing_) return;
  if (nread > 0) {
    const auto size = static_cast<std::size_t>(nread);
    events_.onLinkRead(stream_, size);
    std::size_t sent = 0;
    if (passesStraight()) {
      // Nothing between the reader and the socket, nothing queued: send from the read buffer.
      // No chunk, no write request, no copy; only what the socket did not take goes the usual
      // way (behind nothing, so in order).
      const ssize_t rc = trySend(dst_, readSlabData(), size);
      if (rc > 0) {
        sent = static_cast<std::size_t>(rc);
        events_.onLinkWritten(stream_, sent);
        if (closing_) return;
      }
      if (sent == size) return;  // nothing held or queued changed: flow control stands
    }
    Chunk chunk = takeReadChunk(size);
    if (sent > 0) chunk.takeFront(sent);
    chain_.push(std::move(chunk));
    updateFlowControl();
    return;
  }
  if (nread == UV_EOF) {
    onEof();
    return;
  }
  events_.onLinkReadError(stream_, static_cast<int>(nread));
}

// No stage (not even the HTTP layer), nothing pending or in flight, not draining to close (a
// completed write may end the session there, see flushWrites).
bool Link::passesStraight() const {
  return chain_.size() == 0 && !chain_.stopped() && !pending_ && in_flight_cost_ == 0 && !read_halted_ &&
         !end_written_;
}

void Link::onEof() {
  reading_ = false;
  stopReading();
  chain_.end();
  updateFlowControl();
}

void Link::closeSession(CloseMode mode, const std::string& toxic) { events_.onLinkToxicClose(stream_, mode, toxic); }

void Link::writeChunk(Chunk chunk) {
  if (closing_ || end_written_ || chunk.empty()) return;
  if (!pending_) {
    pending_ = std::make_unique<WriteRequest>();
    pending_->owner = this;
  }
  write_queue_bytes_ += chunk.size();
  pending_->add(std::move(chunk));
  if (pending_->bytes() >= kFlushBytes) flushWrites();
}

void Link::flushWrites() {
  if (!pending_ || closing_) return;
  std::unique_ptr<WriteRequest> req = std::move(pending_);
  const std::size_t cost = req->cost();
  // Straight to the socket when nothing is queued before it. Not while the session drains to
  // close (reads halted): there a completed write may finish the session, which must not
  // happen inside the chain's or the timer queue's own call.
  if (in_flight_cost_ == 0 && !read_halted_) {
    const ssize_t sent = req->tryWrite(dst_);
    if (sent > 0) {
      write_queue_bytes_ -= static_cast<std::size_t>(sent);
      events_.onLinkWritten(stream_, static_cast<std::size_t>(sent));
    }
    if (req->empty()) {
      updateFlowControl();
      return;
    }
    // The rest (or, on an error, all of it) goes through uv_write, which reports the error.
  }
  const std::size_t bytes = req->bytes();
  if (int rc = req->submit(dst_, &Link::onWriteDone); rc < 0) {
    write_queue_bytes_ -= bytes;
    events_.onLinkWriteError(stream_, rc, "write");
    return;
  }
  in_flight_cost_ += cost;
  // libuv owns the request until onWriteDone; its cost is remembered with it.
  req->charged = cost;
  req.release();
  accountBuffered();
}

void Link::onWriteDone(uv_write_t* req, int status) noexcept {
  std::unique_ptr<WriteRequest> write_req(WriteRequest::from(req));
  auto* link = static_cast<Link*>(write_req->owner);
  const std::size_t size = write_req->bytes();
  const std::size_t cost = write_req->charged;
  write_req.reset();
  link->write_queue_bytes_ -= size;
  link->in_flight_cost_ -= cost;
  if (status < 0) {
    // Cancelled writes (the session is closing) land here too; only real failures count.
    if (status != UV_ECANCELED && !link->closing_) link->events_.onLinkWriteError(link->stream_, status, "write");
    link->accountBuffered();
    return;
  }
  link->events_.onLinkWritten(link->stream_, size);
  link->updateFlowControl();
}

// FIN travels behind every byte written before it: uv_shutdown waits for queued writes.
void Link::writeEnd() {
  if (closing_ || end_written_) return;
  flushWrites();
  end_written_ = true;
  // Made only now, freed by its callback (which libuv runs, ECANCELED at the latest, before the
  // handle's close callback): most links never half-close, and each would carry 80 bytes.
  auto* req = new uv_shutdown_t{};
  req->data = this;
  if (int rc = uv_shutdown(req, dst_, &Link::onShutdownDone); rc < 0) {
    delete req;
    shutdown_done_ = true;
    events_.onLinkEnded(stream_);
  }
}

void Link::onShutdownDone(uv_shutdown_t* req, int status) noexcept {
  auto* link = static_cast<Link*>(req->data);
  delete req;
  link->shutdown_done_ = true;
  if (status == UV_ECANCELED || link->closing_) return;
  link->events_.onLinkEnded(link->stream_);
}

std::size_t Link::bufferedBytes() const { return write_queue_bytes_ + chain_.bufferedBytes(); }

std::size_t Link::writerCost() const { return in_flight_cost_ + (pending_ ? pending_->cost() : 0); }

std::size_t Link::chargedBytes() const {
  return writerCost() + chain_.bufferedBytes() + chain_.heldChunks() * kHeldChunkOverhead;
}

// A chain that wants nothing in flight (no toxics, or toxics that pass bytes straight on) gets
// the small writer queue; one that wants a window (bandwidth) gets that window; one that wants
// all it can get (latency) gets the cap.
std::size_t Link::holdLimit() const {
  const std::size_t want = chain_.wantedInFlight();
  if (want == 0) return std::min(cap_bytes_, kWriterQueueBytes);
  return std::min(cap_bytes_, want);
}

void Link::accountBuffered() {
  if (budget_ == nullptr) return;
  const std::size_t now_bytes = closing_ ? 0 : chargedBytes();
  if (now_bytes > accounted_bytes_) budget_->add(now_bytes - accounted_bytes_);
  else if (now_bytes < accounted_bytes_) budget_->release(accounted_bytes_ - now_bytes);
  accounted_bytes_ = now_bytes;
}

// Stop reading above the limit, resume below half of it (Envoy's watermarks): the link never
// holds more than what its chain wants (at most its cap) plus one read, whatever the sender's
// speed or the toxics' delays. Everything is counted at its real cost.
void Link::updateFlowControl() {
  accountBuffered();
  if (closing_ || !reading_) return;
  const std::size_t held = chargedBytes();
  const std::size_t limit = holdLimit();
  const std::size_t writer = writerCost();
  if (!read_paused_) {
    // Two bounds: the whole link (a latency toxic may hold up to the cap to keep a delayed
    // stream at rate), and the writer's own queue.
    const bool over_link = held >= limit || writer >= kWriterQueueBytes;
    const bool over_global = budget_ != nullptr && budget_->exhausted();
    if (over_link || over_global) {
      read_paused_ = true;
      stopReading();
      events_.onLinkPaused(stream_);
      if (over_global) budget_->waitForRoom(this, [this] { updateFlowControl(); });
    }
    return;
  }
  const bool link_ok = held < limit / 2 && writer < kWriterQueueBytes / 2;
  const bool global_ok = budget_ == nullptr || budget_->belowLowWatermark() || held == 0;
  if (link_ok && global_ok) {
    read_paused_ = false;
    if (budget_ != nullptr) budget_->cancelWait(this);
    if (read_active_) return;
    if (int rc = uv_read_start(src_, &allocReadSlab, read_cb_); rc < 0) {
      events_.onLinkReadError(stream_, rc);
      return;
    }
    read_active_ = true;
  } else if (link_ok && budget_ != nullptr) {
    budget_->waitForRoom(this, [this] { updateFlowControl(); });
  }
}

void Link::close() {
  if (closing_) return;
  closing_ = true;
  reading_ = false;
  stopReading();
  if (budget_ != nullptr) budget_->cancelWait(this);
  chain_.stop();
  if (pending_) {
    write_queue_bytes_ -= pending_->bytes();
    pending_.reset();
  }
  accountBuffered();
  timers_.close([this] { events_.onLinkClosed(stream_); });
}

}  // namespace faultline

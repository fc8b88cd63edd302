#pragma once

#include <uv.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "net/timer_queue.h"
#include "net/write_request.h"
#include "proxy/buffer_budget.h"
#include "toxics/toxic_chain.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// What a link tells its owner (the session), the way a session reports to its proxy. Every
// callback names the link's stream.
class LinkEvents {
 public:
  virtual ~LinkEvents() = default;
  virtual void onLinkRead(Stream stream, std::size_t bytes) = 0;
  virtual void onLinkWritten(Stream stream, std::size_t bytes) = 0;
  virtual void onLinkPaused(Stream stream) = 0;
  // The source failed (reset or another read error); EOF is not an error, the link handles it.
  virtual void onLinkReadError(Stream stream, int status) = 0;
  // The destination failed: a write or the shutdown could not be queued or did not complete.
  virtual void onLinkWriteError(Stream stream, int status, const char* what) = 0;
  // End of stream was written to the destination (its FIN is out).
  virtual void onLinkEnded(Stream stream) = 0;
  virtual void onLinkToxicClose(Stream stream, CloseMode mode, const std::string& toxic) = 0;
  virtual Random& linkRandom(Stream stream, const ToxicSpec& spec) = 0;
  virtual Random& linkRollRandom(Stream stream, const ToxicSpec& spec) { return linkRandom(stream, spec); }
  virtual void onLinkStageBuilt(Stream stream, const ToxicSpec& spec, bool applied) = 0;
  // Where the toxic of `spec` counts its effects for /metrics (null: not counted).
  virtual ToxicCounters* linkCounters(const ToxicSpec& spec) {
    (void)spec;
    return nullptr;
  }
  // The link's own handle has closed (after close(); from inside close() when it had none): it
  // may be freed from here on.
  virtual void onLinkClosed(Stream stream) = 0;
};

// One direction of one session: the reader of `src`, the toxic chain, the writer to `dst`, and
// flow control around them. It starts and stops reading src itself; the owner's read callback
// hands it every read result. Owns at most one handle (its TimerQueue's timer, made when a
// deadline is first needed). The TCP handles belong to the owner, which keeps them open until
// onLinkClosed.
class Link final : private ChainSink {
 public:
  Link(LinkEvents& events, Stream stream);
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;
  ~Link() override;

  // read_cb is the owner's uv_read_cb for src (it calls onReadResult).
  void init(uv_loop_t* loop, uv_stream_t* src, uv_stream_t* dst, uv_read_cb read_cb, std::size_t cap_bytes,
            BufferBudget* budget);
  // Builds the chain (rolling toxicity per stage). Reading starts with startReading().
  void start(const std::vector<ToxicSpecPtr>& toxics);
  void startReading();
  // Live change (see ToxicChain::setToxics): the only path by which toxics change on a link.
  void setToxics(const std::vector<ToxicSpecPtr>& toxics);
  void onReadResult(ssize_t nread);
  // No more reads, ever (the session is ending and lets what is queued drain); writes go on.
  void haltReading();
  // The session is closing: stop reading, stop the chain, release budget, close the timer.
  // onLinkClosed follows from the timer's close callback, or before close() returns when the
  // link holds no timer handle.
  void close();

  // For a per-session layer that puts its own stage at the head of this link's chain.
  ToxicChain& chain() { return chain_; }
  // The link's deadlines; the session lends it to its dial and its drain (usable from init()
  // to close()).
  TimerQueue& timerQueue() { return timers_; }

  bool ended() const { return shutdown_done_; }
  // Payload bytes held: in the stages and queued for the destination.
  std::size_t bufferedBytes() const;
  std::size_t writeQueueBytes() const { return write_queue_bytes_; }
  // What the held bytes really cost (per-chunk bookkeeping, copies, requests): what the link and
  // global caps are charged, so a stream of tiny pieces cannot escape them.
  std::size_t chargedBytes() const;
  // How much the link lets in before its reader stops: what its stages want in flight plus a
  // small writer queue, never more than the cap.
  std::size_t holdLimit() const;
  bool readPaused() const { return read_paused_; }
  Stream stream() const { return stream_; }

 private:
  // ChainSink.
  void writeChunk(Chunk chunk) override;
  void writeEnd() override;
  void closeSession(CloseMode mode, const std::string& toxic) override;
  Scheduler& scheduler() override { return timers_; }
  Random& random(const ToxicSpec& spec) override { return events_.linkRandom(stream_, spec); }
  Random& rollRandom(const ToxicSpec& spec) override { return events_.linkRollRandom(stream_, spec); }
  void stageBuilt(const ToxicSpec& spec, bool applied) override { events_.onLinkStageBuilt(stream_, spec, applied); }
  void settled() override { flushWrites(); }
  TimePoint connectionOpenedAt() override { return opened_at_; }
  ToxicCounters* counters(const ToxicSpec& spec) override { return events_.linkCounters(spec); }

  void flushWrites();
  bool passesStraight() const;
  std::size_t writerCost() const;

  void onEof();
  void updateFlowControl();
  void accountBuffered();
  void stopReading();

  static void onWriteDone(uv_write_t* req, int status) noexcept;
  static void onShutdownDone(uv_shutdown_t* req, int status) noexcept;

  LinkEvents& events_;
  Stream stream_;
  uv_loop_t* loop_ = nullptr;
  uv_stream_t* src_ = nullptr;
  uv_stream_t* dst_ = nullptr;
  uv_read_cb read_cb_ = nullptr;
  BufferBudget* budget_ = nullptr;
  std::size_t cap_bytes_ = 0;

  TimePoint opened_at_{};  // init(): the session is made at accept
  TimerQueue timers_;  // declared before chain_: the chain cancels its timers as it goes
  ToxicChain chain_;
  // Pieces written in the current burst, sent as one request when the chain settles.
  std::unique_ptr<WriteRequest> pending_;
  std::size_t write_queue_bytes_ = 0;  // payload, pending and in flight
  std::size_t in_flight_cost_ = 0;     // cost() of the requests libuv holds
  std::size_t accounted_bytes_ = 0;  // what this link has added to the global budget
  bool started_ = false;
  bool closing_ = false;
  bool reading_ = false;  // src still has data to give (no EOF, not closing)
  bool read_active_ = false;  // uv_read_start is in effect
  bool read_paused_ = false;
  bool read_halted_ = false;  // haltReading(): never read again
  bool end_written_ = false;
  bool shutdown_done_ = false;
};

}  // namespace faultline

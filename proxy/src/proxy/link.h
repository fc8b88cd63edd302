#pragma once

#include <uv.h>

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "proxy/buffer_budget.h"
#include "proxy/proxy_config.h"
#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

class Session;

// One direction of one session: bytes read from `src` run through a chain of toxic stages and
// are written to `dst`. The link owns one uv_timer_t (serving every stage's timers through a
// small ordered map) and never frees itself: its Session closes the timer and counts it.
class Link {
 public:
  Link(Session& session, Stream stream);
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;
  ~Link();

  void init(uv_loop_t* loop, uv_stream_t* src, uv_stream_t* dst, std::size_t cap_bytes, BufferBudget* budget);
  // Builds the chain (rolling toxicity per stage) and starts reading src.
  void start(const std::vector<ToxicSpecPtr>& toxics);
  // Live change: stages whose spec is unchanged stay (with their state and their roll); removed
  // or replaced stages hand their held chunks on in order, so nothing is lost or reordered.
  void setToxics(const std::vector<ToxicSpecPtr>& toxics);

  void onRead(Chunk chunk);
  void onEof();
  // Session is closing: stop everything, release budget, close the timer handle.
  void close(uv_close_cb on_closed);

  bool ended() const { return shutdown_done_; }
  std::size_t bufferedBytes() const;
  std::size_t writeQueueBytes() const { return write_queue_bytes_; }
  bool readPaused() const { return read_paused_; }
  Stream stream() const { return stream_; }
  uv_timer_t* timerHandle() { return &timer_; }

 private:
  class StageContext;
  struct Stage;
  struct WriteReq;
  struct TimerEntry {
    Stage* stage;
    std::function<void()> fn;
  };

  void deliver(std::size_t index, Chunk chunk);
  void deliverEnd(std::size_t index);
  void write(Chunk chunk);
  void writeEnd();
  void renumber();
  std::unique_ptr<Stage> makeStage(const ToxicSpecPtr& spec);
  void updateFlowControl();
  void accountBuffered();

  TimerId schedule(Stage* stage, Duration delay, std::function<void()> fn);
  void cancelTimer(TimerId id);
  void cancelStageTimers(const Stage* stage);
  void armTimer();
  void onTimer();

  static void onWriteDone(uv_write_t* req, int status) noexcept;
  static void onShutdownDone(uv_shutdown_t* req, int status) noexcept;
  static void onTimerFired(uv_timer_t* timer) noexcept;

  Session& session_;
  Stream stream_;
  uv_loop_t* loop_ = nullptr;
  uv_stream_t* src_ = nullptr;
  uv_stream_t* dst_ = nullptr;
  uv_timer_t timer_{};
  uv_shutdown_t shutdown_req_{};
  BufferBudget* budget_ = nullptr;
  std::size_t cap_bytes_ = 0;

  std::vector<std::unique_ptr<Stage>> stages_;
  std::size_t write_queue_bytes_ = 0;
  std::size_t accounted_bytes_ = 0;  // what this link has added to the global budget
  bool started_ = false;
  bool closing_ = false;
  bool reading_ = false;
  bool read_paused_ = false;
  bool end_written_ = false;
  bool shutdown_done_ = false;

  TimerId next_timer_id_ = 1;
  std::map<std::pair<TimePoint, TimerId>, TimerEntry> timers_;
  std::unordered_map<TimerId, TimePoint> timer_deadlines_;
  bool timer_armed_ = false;
  TimePoint timer_armed_for_{};
};

}  // namespace faultline

#pragma once

#include <uv.h>

#include <functional>
#include <string>

#include "core/clock.h"
#include "core/scheduler.h"
#include "net/address.h"

namespace faultline {

// Resolve, then connect a TCP handle: a numeric address (and "localhost") connects at once, a
// name is resolved off the loop (uv_getaddrinfo), an optional deadline ends the attempt. The
// caller owns the uv_tcp_t and closes it (which cancels a pending connect); the dialer owns its
// two requests. Used by every outgoing connection: proxy sessions and the HTTP client.
class Dialer {
 public:
  enum class Stage { kResolve, kConnect, kTimeout };
  struct Outcome {
    int status = 0;       // 0: connected; else the libuv status (UV_ETIMEDOUT for the deadline)
    Stage stage = Stage::kConnect;
    std::string address;  // the address connected to (or tried), once resolved
  };
  using Done = std::function<void(const Outcome&)>;

  Dialer() = default;
  Dialer(const Dialer&) = delete;
  Dialer& operator=(const Dialer&) = delete;
  ~Dialer();

  // done runs once, possibly before start() returns (an immediate failure). It is the dialer's
  // last act: the owner may destroy the dialer from inside it unless resolving(). A deadline needs a
  // scheduler (e.g. a link's TimerQueue, so the dial costs no handle of its own); without one
  // the caller keeps its own deadline and calls cancel().
  void start(uv_loop_t* loop, uv_tcp_t* tcp, const HostPort& target, Done done, Scheduler* deadline = nullptr,
             Duration timeout = Duration::zero());
  // No callback from now on; a pending resolve is cancelled (its request still completes).
  void cancel();
  // A resolve is outstanding: its callback must run before the dialer may be freed.
  bool resolving() const { return resolving_; }
  // Called when an outstanding resolve completes after cancel().
  void setOnResolveSettled(std::function<void()> fn) { on_settled_ = std::move(fn); }

 private:
  void connect(const sockaddr* address);
  void finish(Outcome outcome);
  static void onResolved(uv_getaddrinfo_t* req, int status, addrinfo* res) noexcept;
  static void onConnect(uv_connect_t* req, int status) noexcept;

  uv_loop_t* loop_ = nullptr;
  uv_tcp_t* tcp_ = nullptr;
  Done done_;
  Scheduler* deadline_ = nullptr;
  TimerId timer_ = 0;
  std::string address_;
  uv_getaddrinfo_t resolve_req_{};
  uv_connect_t connect_req_{};
  bool resolving_ = false;
  bool finished_ = false;
  std::function<void()> on_settled_;
};

}  // namespace faultline

#pragma once

#include <uv.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "http/http_message.h"
#include "http/http_parser.h"
#include "support/loop_thread.h"
#include "support/sockets.h"  // unusedPort, listenOnLoopback

namespace faultline::testing {

using namespace std::chrono_literals;

// Every blocking step in these tests waits at most this long.
constexpr std::chrono::milliseconds kDeadline{5'000};

// The loop thread these tests use is support/loop_thread.h's (one LoopThread for every suite).

// A blocking TCP client socket with receive deadlines, for driving servers byte by byte.
class RawClient {
 public:
  explicit RawClient(uint16_t port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(const std::string& bytes);
  // Reads one complete response (parsed with HttpParser); nullopt on EOF, error or deadline.
  std::optional<HttpResponse> readResponse();
  // True when the server closed the connection (EOF or reset) within the deadline. Bytes that
  // arrive first are appended to `received()`.
  bool waitClosed(std::chrono::milliseconds deadline = kDeadline);
  const std::string& received() const { return received_; }
  void shutdownWrite();
  void close();

 private:
  int fd_ = -1;
  std::string received_;
  std::unique_ptr<HttpParser> parser_;  // keeps bytes of the next response between reads
};

// A listening socket that never accepts: connections complete (the kernel's backlog) but no byte
// is ever answered.
class SilentListener {
 public:
  SilentListener();
  ~SilentListener();
  uint16_t port() const { return port_; }

  // Listens on 127.0.0.1:port, signals `listening`, accepts one connection, reads what comes
  // within 200 ms, writes `reply` and closes. Runs on the calling thread.
  static void serveOnce(uint16_t port, const std::string& reply, std::promise<void>& listening);

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// "127.0.0.1:4567" -> 4567
uint16_t portOf(const std::string& address);

}  // namespace faultline::testing

namespace faultline::testing {

// Runs fn once after `delay` on `loop` (loop thread only); the timer frees itself.
void runAfter(uv_loop_t* loop, std::chrono::milliseconds delay, std::function<void()> fn);

}  // namespace faultline::testing

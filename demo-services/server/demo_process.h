#pragma once

#include <uv.h>

#include <functional>
#include <string>

namespace faultline {

// Process setup shared by the three demo binaries: logs go to stderr as key=value lines (stdout
// stays for the "listening on" line and the client's summary), the open-file limit is raised to
// its hard limit (thousands of pending requests need thousands of sockets), SIGPIPE is ignored.
void setupDemoProcess(const std::string& name);

// Prints "listening on 127.0.0.1:PORT" as one flushed line on stdout, for scripts and tests.
void announceListening(const std::string& address);

// Calls `on_signal` once, on the first SIGINT or SIGTERM, then stops watching so the loop can end.
class ShutdownSignals {
 public:
  ShutdownSignals(uv_loop_t* loop, std::function<void()> on_signal);
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Stops watching without calling on_signal (the program is ending on its own).
  void close();

  struct Impl;

 private:
  Impl* impl_;  // frees itself after its handles have closed
};

// Runs the loop until every handle has closed, closes it, returns 0 (1 if handles were left).
int finishLoop(uv_loop_t* loop);

}  // namespace faultline

#pragma once

#include <chrono>
#include <cstdint>

#include "bench_socket.h"

namespace faultline::bench {

// The upstream for every benchmark: one epoll loop on one thread, so it scales to 10,000 idle
// connections and never becomes the bottleneck of a one-connection test.
//   sink: reads to EOF, then answers the 8-byte count of bytes it received (little-endian) and
//         closes, so a client can time a transfer end to end, until the last byte arrived.
//   echo: writes back everything it reads; stops reading while its echo is blocked (so a slow
//         reader sees backpressure, as with a real peer) and closes after EOF once flushed.
enum class BulkMode { kSink, kEcho };

struct BulkServerOptions {
  Endpoint listen{"127.0.0.1", 0};
  BulkMode mode = BulkMode::kSink;
  std::chrono::seconds max_lifetime{3600};  // a forgotten server still stops by itself
};

// Prints "listening port=N" on stdout once bound, then serves until SIGINT/SIGTERM or
// max_lifetime. Returns the process exit code.
int runBulkServer(const BulkServerOptions& options);

}  // namespace faultline::bench

#pragma once
// faultline/testing_tcp.hpp -- builders for the TCP faults of issue 14, on top of testing.hpp.
//
//   #include <faultline/testing_tcp.hpp>
//   namespace ft = faultline::testing;
//   auto cut = payments.withToxic(ft::cutAfterMs(500));            // RST while data flows
//   auto lossy = payments.withToxic(ft::tcpLoss(5).upstream());    // 5 % of chunks stall 200 ms
//   auto flaky = payments.withToxic(ft::corrupt(100));             // 100 flipped bytes per million
//   auto down = payments.withToxic(ft::connectTimeout());          // new connects time out
//
// Each returns a testing.hpp Toxic, so .named(), .upstream() and .withToxicity() apply as usual.

#include <cstdint>

#include "faultline/testing.hpp"

namespace faultline::testing {

// Ends each connection after_ms after it opened (mode reset: RST to both peers).
inline Toxic cutAfterMs(int64_t after_ms) { return {"cut", "", "downstream", 1.0, {{"after_ms", after_ms}}}; }
// Ends each connection once after_bytes bytes have passed in the toxic's direction.
inline Toxic cutAfterBytes(int64_t after_bytes) {
  return {"cut", "", "downstream", 1.0, {{"after_bytes", after_bytes}}};
}
// percent of chunks (and everything behind them) stall for rto_ms, doubling per consecutive
// loss; burst = mean consecutive losses. No byte is dropped.
inline Toxic tcpLoss(int64_t percent, int64_t rto_ms = 200, int64_t burst = 1) {
  return {"tcp_loss", "", "downstream", 1.0, {{"percent", percent}, {"rto_ms", rto_ms}, {"burst", burst}}};
}
// Flips one bit in about ppm of every million bytes; the length never changes.
inline Toxic corrupt(int64_t ppm) { return {"corrupt", "", "downstream", 1.0, {{"ppm", ppm}}}; }
// While present, new connections to the proxy get no answer (the client's connect timeout
// fires); open connections carry on. Linux only.
inline Toxic connectTimeout() { return {"connect_timeout", "", "downstream", 1.0, {}}; }

}  // namespace faultline::testing

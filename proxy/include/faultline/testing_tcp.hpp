#pragma once
// faultline/testing_tcp.hpp -- builders for the TCP faults of issue 14, on top of testing.hpp.
//
//   #include <faultline/testing_tcp.hpp>
//   namespace ft = faultline::testing;
//   auto cut = payments.withToxic(ft::cutAfterMs(500));            // RST while data flows
//   auto lossy = payments.withToxic(ft::tcpLoss(5).upstream());    // 5 % of chunks stall 200 ms
//   auto flaky = payments.withToxic(ft::corrupt(100));             // 100 flipped bytes per million
//   auto down = payments.withToxic(ft::connectTimeout());          // new connects time out
//   auto tail = payments.withToxic(ft::paretoLatency(20, 500));    // median 20 ms, p99 500 ms
//   auto both = payments.withToxic(ft::tcpLoss(2).bothStreams());  // one request, two toxics
//   auto one = payments.withToxic(ft::latency(300).forClients("127.0.0.2/32"));
//
// Each returns a testing.hpp Toxic, so .named(), .upstream(), .bothStreams(), .forClients() and
// .withToxicity() apply as usual.

#include <cstdint>
#include <string>

#include "faultline/testing.hpp"

namespace faultline::testing {

// Ends each connection after_ms after it opened (mode reset: RST to both peers).
inline Toxic cutAfterMs(int64_t after_ms) { return {"cut", "", "downstream", 1.0, {{"after_ms", after_ms}}}; }
// The same with an explicit mode: "reset", "close" (FIN after the bytes before the cut) or
// "hang" (both sockets stay open and nothing moves until the toxic is removed).
inline Toxic cutAfterMs(int64_t after_ms, const std::string& mode) { return cutAfterMs(after_ms).with("mode", mode); }
// Ends each connection once after_bytes bytes have passed in the toxic's direction.
inline Toxic cutAfterBytes(int64_t after_bytes) {
  return {"cut", "", "downstream", 1.0, {{"after_bytes", after_bytes}}};
}
inline Toxic cutAfterBytes(int64_t after_bytes, const std::string& mode) {
  return cutAfterBytes(after_bytes).with("mode", mode);
}
// Latency with a long tail: latency_ms is the median, p99_ms the 99th percentile.
inline Toxic lognormalLatency(int64_t median_ms, int64_t p99_ms) {
  return Toxic{"latency", "", "downstream", 1.0, {{"latency", median_ms}, {"p99", p99_ms}}}.with("distribution", "lognormal");
}
inline Toxic paretoLatency(int64_t median_ms, int64_t p99_ms) {
  return Toxic{"latency", "", "downstream", 1.0, {{"latency", median_ms}, {"p99", p99_ms}}}.with("distribution", "pareto");
}
// Normally distributed latency: mean_ms, standard deviation stddev_ms (never below 0).
inline Toxic normalLatency(int64_t mean_ms, int64_t stddev_ms) {
  return Toxic{"latency", "", "downstream", 1.0, {{"latency", mean_ms}, {"jitter", stddev_ms}}}.with("distribution", "normal");
}
// One rate_kbps shared by every connection of the proxy in this direction (a congested link).
inline Toxic sharedBandwidth(int64_t rate_kbps) {
  return Toxic{"bandwidth", "", "downstream", 1.0, {{"rate", rate_kbps}}}.with("scope", "proxy");
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

// bench-rr: request/response latency over one connection to an echo server.
//
//   bench-rr --connect 127.0.0.1:PORT [--size 64] [--count 10000] [--warmup 100] [--timeout 60]
//
// Writes --size bytes, reads the same --size bytes back, --count times (after --warmup rounds that
// are not counted). TCP_NODELAY is on, so Nagle does not add to what is measured.
// Output, one line: "rr size=M count=K p50_us=.. p90_us=.. p99_us=.. max_us=.. mean_us=..".

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <numeric>
#include <vector>

#include "bench_socket.h"

namespace faultline::bench {
namespace {

struct Options {
  std::string connect;
  std::string size = "64";
  int count = 10000;
  int warmup = 100;
  int timeout_s = 60;
};

double percentile(const std::vector<double>& sorted, double fraction) {
  // Nearest-rank: the smallest sample with at least `fraction` of the samples at or below it.
  auto rank = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size()) + 0.999999);
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

int run(const Options& options) {
  const Endpoint endpoint = parseEndpoint(options.connect);
  const auto size = static_cast<std::size_t>(parseByteSize(options.size));
  if (size == 0 || options.count <= 0 || options.warmup < 0) {
    std::fprintf(stderr, "bench-rr: --size and --count must be positive, --warmup non-negative\n");
    return 2;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(options.timeout_s);
  Socket socket = connectTo(endpoint, deadline);
  setNoDelay(socket.fd());

  std::vector<char> request(size);
  std::vector<char> response(size);
  std::vector<double> samples_us;
  samples_us.reserve(static_cast<std::size_t>(options.count));
  for (int round = 0; round < options.warmup + options.count; ++round) {
    std::fill(request.begin(), request.end(), static_cast<char>(round));
    const auto start = Clock::now();
    writeAll(socket.fd(), request.data(), size, deadline);
    readExact(socket.fd(), response.data(), size, deadline);
    const auto elapsed = Clock::now() - start;
    if (response != request) {
      std::fprintf(stderr, "bench-rr: round %d: the echo differs from what was sent\n", round);
      return 1;
    }
    if (round >= options.warmup) {
      samples_us.push_back(std::chrono::duration<double, std::micro>(elapsed).count());
    }
  }
  std::sort(samples_us.begin(), samples_us.end());
  const double mean =
      std::accumulate(samples_us.begin(), samples_us.end(), 0.0) / static_cast<double>(samples_us.size());
  std::printf("rr size=%zu count=%d p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f mean_us=%.1f\n",
              size, options.count, percentile(samples_us, 0.50), percentile(samples_us, 0.90),
              percentile(samples_us, 0.99), samples_us.back(), mean);
  return 0;
}

}  // namespace
}  // namespace faultline::bench

int main(int argc, char** argv) {
  faultline::bench::Options options;
  CLI::App app{"bench-rr: ping-pong latency against an echo server (bench-bulk server --mode echo)"};
  app.add_option("--connect", options.connect, "HOST:PORT of the echo server")->required();
  app.add_option("--size", options.size, "bytes per request, e.g. 64, 16KiB");
  app.add_option("--count", options.count, "measured round trips");
  app.add_option("--warmup", options.warmup, "round trips before measuring");
  app.add_option("--timeout", options.timeout_s, "give up after this many seconds");
  CLI11_PARSE(app, argc, argv);
  try {
    return faultline::bench::run(options);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench-rr: %s\n", error.what());
    return 1;
  }
}

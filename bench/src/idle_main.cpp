// bench-idle: holds N idle sessions open through a proxy, for measuring memory per session.
//
//   bench-idle --connect 127.0.0.1:PORT --sessions 10000 [--hold 60] [--timeout 120]
//
// Each session connects, sends one byte and waits for its echo (so the proxy has accepted it AND
// connected upstream), then stays idle. Sessions are opened one after another, which keeps the
// proxy's accept backlog empty. Prints "ready sessions=N seconds=S" once all are established,
// then holds them for --hold seconds or until SIGTERM/SIGINT, and closes them.
// Needs `ulimit -n` above N (and the proxy above 2N).

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <thread>
#include <vector>

#include "bench_socket.h"

namespace faultline::bench {
namespace {

volatile std::sig_atomic_t g_stop = 0;
void onSignal(int) { g_stop = 1; }

struct Options {
  std::string connect;
  int sessions = 1000;
  int hold_s = 60;
  int timeout_s = 120;
};

int run(const Options& options) {
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  const Endpoint endpoint = parseEndpoint(options.connect);
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::seconds(options.timeout_s);
  std::vector<Socket> sessions;
  sessions.reserve(static_cast<std::size_t>(options.sessions));
  for (int i = 0; i < options.sessions && g_stop == 0; ++i) {
    Socket socket = connectTo(endpoint, deadline);
    char byte = 'x';
    writeAll(socket.fd(), &byte, 1, deadline);
    readExact(socket.fd(), &byte, 1, deadline);
    sessions.push_back(std::move(socket));
  }
  if (g_stop != 0) return 1;
  std::printf("ready sessions=%zu seconds=%.2f\n", sessions.size(),
              std::chrono::duration<double>(Clock::now() - start).count());
  std::fflush(stdout);
  const auto hold_until = Clock::now() + std::chrono::seconds(options.hold_s);
  while (g_stop == 0 && Clock::now() < hold_until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

}  // namespace
}  // namespace faultline::bench

int main(int argc, char** argv) {
  faultline::bench::Options options;
  CLI::App app{"bench-idle: hold N idle sessions through a proxy to an echo server"};
  app.add_option("--connect", options.connect, "HOST:PORT of the proxy")->required();
  app.add_option("--sessions", options.sessions, "how many sessions")->check(CLI::PositiveNumber);
  app.add_option("--hold", options.hold_s, "seconds to hold them once established");
  app.add_option("--timeout", options.timeout_s, "give up establishing after this many seconds");
  CLI11_PARSE(app, argc, argv);
  try {
    return faultline::bench::run(options);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench-idle: %s\n", error.what());
    return 1;
  }
}

// bench-bulk: bulk throughput through one TCP connection.
//
//   bench-bulk server [--listen 127.0.0.1:0] [--mode sink|echo]
//   bench-bulk client --connect 127.0.0.1:PORT [--bytes 2GiB] [--echo] [--timeout 120]
//
// The client against a sink server sends --bytes, half-closes, and waits for the server's count:
// the time is until the last byte arrived, not until the kernel took it. With --echo (against an
// echo server) it also reads everything back on a second thread and times the round trip.
// Output, one line: "bulk bytes=N seconds=S gbps=G" (GB/s, 10^9 bytes per second).

#include <CLI/CLI.hpp>

#include <sys/socket.h>

#include <cstdio>
#include <exception>
#include <future>
#include <thread>
#include <vector>

#include "bench_socket.h"
#include "bulk_server.h"

namespace faultline::bench {
namespace {

struct ClientOptions {
  std::string connect;
  std::string bytes = "2GiB";
  bool echo = false;
  int timeout_s = 120;
  std::size_t chunk_bytes = 256 * 1024;
};

uint64_t drainEcho(int fd, uint64_t expected, Clock::time_point deadline) {
  std::vector<char> buffer(256 * 1024);
  uint64_t received = 0;
  while (received < expected) {
    std::size_t got = readSome(fd, buffer.data(), buffer.size(), deadline);
    if (got == 0) break;
    received += got;
  }
  return received;
}

int runClient(const ClientOptions& options) {
  const Endpoint endpoint = parseEndpoint(options.connect);
  const uint64_t total = parseByteSize(options.bytes);
  const auto deadline = Clock::now() + std::chrono::seconds(options.timeout_s);
  std::vector<char> chunk(options.chunk_bytes);
  for (std::size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<char>(i * 131 + 7);

  Socket socket = connectTo(endpoint, deadline);
  const auto start = Clock::now();
  std::future<uint64_t> echoed;
  if (options.echo) {
    echoed = std::async(std::launch::async, drainEcho, socket.fd(), total, deadline);
  }
  for (uint64_t sent = 0; sent < total;) {
    std::size_t now = static_cast<std::size_t>(std::min<uint64_t>(chunk.size(), total - sent));
    writeAll(socket.fd(), chunk.data(), now, deadline);
    sent += now;
  }
  ::shutdown(socket.fd(), SHUT_WR);

  uint64_t confirmed = 0;
  if (options.echo) {
    confirmed = echoed.get();
  } else {
    readExact(socket.fd(), &confirmed, sizeof confirmed, deadline);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (confirmed != total) {
    std::fprintf(stderr, "bench-bulk: sent %llu bytes but the server %s %llu\n",
                 static_cast<unsigned long long>(total), options.echo ? "echoed" : "received",
                 static_cast<unsigned long long>(confirmed));
    return 1;
  }
  std::printf("bulk bytes=%llu seconds=%.3f gbps=%.3f\n", static_cast<unsigned long long>(total),
              seconds, static_cast<double>(total) / seconds / 1e9);
  return 0;
}

}  // namespace
}  // namespace faultline::bench

int main(int argc, char** argv) {
  using namespace faultline::bench;
  CLI::App app{"bench-bulk: bulk TCP throughput (server sinks or echoes, client sends N bytes)"};
  app.require_subcommand(1);

  std::string listen = "127.0.0.1:0";
  std::string mode = "sink";
  int max_lifetime_s = 3600;
  auto* server = app.add_subcommand("server", "sink or echo everything received");
  server->add_option("--listen", listen, "HOST:PORT to listen on (port 0: any free port)");
  server->add_option("--mode", mode, "sink or echo")->check(CLI::IsMember({"sink", "echo"}));
  server->add_option("--max-lifetime", max_lifetime_s, "exit after this many seconds");

  ClientOptions client_options;
  auto* client = app.add_subcommand("client", "send --bytes and report GB/s");
  client->add_option("--connect", client_options.connect, "HOST:PORT of the server")->required();
  client->add_option("--bytes", client_options.bytes, "payload, e.g. 2GiB, 512MiB");
  client->add_flag("--echo", client_options.echo, "read the payload back (echo server)");
  client->add_option("--timeout", client_options.timeout_s, "give up after this many seconds");

  CLI11_PARSE(app, argc, argv);
  try {
    if (server->parsed()) {
      BulkServerOptions options;
      options.listen = parseEndpoint(listen);
      options.mode = mode == "echo" ? BulkMode::kEcho : BulkMode::kSink;
      options.max_lifetime = std::chrono::seconds(max_lifetime_s);
      return runBulkServer(options);
    }
    return runClient(client_options);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench-bulk: %s\n", error.what());
    return 1;
  }
}

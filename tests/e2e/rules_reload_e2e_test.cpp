// Rules files through the real binary: a stream stays byte-identical while its rules file is
// rewritten many times (atomically and in place, valid and invalid versions).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "faultline/testing/events.hpp"
#include "support/child_process.h"
#include "support/serve_process.h"
#include "support/sockets.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string rules(uint16_t listen, uint16_t upstream, const std::string& toxics) {
  return "version: 1\nproxies:\n  - name: echo\n    listen: 127.0.0.1:" + std::to_string(listen) +
         "\n    upstream: 127.0.0.1:" + std::to_string(upstream) + "\n    toxics:" + toxics + "\n";
}

void writeInPlace(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

void writeAtomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  writeInPlace(tmp, text);
  fs::rename(tmp, path);
}

TEST(RulesReload, StreamStaysByteIdenticalWhileTheRulesFileIsRewrittenManyTimes) {
  auto echo = TcpServer::echo();
  const fs::path dir = fs::temp_directory_path() / ("faultline-rules-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path file = dir / "rules.yaml";
  const uint16_t listen = unusedPort();
  writeInPlace(file, rules(listen, echo.port(), " []"));
  ChildProcess server({std::string(FAULTLINE_BIN_DIR) + "/faultline", "serve", "--port", "0", "--config",
                       file.string()});
  const std::string api = server.lineContaining("control API listening on", 10s);
  ASSERT_FALSE(api.empty()) << server.output();

  const std::vector<std::string> versions = {
      " []",
      "\n      - {name: lat, type: latency, stream: upstream, attributes: {latency: 5, jitter: 5}}",
      "\n      - {name: slice, type: slicer, stream: downstream, attributes: {average_size: 900, size_variation: 800}}"
      "\n      - {name: lat, type: latency, stream: upstream, attributes: {latency: 2}}",
      "\n      - {name: bw, type: bandwidth, attributes: {rate: 0}}",
      "\n      - {name: broken, type: latency, attributes: {lattency: 1}}",  // invalid: must change nothing
  };
  const std::string payload = randomBytes(24u << 20, 11);
  Socket client = Socket::connectTo(listen);
  ASSERT_TRUE(client.valid());
  std::string received;
  std::thread reader([&] { received = client.readUntilClosed(120s); });
  std::atomic<bool> done{false};
  std::thread rewriter([&] {
    for (int i = 0; !done && i < 120; ++i) {
      const std::string text = rules(listen, echo.port(), versions[static_cast<std::size_t>(i) % versions.size()]);
      if (i % 2 == 0) writeAtomically(file, text);
      else writeInPlace(file, text);
      std::this_thread::sleep_for(60ms);
    }
  });
  const std::size_t step = 128 * 1024;
  for (std::size_t offset = 0; offset < payload.size(); offset += step) {
    ASSERT_TRUE(client.sendAll(payload.data() + offset, std::min(step, payload.size() - offset)));
    std::this_thread::sleep_for(10ms);  // spread the stream over many reloads
  }
  client.shutdownWrite();
  reader.join();
  done = true;
  rewriter.join();
  ASSERT_EQ(received.size(), payload.size());
  EXPECT_EQ(hashBytes(received), hashBytes(payload));

  // The last good version is applied within a second or two of the write.
  writeAtomically(file, rules(listen, echo.port(), versions[1]));
  const auto api_port = static_cast<uint16_t>(apiPortFromLine(api));
  bool applied = false;
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (!applied && std::chrono::steady_clock::now() < until) {
    const std::string body = apiText(api_port, "/proxies/echo/toxics");  // "" when the call failed
    applied = body.find("\"lat\"") != std::string::npos && body.find("slice") == std::string::npos;
    if (!applied) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(applied);
  // An invalid version keeps it: once the watcher reports the rejection (no sleep and hope).
  auto events = EventStream::subscribe(api::Endpoint{"127.0.0.1", api_port, ""});
  writeAtomically(file, rules(listen, echo.port(), versions[4]));
  nlohmann::json rejected = events.waitFor(
      "rules_reloaded", [](const nlohmann::json& e) { return !e.value("ok", true); }, 10s);
  EXPECT_EQ(rejected["via"], "watch") << rejected.dump();
  const std::string after = apiText(api_port, "/proxies/echo/toxics");
  ASSERT_FALSE(after.empty());
  EXPECT_NE(after.find("\"lat\""), std::string::npos) << after;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace faultline::testing

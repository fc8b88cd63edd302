// TESTS.md "Per-toxic behaviour" and "Removing any toxic never hangs" cases not covered by
// tests/e2e: slicer's degenerate attribute pairs, toxicity 1, and removal of a latency toxic
// stacked with a timeout 0 toxic, on live connections through the real binary.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <thread>

#include "support/serve_process.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class LiveToxics : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ready()) << server_.child().output();
    port_ = server_.createProxy("echo", echo_.port());
    ASSERT_NE(port_, 0);
  }
  // Sends `message`, half-closes, returns everything echoed until the proxy closes.
  std::string echoed(const std::string& message, int* error = nullptr) {
    Socket socket = Socket::connectTo(port_);
    if (!socket.valid() || !socket.sendAll(message)) return "<connect/send failed>";
    socket.shutdownWrite();
    return socket.readUntilClosed(15s, error);
  }
  bool remove(const std::string& toxic) {
    auto response = server_.api("DELETE", "/proxies/echo/toxics/" + toxic);
    return response.ok() && response->status == 204;
  }

  TcpServer echo_ = TcpServer::echo();
  ServeProcess server_;
  uint16_t port_ = 0;
};

TEST_F(LiveToxics, SlicerZeroZeroReassemblesByteForByte) {
  ASSERT_TRUE(server_.addToxic("echo", {{"type", "slicer"}, {"attributes", {{"average_size", 0}, {"size_variation", 0}, {"delay", 0}}}}));
  const std::string message = randomBytes(256 * 1024, 1);
  EXPECT_EQ(hashBytes(echoed(message)), hashBytes(message));
}

TEST_F(LiveToxics, SlicerVariationAboveTheSizeReassemblesByteForByte) {
  ASSERT_TRUE(server_.addToxic("echo", {{"type", "slicer"}, {"attributes", {{"average_size", 8}, {"size_variation", 1000}, {"delay", 0}}}}));
  ASSERT_TRUE(server_.addToxic("echo", {{"name", "up"}, {"type", "slicer"}, {"stream", "upstream"},
                                        {"attributes", {{"average_size", 1}, {"size_variation", 1}, {"delay", 1}}}}));
  const std::string message = randomBytes(16 * 1024, 2);
  EXPECT_EQ(hashBytes(echoed(message)), hashBytes(message));
}

// Toxiproxy registers `noop` and clients add it as a marker: 200, and the bytes pass unchanged.
TEST_F(LiveToxics, NoopIsAcceptedAndPassesBytesUnchanged) {
  auto response = server_.api("POST", "/proxies/echo/toxics", R"({"type":"noop"})");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200) << response->body;
  const json body = json::parse(response->body, nullptr, false);
  EXPECT_EQ(body.value("type", ""), "noop");
  EXPECT_EQ(body.value("name", ""), "noop_downstream");
  const std::string message = randomBytes(128 * 1024, 3);
  EXPECT_EQ(hashBytes(echoed(message)), hashBytes(message));
}

TEST_F(LiveToxics, ToxicityOneAlwaysFires) {
  // limit_data 0 cuts every connection it fires on before the first byte.
  ASSERT_TRUE(server_.addToxic("echo", {{"type", "limit_data"}, {"toxicity", 1.0}, {"attributes", {{"bytes", 0}}}}));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(echoed("should not come back"), "") << "connection " << i;
}

TEST_F(LiveToxics, RemovingLatencyNextToTimeoutZeroNeverHangs) {
  ASSERT_TRUE(server_.addToxic("echo", {{"name", "lat"}, {"type", "latency"}, {"attributes", {{"latency", 200}}}}));
  ASSERT_TRUE(server_.addToxic("echo", {{"name", "hold"}, {"type", "timeout"}, {"attributes", {{"timeout", 0}}}}));
  Socket held = Socket::connectTo(port_);
  ASSERT_TRUE(held.sendAll("held"));
  std::this_thread::sleep_for(300ms);  // the bytes are past the latency and inside the timeout

  // Latency first: the chain re-forms around the timeout, nothing hangs, the connection stays held.
  ASSERT_TRUE(remove("lat"));
  held.setReceiveTimeout(300ms);
  char byte;
  EXPECT_LT(::recv(held.fd(), &byte, 1, 0), 1) << "timeout 0 let data through";
  // Then the timeout: removing it closes the connection it held.
  ASSERT_TRUE(remove("hold"));
  int error = -1;
  held.readUntilClosed(5s, &error);
  EXPECT_NE(error, ETIMEDOUT) << "the held connection was not closed";
  EXPECT_EQ(echoed("free again"), "free again");
}

TEST_F(LiveToxics, RemovingTimeoutZeroBeforeItsLatencyNeighbourNeverHangs) {
  ASSERT_TRUE(server_.addToxic("echo", {{"name", "hold"}, {"type", "timeout"}, {"stream", "upstream"}, {"attributes", {{"timeout", 0}}}}));
  ASSERT_TRUE(server_.addToxic("echo", {{"name", "lat"}, {"type", "latency"}, {"stream", "upstream"}, {"attributes", {{"latency", 10000}}}}));
  Socket held = Socket::connectTo(port_);
  ASSERT_TRUE(held.sendAll("held"));
  std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(remove("hold"));
  int error = -1;
  held.readUntilClosed(5s, &error);
  EXPECT_NE(error, ETIMEDOUT) << "the held connection was not closed";
  ASSERT_TRUE(remove("lat"));
  EXPECT_EQ(echoed("free again"), "free again");
}

}  // namespace
}  // namespace faultline::testing

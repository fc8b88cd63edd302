// The TCP faults of issue 14 through the real `faultline serve` binary, driven over its REST API
// with faultline/testing_tcp.hpp. Timings are lower bounds from the toxics' own arithmetic (a
// stall can make a transfer slower, never faster), so a loaded machine cannot fail them.
#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <thread>

#include "faultline/testing_tcp.hpp"
#include "support/sockets.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

const std::string kFaultline = std::string(FAULTLINE_BIN_DIR) + "/faultline";

class TcpToxics : public ::testing::Test {
 protected:
  void SetUp() override { faultline_ = std::make_unique<Faultline>(Faultline::start(kFaultline)); }
  Proxy proxyTo(const TcpServer& upstream, const std::string& name = "tcp") {
    return faultline_->createProxy(name, "127.0.0.1:" + std::to_string(upstream.port()));
  }
  std::unique_ptr<Faultline> faultline_;
};

// Sends `data` through an echo and reads the same amount back, sending from a thread so a
// large transfer cannot deadlock on full socket buffers.
std::string echoThrough(uint16_t port, const std::string& data, std::chrono::milliseconds deadline) {
  Socket client = Socket::connectTo(port);
  std::thread sender([&] { client.sendAll(data); });
  std::string got = client.readExactly(data.size(), deadline);
  sender.join();
  return got;
}

TEST_F(TcpToxics, TcpLossKeepsA16MiBEchoByteIdenticalAndStallsIt) {
  auto echo = TcpServer::echo();
  Proxy proxy = proxyTo(echo);
  const std::string data = randomBytes(16 << 20, 14);
  auto lossy = proxy.withToxic(tcpLoss(20, 40));
  const auto start = Steady::now();
  const std::string got = echoThrough(proxy.port(), data, 120s);
  const auto took = Steady::now() - start;
  ASSERT_EQ(got.size(), data.size());
  EXPECT_EQ(hashBytes(got), hashBytes(data)) << "bytes changed, lost or reordered";
  // 16 MiB arrives in at least 256 reads of at most 64 KiB; 20 % of them are lost: Binomial
  // (>= 256, 0.2) has mean >= 51 and falls below 16 with probability ~1e-9. The stalls of one
  // link queue up, so the downstream alone takes at least 16 x 40 ms.
  EXPECT_GE(took, 16 * 40ms);
  std::printf("16 MiB echo through tcp_loss percent=20 rto_ms=40: %.0f ms\n",
              std::chrono::duration<double, std::milli>(took).count());
}

TEST_F(TcpToxics, CorruptKeepsTheLengthAndChangesTheExpectedShareOfBytes) {
  auto echo = TcpServer::echo();
  Proxy proxy = proxyTo(echo);
  const std::string data = randomBytes(4 << 20, 15);
  auto flaky = proxy.withToxic(corrupt(2000));
  const std::string got = echoThrough(proxy.port(), data, 60s);
  ASSERT_EQ(got.size(), data.size());
  std::size_t bytes_changed = 0, bits_changed = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const auto diff = static_cast<unsigned char>(data[i] ^ got[i]);
    bytes_changed += diff != 0;
    bits_changed += static_cast<std::size_t>(std::popcount(diff));
  }
  // Binomial(4 Mi, 0.002): mean 8389, sd 92; +/- 10 % is nine standard deviations.
  EXPECT_GT(bytes_changed, 7550u);
  EXPECT_LT(bytes_changed, 9228u);
  EXPECT_EQ(bits_changed, bytes_changed) << "one flipped bit per damaged byte";
}

TEST_F(TcpToxics, CutAfterMsResetsAConnectionWhileDataFlows) {
  auto echo = TcpServer::echo();
  Proxy proxy = proxyTo(echo);
  auto cut = proxy.withToxic(cutAfterMs(300));
  Socket client = Socket::connectTo(proxy.port());
  const auto start = Steady::now();
  std::atomic<bool> stop{false};
  std::thread sender([&] {
    const std::string tick(1000, 't');
    while (!stop && client.sendAll(tick)) std::this_thread::sleep_for(10ms);
  });
  int error = -1;
  const std::string echoed = client.readUntilClosed(10s, &error);
  const auto took = Steady::now() - start;
  stop = true;
  sender.join();
  EXPECT_EQ(error, ECONNRESET) << "cut's default mode is reset";
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 5s);
  EXPECT_FALSE(echoed.empty()) << "data flowed before the cut";
}

TEST_F(TcpToxics, CutAfterBytesPassesNoMoreThanThatManyBytes) {
  auto echo = TcpServer::echo();
  Proxy proxy = proxyTo(echo);
  auto cut = proxy.withToxic(cutAfterBytes(100'000));
  Socket client = Socket::connectTo(proxy.port());
  std::thread sender([&] { client.sendAll(randomBytes(1 << 20, 16)); });
  int error = -1;
  const std::string echoed = client.readUntilClosed(10s, &error);
  sender.join();
  EXPECT_EQ(error, ECONNRESET);
  EXPECT_LE(echoed.size(), 100'000u);
}

}  // namespace
}  // namespace faultline::testing

// Resilience test of a reconnecting client: a long-lived connection through Faultline is cut
// (proxy disabled, or reset) and restored, and the client must reconnect by itself instead of
// staying closed forever. The client here is a small example of the pattern under test; a user
// points the same test at their own client.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "support/chaos_stack.h"
#include "support/sockets.h"

namespace faultline::chaos {
namespace {

using std::chrono::milliseconds;

// Keeps one connection open and counts the bytes it receives; on EOF or error it waits a short
// backoff and connects again, until stopped.
class ReconnectingClient {
 public:
  explicit ReconnectingClient(uint16_t port) : port_(port), thread_([this] { run(); }) {}
  ~ReconnectingClient() {
    stop_ = true;
    thread_.join();
  }
  int connectionsMade() const { return connections_.load(); }
  int disconnections() const { return disconnections_.load(); }
  uint64_t bytesReceived() const { return bytes_.load(); }

 private:
  void run() {
    while (!stop_) {
      auto socket = testing::Socket::connectTo(port_);
      if (!socket.valid()) {
        std::this_thread::sleep_for(milliseconds(50));
        continue;
      }
      ++connections_;
      char buffer[1024];
      while (!stop_) {
        pollfd pfd{socket.fd(), POLLIN, 0};
        if (::poll(&pfd, 1, 50) <= 0) continue;
        const ssize_t n = ::recv(socket.fd(), buffer, sizeof buffer, 0);
        if (n <= 0) break;  // EOF or reset: the connection is gone
        bytes_ += static_cast<uint64_t>(n);
      }
      if (!stop_) ++disconnections_;
      std::this_thread::sleep_for(milliseconds(50));
    }
  }

  uint16_t port_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> disconnections_{0};
  std::atomic<uint64_t> bytes_{0};
  std::thread thread_;
};

// A server that sends a tick every 20 ms on each connection until the peer goes away.
testing::TcpServer tickServer() {
  return testing::TcpServer([](testing::Socket& socket) {
    while (socket.sendAll("tick\n")) std::this_thread::sleep_for(milliseconds(20));
  });
}

class ReconnectingClientChaos : public ::testing::Test {
 protected:
  testing::TcpServer upstream_ = tickServer();
  ft::Faultline faultline_ = ft::Faultline::start(binary("faultline"));
  ft::Proxy proxy_ = faultline_.createProxy("ticks", "127.0.0.1:" + std::to_string(upstream_.port()));
};

TEST_F(ReconnectingClientChaos, ReconnectsAfterProxyIsDisabledAndEnabledAgain) {
  ReconnectingClient client(proxy_.port());
  ASSERT_TRUE(eventually(milliseconds(5'000), [&] { return client.bytesReceived() > 0; }));
  {
    auto down = proxy_.disabled();
    ASSERT_TRUE(eventually(milliseconds(5'000), [&] { return client.disconnections() >= 1; }))
        << "disabling the proxy did not cut the long-lived connection";
  }
  const uint64_t before = client.bytesReceived();
  EXPECT_TRUE(eventually(milliseconds(10'000), [&] { return client.connectionsMade() >= 2 && client.bytesReceived() > before; }))
      << "the client did not reconnect and receive again after the proxy came back (connections="
      << client.connectionsMade() << ")";
}

TEST_F(ReconnectingClientChaos, ReconnectsAfterConnectionsAreResetForAWhile) {
  ReconnectingClient client(proxy_.port());
  ASSERT_TRUE(eventually(milliseconds(5'000), [&] { return client.bytesReceived() > 0; }));
  {
    auto resets = proxy_.withToxic(ft::resetPeer(0));
    ASSERT_TRUE(eventually(milliseconds(5'000), [&] { return client.disconnections() >= 1; }))
        << "reset_peer did not cut the long-lived connection";
    std::this_thread::sleep_for(milliseconds(300));  // a few refused reconnects while the fault lasts
  }
  const uint64_t before = client.bytesReceived();
  EXPECT_TRUE(eventually(milliseconds(10'000), [&] { return client.bytesReceived() > before; }))
      << "the client stayed disconnected after the resets stopped (connections=" << client.connectionsMade()
      << " disconnections=" << client.disconnections() << ")";
}

}  // namespace
}  // namespace faultline::chaos

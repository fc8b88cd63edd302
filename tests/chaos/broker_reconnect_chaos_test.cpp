// The broker story: a consumer keeps one long-lived connection to a message broker. When the
// broker goes away for longer than the consumer's retries last, a consumer that "gives up after
// 3 retries" stays closed for good -- the service looks up, consumes nothing, and nobody notices
// until the queue overflows. The fix reconnects with capped, jittered backoff, forever.
//
// One chaos check (BrokerOutageCheck) is written once and run against both consumers: it must
// FAIL for the buggy one (proof that the test detects the bug, not just that the fixed one
// passes) and PASS for the fixed one. A user points the same check at their own consumer.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "support/chaos_stack.h"
#include "support/sockets.h"

namespace faultline::chaos {
namespace {

using std::chrono::milliseconds;

// How a consumer waits before its n-th reconnect attempt, and whether it tries at all.
struct ReconnectPolicy {
  int max_retries = -1;            // -1: forever
  milliseconds base{50};
  milliseconds cap{400};
  bool jitter = true;
};

// A consumer on its own thread: connects, counts the bytes (messages) it receives, and on EOF,
// reset or refusal retries by its policy. Once it gives up, it stays closed (gaveUp()).
class Consumer {
 public:
  Consumer(uint16_t port, ReconnectPolicy policy) : port_(port), policy_(policy), thread_([this] { run(); }) {}
  ~Consumer() {
    stop_ = true;
    thread_.join();
  }
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  uint64_t bytesReceived() const { return bytes_.load(); }
  bool gaveUp() const { return gave_up_.load(); }
  int connections() const { return connections_.load(); }

 private:
  void run() {
    std::mt19937 random(7);
    int failures_in_a_row = 0;
    while (!stop_) {
      auto socket = testing::Socket::connectTo(port_);
      if (socket.valid()) {
        ++connections_;
        bool received = false;
        char buffer[1024];
        while (!stop_) {
          pollfd pfd{socket.fd(), POLLIN, 0};
          if (::poll(&pfd, 1, 50) <= 0) continue;
          const ssize_t n = ::recv(socket.fd(), buffer, sizeof buffer, 0);
          if (n <= 0) break;  // the broker went away
          bytes_ += static_cast<uint64_t>(n);
          received = true;
        }
        if (received) failures_in_a_row = 0;  // a connection that delivered resets the count
      }
      if (stop_) break;
      if (policy_.max_retries >= 0 && failures_in_a_row >= policy_.max_retries) {
        gave_up_ = true;  // the bug: closed for good, though the process lives on
        return;
      }
      const auto ceiling = std::min(policy_.cap, policy_.base * (1 << std::min(failures_in_a_row, 10)));
      ++failures_in_a_row;
      auto wait = ceiling;
      if (policy_.jitter) wait = milliseconds(std::uniform_int_distribution<int64_t>(0, ceiling.count())(random));
      for (auto slept = milliseconds(0); slept < wait && !stop_; slept += milliseconds(10)) {
        std::this_thread::sleep_for(milliseconds(10));
      }
    }
  }

  uint16_t port_;
  ReconnectPolicy policy_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> gave_up_{false};
  std::atomic<int> connections_{0};
  std::atomic<uint64_t> bytes_{0};
  std::thread thread_;
};

// The broker: a message every 20 ms on each connection, until the peer goes away.
testing::TcpServer broker() {
  return testing::TcpServer([](testing::Socket& socket) {
    while (socket.sendAll("message\n")) std::this_thread::sleep_for(milliseconds(20));
  });
}

struct Verdict {
  bool passed = false;
  std::string why;
};

// THE chaos check: with the consumer receiving through Faultline, the broker is unreachable for
// 2 s (proxy disabled: the connection is cut and reconnects are refused), then comes back. The
// consumer passes when it receives messages again within 5 s of the broker's return.
Verdict brokerOutageCheck(const ReconnectPolicy& policy) {
  testing::TcpServer upstream = broker();
  ft::Faultline faultline = ft::Faultline::start(binary("faultline"));
  ft::Proxy proxy = faultline.createProxy("broker", "127.0.0.1:" + std::to_string(upstream.port()));
  Consumer consumer(proxy.port(), policy);
  if (!eventually(milliseconds(5'000), [&] { return consumer.bytesReceived() > 0; })) {
    return {false, "set-up: the consumer never received a message before the outage"};
  }
  {
    auto down = proxy.disabled();
    std::this_thread::sleep_for(milliseconds(2'000));  // longer than 3 retries of 50+100+200 ms
  }
  const uint64_t before = consumer.bytesReceived();
  const bool resumed = eventually(milliseconds(5'000), [&] { return consumer.bytesReceived() > before; });
  if (resumed) return {true, "received again after the broker came back (connections=" +
                                 std::to_string(consumer.connections()) + ")"};
  return {false, std::string("no message within 5 s of the broker's return; the consumer ") +
                     (consumer.gaveUp() ? "gave up reconnecting and stays closed" : "is still disconnected") +
                     " (connections=" + std::to_string(consumer.connections()) + ")"};
}

const ReconnectPolicy kGivesUpAfterThreeRetries{3, milliseconds(50), milliseconds(400), false};
const ReconnectPolicy kReconnectsWithBackoffForever{-1, milliseconds(50), milliseconds(400), true};

TEST(BrokerOutageChaos, ConsumerThatGivesUpAfterItsRetriesIsCaught) {
  const Verdict verdict = brokerOutageCheck(kGivesUpAfterThreeRetries);
  std::printf("gives up after 3 retries: check %s: %s\n", verdict.passed ? "PASSED" : "FAILED", verdict.why.c_str());
  // Expected to fail the check: this is the test proving that the check detects the bug.
  EXPECT_FALSE(verdict.passed) << "the chaos check missed the bug: a consumer that gives up after 3 retries "
                               << "passed (" << verdict.why << ")";
  EXPECT_NE(verdict.why.find("gave up"), std::string::npos) << verdict.why;
}

TEST(BrokerOutageChaos, ConsumerThatReconnectsWithBackoffForeverPasses) {
  const Verdict verdict = brokerOutageCheck(kReconnectsWithBackoffForever);
  std::printf("reconnects with backoff forever: check %s: %s\n", verdict.passed ? "PASSED" : "FAILED",
              verdict.why.c_str());
  EXPECT_TRUE(verdict.passed) << verdict.why;
}

}  // namespace
}  // namespace faultline::chaos

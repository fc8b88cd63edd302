#include "net/dialer.h"

#include <gtest/gtest.h>

#include <optional>

#include "net/timer_queue.h"
#include "support/sockets.h"

namespace faultline {
namespace {

class DialerOnALoop : public ::testing::Test {
 protected:
  void SetUp() override {
    uv_loop_init(&loop_);
    uv_tcp_init(&loop_, &tcp_);
    timers_.init(&loop_);
  }
  void TearDown() override {
    // Closing the handle cancels a pending connect, whose callback runs before the close's:
    // only then may the dialer (which holds the request) go.
    timers_.close([] {});
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    dialer_.reset();
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }
  void runUntilDone() {
    for (int i = 0; i < 5000 && !outcome_; ++i) uv_run(&loop_, UV_RUN_ONCE);
  }
  void dial(uint16_t port, Duration timeout = Duration::zero()) {
    dialer_.emplace();
    dialer_->start(
        &loop_, &tcp_, HostPort{"127.0.0.1", port}, [this](const Dialer::Outcome& o) { outcome_ = o; }, &timers_,
        timeout);
  }

  uv_loop_t loop_{};
  uv_tcp_t tcp_{};
  TimerQueue timers_;
  std::optional<Dialer> dialer_;
  std::optional<Dialer::Outcome> outcome_;
};

TEST_F(DialerOnALoop, ConnectsToANumericAddressWithoutResolving) {
  testing::TcpServer server = testing::TcpServer::echo();
  dial(server.port(), std::chrono::seconds(5));
  EXPECT_FALSE(dialer_->resolving());
  runUntilDone();
  ASSERT_TRUE(outcome_);
  EXPECT_EQ(outcome_->status, 0);
  EXPECT_EQ(outcome_->address, "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(timers_.pending(), 0u) << "the deadline is cancelled once connected";
}

TEST_F(DialerOnALoop, ARefusedConnectionReportsTheConnectStage) {
  dial(testing::unusedPort());
  runUntilDone();
  ASSERT_TRUE(outcome_);
  EXPECT_EQ(outcome_->status, UV_ECONNREFUSED);
  EXPECT_EQ(outcome_->stage, Dialer::Stage::kConnect);
}

TEST_F(DialerOnALoop, CancelledDialNeverCallsBack) {
  testing::TcpServer server = testing::TcpServer::echo();
  dial(server.port(), std::chrono::seconds(5));
  dialer_->cancel();
  for (int i = 0; i < 20; ++i) uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_FALSE(outcome_);
  EXPECT_EQ(timers_.pending(), 0u);
}

}  // namespace
}  // namespace faultline

#include "net/tcp_listener.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "net/address.h"
#include "support/sockets.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;

// An owner that keeps accepted clients open and closes refused ones, recording what happened.
class Recorder final : public TcpAcceptor {
 public:
  explicit Recorder(uv_loop_t* loop) : loop_(loop) {}
  uv_tcp_t* newClient() override {
    auto* tcp = new uv_tcp_t;
    uv_tcp_init(loop_, tcp);
    tcp->data = this;
    return tcp;
  }
  void accepted(uv_tcp_t* client) override { live_.push_back(client); }
  void refused(uv_tcp_t* client, Refusal why) override {
    refusals_.push_back(why);
    closeClient(client);
  }
  void acceptFailed(uv_tcp_t* client, int) override {
    ++failures_;
    closeClient(client);
  }
  std::size_t liveConnections() const override { return live_.size(); }
  bool makeRoom() override {
    if (!evict_ || live_.empty()) return false;
    closeClient(live_.front());
    live_.erase(live_.begin());
    ++evicted_;
    return true;
  }
  void closeAll() {
    for (uv_tcp_t* tcp : live_) closeClient(tcp);
    live_.clear();
  }

  std::vector<uv_tcp_t*> live_;
  std::vector<Refusal> refusals_;
  int failures_ = 0;
  int evicted_ = 0;
  bool evict_ = false;

 private:
  static void closeClient(uv_tcp_t* tcp) {
    uv_close(reinterpret_cast<uv_handle_t*>(tcp), [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
  }
  uv_loop_t* loop_;
};

class TcpListenerOnALoop : public ::testing::Test {
 protected:
  void SetUp() override { uv_loop_init(&loop_); }
  void TearDown() override {
    owner_.closeAll();
    if (listener_ != nullptr) listener_->close();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }
  Result<TcpListener*> open(const std::string& host, uint16_t port, TcpListenerOptions options = {}) {
    auto address = numericSockaddr(HostPort{host, port});
    EXPECT_TRUE(address.has_value());
    return TcpListener::open(&loop_, reinterpret_cast<const sockaddr*>(&*address), owner_, std::move(options));
  }
  uint16_t boundPort() const { return parseHostPort(listener_->boundAddress())->port; }
  // Runs the loop until `done` holds (bounded).
  template <typename F>
  void runUntil(F done) {
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < until) uv_run(&loop_, UV_RUN_NOWAIT);
  }

  uv_loop_t loop_{};
  Recorder owner_{&loop_};
  TcpListener* listener_ = nullptr;
};

TEST_F(TcpListenerOnALoop, PortZeroReportsTheBoundPortAndHandsEachConnectionToTheOwner) {
  auto listener = open("127.0.0.1", 0);
  ASSERT_TRUE(listener.ok()) << listener.error().message;
  listener_ = *listener;
  EXPECT_EQ(listener_->boundAddress().rfind("127.0.0.1:", 0), 0u) << listener_->boundAddress();
  auto first = testing::Socket::connectTo(boundPort());
  auto second = testing::Socket::connectTo(boundPort());
  runUntil([&] { return owner_.live_.size() == 2; });
  EXPECT_EQ(owner_.live_.size(), 2u);
  EXPECT_TRUE(owner_.refusals_.empty());
}

TEST_F(TcpListenerOnALoop, ABindErrorNamesTheResolvedAddressAsToxiproxyDoes) {
  testing::HeldPort busy;
  int status = 0;
  auto address = numericSockaddr(HostPort{"localhost", busy.port()});
  ASSERT_TRUE(address.has_value());
  auto listener =
      TcpListener::open(&loop_, reinterpret_cast<const sockaddr*>(&*address), owner_, TcpListenerOptions{}, &status);
  ASSERT_FALSE(listener.ok());
  EXPECT_EQ(listener.error().message, "listen tcp 127.0.0.1:" + std::to_string(busy.port()) +
                                          ": bind: address already in use");
  EXPECT_EQ(status, UV_EADDRINUSE);
}

TEST_F(TcpListenerOnALoop, OverTheCapTheConnectionIsRefusedUnlessTheOwnerMakesRoom) {
  TcpListenerOptions options;
  options.max_connections = 1;
  auto listener = open("127.0.0.1", 0, options);
  ASSERT_TRUE(listener.ok()) << listener.error().message;
  listener_ = *listener;
  auto kept = testing::Socket::connectTo(boundPort());
  runUntil([&] { return owner_.live_.size() == 1; });
  auto extra = testing::Socket::connectTo(boundPort());
  runUntil([&] { return !owner_.refusals_.empty(); });
  ASSERT_EQ(owner_.refusals_.size(), 1u);
  EXPECT_EQ(owner_.refusals_[0], TcpAcceptor::Refusal::kMaxConnections);
  EXPECT_EQ(owner_.live_.size(), 1u);

  owner_.evict_ = true;
  auto newcomer = testing::Socket::connectTo(boundPort());
  runUntil([&] { return owner_.evicted_ == 1 && owner_.live_.size() == 1; });
  EXPECT_EQ(owner_.evicted_, 1);
  EXPECT_EQ(owner_.refusals_.size(), 1u) << "room was made: the newcomer is admitted";
}

TEST_F(TcpListenerOnALoop, ClosedListenerRunsItsCallbackAndStopsHandingOut) {
  auto listener = open("127.0.0.1", 0);
  ASSERT_TRUE(listener.ok()) << listener.error().message;
  bool closed = false;
  (*listener)->close([&] { closed = true; });
  runUntil([&] { return closed; });
  EXPECT_TRUE(closed);
}

}  // namespace
}  // namespace faultline

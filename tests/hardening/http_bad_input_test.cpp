// TESTS.md "Bad input / HTTP" and "Host header" through the real binary: every case ends with
// the process alive and answering. (The parser and HttpServer are unit-tested in tests/unit/http;
// these prove `faultline serve` wires the same limits into its API.)
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "support/serve_process.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;

const std::string kHost = "Host: 127.0.0.1\r\n";

class HttpBadInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServeProcess(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(server_->ready()) << server_->child().output();
    baseline_fds_ = server_->openFds();
  }
  // Every case ends with the process alive and its fds back at the baseline (TESTS.md).
  void TearDown() override {
    auto alive = server_->api("GET", "/version");
    EXPECT_TRUE(alive.ok() && alive->status == 200)
        << "the server stopped answering after this case; exit=" << server_->child().wait(0ms)
        << " output:\n" << server_->child().readAll(100ms);
    int now = -1;
    for (int i = 0; i < 100 && (now = server_->openFds()) > baseline_fds_; ++i) std::this_thread::sleep_for(50ms);
    EXPECT_LE(now, baseline_fds_) << "this case left fds open in the server";
  }
  int baseline_fds_ = -1;
  static uint16_t port() { return server_->apiPort(); }
  static ServeProcess* server_;
};
ServeProcess* HttpBadInput::server_ = nullptr;

TEST_F(HttpBadInput, OversizedHeadersAre431) {
  const std::string raw = "GET /version HTTP/1.1\r\n" + kHost + "X-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n";
  EXPECT_EQ(statusCodes(rawExchange(port(), raw, 5s)), std::vector<int>{431});
}

TEST_F(HttpBadInput, OversizedRequestTargetIs414) {
  const std::string raw = "GET /" + std::string(9 * 1024, 'a') + " HTTP/1.1\r\n" + kHost + "\r\n";
  EXPECT_EQ(statusCodes(rawExchange(port(), raw, 5s)), std::vector<int>{414});
}

TEST_F(HttpBadInput, BodyOverOneMebibyteIs413) {
  const std::string raw = "POST /proxies HTTP/1.1\r\n" + kHost + "Content-Length: " +
                          std::to_string((1 << 20) + 1) + "\r\n\r\n" + std::string((1 << 20) + 1, '{');
  EXPECT_EQ(statusCodes(rawExchange(port(), raw, 10s)), std::vector<int>{413});
}

TEST_F(HttpBadInput, SlowHeadersGet408) {
  Socket socket = Socket::connectTo(port());
  ASSERT_TRUE(socket.sendAll("GET /version HTTP/1.1\r\nHo"));
  // The serve command's header timeout is 10 s; the deadline leaves room for a loaded machine.
  const std::string reply = socket.readUntilClosed(25s);
  EXPECT_EQ(statusCodes(reply), std::vector<int>{408}) << reply;
}

TEST_F(HttpBadInput, MalformedRequestIs400AndClose) {
  const std::string reply = rawExchange(port(), "GET /version HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n", 5s);
  EXPECT_EQ(statusCodes(reply), std::vector<int>{400}) << reply;
}

TEST_F(HttpBadInput, PipelinedRequestsAreAnsweredInOrder) {
  const std::string raw = "GET /version HTTP/1.1\r\n" + kHost + "\r\n" + "GET /nope HTTP/1.1\r\n" + kHost + "\r\n" +
                          "PUT /proxies HTTP/1.1\r\n" + kHost + "Content-Length: 0\r\n\r\n";
  EXPECT_EQ(statusCodes(rawExchange(port(), raw, 5s)), (std::vector<int>{200, 404, 405}));
}

TEST_F(HttpBadInput, RequestSplitAtEveryByteGetsTheSameAnswer) {
  const std::string raw = "POST /proxies HTTP/1.1\r\n" + kHost +
                          "Content-Length: 12\r\nConnection: close\r\n\r\n{\"name\": \"\"}";
  const auto whole = statusCodes(rawExchange(port(), raw, 5s));
  ASSERT_EQ(whole, std::vector<int>{400});
  for (std::size_t split = 1; split < raw.size(); ++split) {
    Socket socket = Socket::connectTo(port());
    ASSERT_TRUE(socket.sendAll(raw.substr(0, split)));
    // Two separate segments: the server's read sees the first part alone.
    std::this_thread::sleep_for(2ms);
    ASSERT_TRUE(socket.sendAll(raw.substr(split)));
    EXPECT_EQ(statusCodes(socket.readUntilClosed(5s)), whole) << "split at byte " << split;
  }
}

TEST_F(HttpBadInput, HostHeaderNotLoopbackIs403) {
  for (const std::string host : {"evil.example", "evil.example:8474", "127.0.0.1.evil.example", "localhost.evil"}) {
    const std::string raw = "GET /proxies HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
    EXPECT_EQ(statusCodes(rawExchange(port(), raw, 5s)), std::vector<int>{403}) << host;
  }
}

TEST_F(HttpBadInput, NoCorsHeadersEvenForAPreflight) {
  const std::string raw = "OPTIONS /proxies HTTP/1.1\r\n" + kHost +
                          "Origin: http://evil.example\r\nAccess-Control-Request-Method: POST\r\n"
                          "Connection: close\r\n\r\n";
  const std::string reply = rawExchange(port(), raw, 5s);
  ASSERT_FALSE(statusCodes(reply).empty()) << reply;
  EXPECT_EQ(reply.find("Access-Control-"), std::string::npos) << reply;
}

TEST_F(HttpBadInput, GarbageOfEveryKindLeavesTheProcessAliveAndFdsAtBaseline) {
  const int baseline = server_->openFds();
  ASSERT_GT(baseline, 0);
  const std::vector<std::string> cases = {
      std::string("\0\0\0\0", 4), "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", "GET\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "GET / HTTP/1.1\r\n\x01: x\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"};
  for (const auto& raw : cases) {
    const auto codes = statusCodes(rawExchange(port(), raw, 5s));
    EXPECT_TRUE(codes.size() == 1 && codes[0] >= 400 && codes[0] < 500) << ::testing::PrintToString(raw);
  }
  // The server closes its side at once; the fd count settles within the deadline.
  int now = -1;
  for (int i = 0; i < 100 && (now = server_->openFds()) > baseline; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_LE(now, baseline);
}

}  // namespace
}  // namespace faultline::testing

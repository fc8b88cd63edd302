#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/http_server.h"
#include "support/http_test_util.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;
using testing::kDeadline;
using testing::LoopThread;
using testing::RawClient;

std::string get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() {
    loop_.setOnStop([this] {
      held_.clear();
      server_.reset();
    });
  }

  // Starts a server on 127.0.0.1:0 on the loop thread and returns its port.
  uint16_t start(HttpServerOptions options, HttpServer::Handler handler) {
    return loop_.call([&]() -> uint16_t {
      server_ = std::make_unique<HttpServer>(loop_.loop(), options, std::move(handler));
      auto address = server_->listen("127.0.0.1", 0);
      EXPECT_TRUE(address.ok()) << address.error().message;
      return address.ok() ? testing::portOf(*address) : 0;
    });
  }

  // Echo handler: answers "<METHOD> <path>" at once.
  static HttpServer::Handler echo() {
    return [](HttpRequest&& request, HttpResponder responder) {
      responder.respond(HttpResponse::text(200, request.method + " " + request.path));
    };
  }

  HttpServerStats stats() {
    return loop_.call([this] { return server_->stats(); });
  }

  // Declared before loop_ so they outlive it: the loop's teardown touches them on its thread.
  std::unique_ptr<HttpServer> server_;
  std::vector<HttpResponder> held_;
  LoopThread loop_;
};

TEST_F(HttpServerTest, ListenOnPortZeroReturnsTheBoundPort) {
  uint16_t port = start({}, echo());
  EXPECT_NE(port, 0);
  EXPECT_EQ(loop_.call([this] { return server_->address(); }), "127.0.0.1:" + std::to_string(port));
}

TEST_F(HttpServerTest, ListensOnIpv6Loopback) {
  auto address = loop_.call([this] {
    server_ = std::make_unique<HttpServer>(loop_.loop(), HttpServerOptions{}, echo());
    auto r = server_->listen("::1", 0);
    return r.ok() ? *r : r.error().message;
  });
  if (address.find("EADDRNOTAVAIL") != std::string::npos || address.find("EAFNOSUPPORT") != std::string::npos) {
    GTEST_SKIP() << "no IPv6 loopback here: " << address;
  }
  EXPECT_EQ(address.rfind("[::1]:", 0), 0u) << address;
}

TEST_F(HttpServerTest, ListenOnANameIsRejectedWithAClearError) {
  auto error = loop_.call([this] {
    server_ = std::make_unique<HttpServer>(loop_.loop(), HttpServerOptions{}, echo());
    auto r = server_->listen("example.invalid", 0);
    return r.ok() ? std::string() : r.error().message;
  });
  EXPECT_NE(error.find("not a numeric IP"), std::string::npos) << error;
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  RawClient client(start({}, echo()));
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send(get("/one")));
  auto first = client.readResponse();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "GET /one");
  EXPECT_EQ(first->header("Connection"), "keep-alive");
  ASSERT_TRUE(client.send(get("/two")));
  auto second = client.readResponse();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "GET /two");
  EXPECT_EQ(stats().connections_accepted, 1u);
  EXPECT_EQ(stats().requests, 2u);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  // The first request is answered last in time if the server handled them concurrently.
  uv_loop_t* loop = loop_.loop();
  RawClient client(start({}, [loop](HttpRequest&& request, HttpResponder responder) {
    auto delay = request.path == "/slow" ? 100ms : 0ms;
    auto shared = std::make_shared<HttpResponder>(std::move(responder));
    std::string path = request.path;
    testing::runAfter(loop, delay, [shared, path] { shared->respond(HttpResponse::text(200, path)); });
  }));
  ASSERT_TRUE(client.send(get("/slow") + get("/fast") + get("/last")));
  for (const char* expected : {"/slow", "/fast", "/last"}) {
    auto response = client.readResponse();
    ASSERT_TRUE(response) << expected;
    EXPECT_EQ(response->body, expected);
  }
}

TEST_F(HttpServerTest, RequestSplitAcrossWritesIsServed) {
  RawClient client(start({}, echo()));
  const std::string request = "POST /split HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
  for (char c : request) ASSERT_TRUE(client.send(std::string(1, c)));
  auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "POST /split");
}

TEST_F(HttpServerTest, AsyncResponderAnswersAfterATimer) {
  uv_loop_t* loop = loop_.loop();
  RawClient client(start({}, [loop](HttpRequest&&, HttpResponder responder) {
    auto shared = std::make_shared<HttpResponder>(std::move(responder));
    testing::runAfter(loop, 50ms, [shared] { shared->respond(HttpResponse::json(202, "{\"late\":true}")); });
  }));
  ASSERT_TRUE(client.send(get("/later")));
  auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 202);
  EXPECT_EQ(response->body, "{\"late\":true}");
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  HttpServerOptions options;
  options.idle_timeout = 100ms;
  RawClient client(start(options, echo()));
  ASSERT_TRUE(client.send(get("/")));
  ASSERT_TRUE(client.readResponse());
  EXPECT_TRUE(client.waitClosed());
}

TEST_F(HttpServerTest, SlowHeadersGet408AndTheConnectionCloses) {
  HttpServerOptions options;
  options.header_timeout = 150ms;
  RawClient client(start(options, echo()));
  ASSERT_TRUE(client.send("GET /slow HTTP/1.1\r\nHost: te"));
  auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
  EXPECT_NE(response->body.find("\"status\":408"), std::string::npos) << response->body;
  EXPECT_TRUE(client.waitClosed());
  EXPECT_EQ(stats().timeouts, 1u);
}

TEST_F(HttpServerTest, SlowBodyGets408AndTheConnectionCloses) {
  HttpServerOptions options;
  options.header_timeout = 150ms;  // covers the whole request, body included
  RawClient client(start(options, echo()));
  ASSERT_TRUE(client.send("POST /slow HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\nabc"));
  auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
  EXPECT_TRUE(client.waitClosed());
  EXPECT_EQ(stats().timeouts, 1u);
}

TEST_F(HttpServerTest, TrickledHeadersDoNotExtendTheDeadline) {
  HttpServerOptions options;
  options.header_timeout = 300ms;
  RawClient client(start(options, echo()));
  ASSERT_TRUE(client.send("GET / HTTP/1.1\r\n"));
  // Keep sending a header byte every 50 ms, past the deadline; the 408 must still come.
  std::optional<HttpResponse> response;
  std::thread trickle([&client] {
    for (int i = 0; i < 20; ++i) {
      if (!client.send("X")) return;
      std::this_thread::sleep_for(50ms);
    }
  });
  response = client.readResponse();
  trickle.join();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
}

TEST_F(HttpServerTest, ConnectionsOverTheLimitAreClosedWhileExistingOnesWork) {
  HttpServerOptions options;
  options.max_connections = 2;
  uint16_t port = start(options, echo());
  RawClient first(port);
  RawClient second(port);
  ASSERT_TRUE(first.send(get("/1")));
  ASSERT_TRUE(first.readResponse());
  ASSERT_TRUE(second.send(get("/2")));
  ASSERT_TRUE(second.readResponse());

  RawClient extra(port);
  ASSERT_TRUE(extra.connected());
  EXPECT_TRUE(extra.waitClosed());

  ASSERT_TRUE(first.send(get("/again")));
  auto again = first.readResponse();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "GET /again");
  EXPECT_EQ(stats().connections_refused, 1u);
  EXPECT_EQ(stats().connections_active, 2u);

  // A freed slot is usable again: the server never stops accepting for good.
  first.close();
  ASSERT_TRUE(second.send(get("/2", "Connection: close\r\n")));
  ASSERT_TRUE(second.readResponse());
  EXPECT_TRUE(second.waitClosed());
  second.close();
  const auto until = std::chrono::steady_clock::now() + kDeadline;
  while (stats().connections_active > 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
  RawClient later(port);
  ASSERT_TRUE(later.send(get("/later")));
  auto response = later.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "GET /later");
}

TEST_F(HttpServerTest, AtTheCapTheLongestIdleKeepAliveConnectionMakesRoom) {
  HttpServerOptions options;
  options.max_connections = 2;
  options.evict_idle_at_cap = true;
  uint16_t port = start(options, echo());
  RawClient oldest(port);
  ASSERT_TRUE(oldest.send(get("/1")));
  ASSERT_TRUE(oldest.readResponse());
  RawClient newer(port);
  ASSERT_TRUE(newer.send(get("/2")));
  ASSERT_TRUE(newer.readResponse());

  RawClient extra(port);
  ASSERT_TRUE(extra.send(get("/3")));
  auto answer = extra.readResponse();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->body, "GET /3");
  EXPECT_TRUE(oldest.waitClosed());
  EXPECT_EQ(stats().connections_evicted, 1u);
  EXPECT_EQ(stats().connections_refused, 0u);
  ASSERT_TRUE(newer.send(get("/still")));
  auto still = newer.readResponse();
  ASSERT_TRUE(still);
  EXPECT_EQ(still->body, "GET /still");
}

TEST_F(HttpServerTest, ConnectionsThatNeverSentARequestAreNotEvicted) {
  HttpServerOptions options;
  options.max_connections = 1;
  options.evict_idle_at_cap = true;
  uint16_t port = start(options, echo());
  RawClient silent(port);
  ASSERT_TRUE(silent.connected());
  RawClient extra(port);
  EXPECT_TRUE(extra.waitClosed());
  EXPECT_EQ(stats().connections_refused, 1u);
}

TEST_F(HttpServerTest, ParseErrorAnswersCarryTheDecoration) {
  HttpServerOptions options;
  options.decorate = [](HttpResponse& response) { response.setHeader("X-Stamp", "yes"); };
  uint16_t port = start(options, echo());
  RawClient client(port);
  ASSERT_TRUE(client.send("NOT HTTP AT ALL\r\n\r\n"));
  auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->header("X-Stamp"), "yes");
}

TEST_F(HttpServerTest, ResponderUsedAfterThePeerDisconnectedIsHarmless) {
  std::atomic<bool> received{false};
  uint16_t port = start({}, [this, &received](HttpRequest&&, HttpResponder responder) {
    held_.push_back(std::move(responder));
    received = true;
  });
  {
    RawClient client(port);
    ASSERT_TRUE(client.send(get("/hold")));
    const auto until = std::chrono::steady_clock::now() + kDeadline;
    while (!received && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
    ASSERT_TRUE(received);
  }  // client gone
  const auto until = std::chrono::steady_clock::now() + kDeadline;
  while (loop_.call([this] { return held_.front().connected(); }) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_FALSE(loop_.call([this] { return held_.front().connected(); }));
  loop_.call([this] {
    held_.front().respond(HttpResponse::text(200, "too late"));
    held_.front().respond(HttpResponse::text(200, "twice"));
    held_.clear();
    return 0;
  });
  // The server is unaffected: the next request is handled and answered.
  received = false;
  RawClient next(port);
  ASSERT_TRUE(next.send(get("/hold")));
  const auto until_next = std::chrono::steady_clock::now() + kDeadline;
  while (!received && std::chrono::steady_clock::now() < until_next) std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(received);
  loop_.call([this] {
    held_.front().respond(HttpResponse::text(200, "answered"));
    return 0;
  });
  auto response = next.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "answered");
}

TEST_F(HttpServerTest, HandlerExceptionBecomes500) {
  RawClient client(start({}, [](HttpRequest&&, HttpResponder) { throw std::runtime_error("boom"); }));
  ASSERT_TRUE(client.send(get("/throw")));
  auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(stats().handler_errors, 1u);
}

TEST_F(HttpServerTest, DroppedResponderAnswers500) {
  RawClient client(start({}, [](HttpRequest&&, HttpResponder) {}));
  ASSERT_TRUE(client.send(get("/dropped")));
  auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
}

TEST_F(HttpServerTest, MalformedRequestGets400JsonAndClose) {
  RawClient client(start({}, echo()));
  ASSERT_TRUE(client.send("FOO / HTTP/1.1\r\n\r\n"));
  auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->header("Content-Type"), "application/json");
  EXPECT_NE(response->body.find("\"status\":400"), std::string::npos) << response->body;
  EXPECT_NE(response->body.find("\"error\":"), std::string::npos) << response->body;
  EXPECT_EQ(response->header("Connection"), "close");
  EXPECT_TRUE(client.waitClosed());
  EXPECT_EQ(stats().parse_errors, 1u);
}

TEST_F(HttpServerTest, ValidRequestBeforeGarbageIsAnsweredThenTheErrorIs) {
  RawClient client(start({}, echo()));
  ASSERT_TRUE(client.send(get("/ok") + "\x01\x02garbage\r\n\r\n"));
  auto ok = client.readResponse();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto bad = client.readResponse();
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(client.waitClosed());
}

TEST_F(HttpServerTest, LimitsAnswerTheirOwnStatus) {
  HttpServerOptions options;
  options.max_url_bytes = 256;
  options.max_header_bytes = 1024;
  options.max_body_bytes = 1024;
  uint16_t port = start(options, echo());
  struct Case {
    std::string request;
    int status;
  };
  const std::vector<Case> cases = {
      {get("/" + std::string(1000, 'u')), 414},
      {get("/", "X-Big: " + std::string(2000, 'h') + "\r\n"), 431},
      {"POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'b'), 413},
  };
  for (const auto& c : cases) {
    RawClient client(port);
    ASSERT_TRUE(client.send(c.request));
    auto response = client.readResponse();
    ASSERT_TRUE(response) << c.status;
    EXPECT_EQ(response->status, c.status);
    EXPECT_TRUE(client.waitClosed()) << c.status;
  }
  EXPECT_EQ(stats().parse_errors, 3u);
}

TEST_F(HttpServerTest, ConnectionCloseRequestClosesAfterTheResponse) {
  RawClient client(start({}, echo()));
  ASSERT_TRUE(client.send(get("/bye", "Connection: close\r\n")));
  auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->header("Connection"), "close");
  EXPECT_TRUE(client.waitClosed());
}

TEST_F(HttpServerTest, HalfClosedClientStillGetsItsAnswers) {
  RawClient client(start({}, echo()));
  ASSERT_TRUE(client.send(get("/a") + get("/b")));
  client.shutdownWrite();
  auto a = client.readResponse();
  auto b = client.readResponse();
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(a->body, "GET /a");
  EXPECT_EQ(b->body, "GET /b");
  EXPECT_TRUE(client.waitClosed());
}

TEST_F(HttpServerTest, CloseEndsOpenConnectionsAndCallsBack) {
  uint16_t port = start({}, echo());
  RawClient client(port);
  ASSERT_TRUE(client.send(get("/")));
  ASSERT_TRUE(client.readResponse());
  std::atomic<bool> closed{false};
  loop_.call([this, &closed] {
    server_->close([&closed] { closed = true; });
    return 0;
  });
  EXPECT_TRUE(client.waitClosed());
  const auto until = std::chrono::steady_clock::now() + kDeadline;
  while (!closed && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(closed);
  RawClient refused(port);
  EXPECT_FALSE(refused.connected());
}

}  // namespace
}  // namespace faultline

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <optional>
#include <string>

#include "http/http_client.h"
#include "http/http_server.h"
#include "support/http_test_util.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;
using testing::kDeadline;
using testing::LoopThread;

class HttpClientTest : public ::testing::Test {
 protected:
  HttpClientTest() {
    loop_.setOnStop([this] { server_.reset(); });
  }

  // A server answering "<METHOD> <path>?<query> <body>" with the request's X-Echo header echoed back.
  uint16_t startServer() {
    return loop_.call([this]() -> uint16_t {
      server_ = std::make_unique<HttpServer>(
          loop_.loop(), HttpServerOptions{}, [](HttpRequest&& request, HttpResponder responder) {
            auto response = HttpResponse::text(
                request.path == "/missing" ? 404 : 200,
                request.method + " " + request.path + "?" + request.query + " " + request.body);
            response.setHeader("X-Echo", request.header("X-Echo"));
            responder.respond(std::move(response));
          });
      auto address = server_->listen("127.0.0.1", 0);
      return address.ok() ? testing::portOf(*address) : 0;
    });
  }

  // Runs one async call on the loop thread and waits for its callback.
  Result<HttpResponse> call(HttpClientRequest request, bool cancel_at_once = false) {
    auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
    auto future = promise->get_future();
    auto called_inside = std::make_shared<bool>(false);
    loop_.post([this, request, promise, cancel_at_once, called_inside] {
      auto inside = std::make_shared<bool>(true);
      auto handle = HttpClient::request(loop_.loop(), request, [promise, inside, called_inside](Result<HttpResponse> r) {
        *called_inside = *inside;
        promise->set_value(std::move(r));
      });
      if (cancel_at_once) handle.cancel();
      *inside = false;
    });
    if (future.wait_for(kDeadline) != std::future_status::ready) {
      return Error::io("test: no callback within the deadline");
    }
    EXPECT_FALSE(*called_inside) << "callback ran synchronously inside request()";
    return future.get();
  }

  std::unique_ptr<HttpServer> server_;
  LoopThread loop_;
};

HttpClientRequest to(uint16_t port, std::string path) {
  HttpClientRequest request;
  request.port = port;
  request.path = std::move(path);
  return request;
}

TEST_F(HttpClientTest, GetReturnsStatusHeadersAndBody) {
  auto request = to(startServer(), "/data?size=3");
  request.headers.emplace_back("X-Echo", "hello");
  auto response = call(request);
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "GET /data?size=3 ");
  EXPECT_EQ(response->header("x-echo"), "hello");
}

TEST_F(HttpClientTest, PostSendsTheBody) {
  auto request = to(startServer(), "/things");
  request.method = "POST";
  request.body = "{\"a\":1}";
  auto response = call(request);
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->body, "POST /things? {\"a\":1}");
}

TEST_F(HttpClientTest, ErrorStatusesAreResponsesNotErrors) {
  auto response = call(to(startServer(), "/missing"));
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 404);
}

TEST_F(HttpClientTest, HostNamesAreResolved) {
  auto request = to(startServer(), "/named");
  request.host = "localhost";
  auto response = call(request);
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpClientTest, ServerThatNeverAnswersTimesOut) {
  testing::SilentListener silent;
  auto request = to(silent.port(), "/");
  request.timeout = 100ms;
  auto response = call(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(httpClientFailure(response.error()), HttpClientFailure::kTimeout) << response.error().message;
  EXPECT_NE(response.error().message.find("deadline exceeded"), std::string::npos) << response.error().message;
}

TEST_F(HttpClientTest, ClosedPortIsConnectionRefused) {
  auto response = call(to(testing::unusedPort(), "/"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(httpClientFailure(response.error()), HttpClientFailure::kConnectionRefused) << response.error().message;
  EXPECT_NE(response.error().message.find("ECONNREFUSED"), std::string::npos) << response.error().message;
}

TEST_F(HttpClientTest, CancelDeliversCancelledOnce) {
  testing::SilentListener silent;
  auto request = to(silent.port(), "/");
  request.timeout = 10s;
  auto response = call(request, /*cancel_at_once=*/true);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(httpClientFailure(response.error()), HttpClientFailure::kCancelled) << response.error().message;
}

TEST_F(HttpClientTest, DestroyingTheHandleDoesNotCancel) {
  auto response = call(to(startServer(), "/kept"));  // call() drops its HttpCall at once
  ASSERT_TRUE(response.ok()) << response.error().message;
}

TEST_F(HttpClientTest, GarbageResponseIsMalformed) {
  // A server that answers with something that is not HTTP.
  uint16_t port = testing::unusedPort();
  std::promise<void> listening;
  std::thread garbage([port, &listening] {
    testing::SilentListener::serveOnce(port, "NOT HTTP AT ALL\r\n\r\n", listening);
  });
  listening.get_future().wait_for(kDeadline);
  auto response = call(to(port, "/"));
  garbage.join();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(httpClientFailure(response.error()), HttpClientFailure::kMalformedResponse) << response.error().message;
}

TEST_F(HttpClientTest, ConnectionClosedBeforeAResponseIsReset) {
  uint16_t port = testing::unusedPort();
  std::promise<void> listening;
  std::thread closer([port, &listening] { testing::SilentListener::serveOnce(port, "", listening); });
  listening.get_future().wait_for(kDeadline);
  auto response = call(to(port, "/"));
  closer.join();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(httpClientFailure(response.error()), HttpClientFailure::kReset) << response.error().message;
}

TEST(HttpRequestSync, FetchesFromAServerOnAnotherLoop) {
  std::unique_ptr<HttpServer> server;
  LoopThread loop;
  loop.setOnStop([&server] { server.reset(); });
  uint16_t port = loop.call([&]() -> uint16_t {
    server = std::make_unique<HttpServer>(loop.loop(), HttpServerOptions{}, [](HttpRequest&& r, HttpResponder responder) {
      responder.respond(HttpResponse::json(200, "{\"path\":\"" + r.path + "\"}"));
    });
    auto address = server->listen("127.0.0.1", 0);
    return address.ok() ? testing::portOf(*address) : 0;
  });
  HttpClientRequest request;
  request.port = port;
  request.path = "/version";
  request.timeout = kDeadline;
  auto response = httpRequestSync(request);
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->body, "{\"path\":\"/version\"}");
}

TEST(HttpRequestSync, RefusedPortReturnsAnError) {
  HttpClientRequest request;
  request.port = testing::unusedPort();
  request.timeout = kDeadline;
  auto response = httpRequestSync(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(httpClientFailure(response.error()), HttpClientFailure::kConnectionRefused);
}

}  // namespace
}  // namespace faultline

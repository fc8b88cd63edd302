#include <gtest/gtest.h>

#include "http/http_message.h"
#include "http/http_wire.h"

namespace faultline {
namespace {

TEST(HttpMessage, HeaderLookupIgnoresCase) {
  HttpRequest request;
  request.headers = {{"Content-Type", "application/json"}, {"X-Id", "1"}, {"x-id", "2"}};
  EXPECT_EQ(request.header("content-type"), "application/json");
  EXPECT_EQ(request.header("X-ID"), "1");
  EXPECT_EQ(request.header("missing"), "");
}

TEST(HttpMessage, SetHeaderReplacesEveryHeaderOfThatName) {
  HttpResponse response;
  response.headers = {{"X-A", "1"}, {"x-a", "2"}, {"X-B", "3"}};
  response.setHeader("X-A", "9");
  ASSERT_EQ(response.headers.size(), 2u);
  EXPECT_EQ(response.header("x-a"), "9");
  response.setHeader("X-C", "4");
  EXPECT_EQ(response.header("X-C"), "4");
}

TEST(HttpMessage, FactoriesSetStatusBodyAndContentType) {
  auto json = HttpResponse::json(201, "{}");
  EXPECT_EQ(json.status, 201);
  EXPECT_EQ(json.body, "{}");
  EXPECT_EQ(json.header("Content-Type"), "application/json");
  auto text = HttpResponse::text(200, "hi");
  EXPECT_EQ(text.header("content-type"), "text/plain; charset=utf-8");
  auto empty = HttpResponse::empty(204);
  EXPECT_EQ(empty.status, 204);
  EXPECT_TRUE(empty.headers.empty());
}

TEST(HttpMessage, ReasonPhrasesForCommonAndUnknownStatuses) {
  EXPECT_STREQ(reasonPhrase(200), "OK");
  EXPECT_STREQ(reasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_STREQ(reasonPhrase(499), "Client Error");
  EXPECT_STREQ(reasonPhrase(599), "Server Error");
}

TEST(HttpWire, ResponseCarriesContentLengthAndConnection) {
  auto response = HttpResponse::text(200, "hello");
  response.headers.emplace_back("Content-Length", "999");  // ignored: the serializer owns framing
  EXPECT_EQ(serializeResponse(response, true),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n"
            "Connection: keep-alive\r\n\r\nhello");
  EXPECT_NE(serializeResponse(response, false).find("Connection: close\r\n"), std::string::npos);
}

TEST(HttpWire, NoContentResponseHasNoBodyOrLength) {
  auto response = HttpResponse::empty(204);
  response.body = "ignored";
  EXPECT_EQ(serializeResponse(response, true), "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n");
}

TEST(HttpWire, RequestAddsHostConnectionAndLength) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/proxies";
  request.query = "a=1";
  request.body = "{}";
  EXPECT_EQ(serializeRequest(request, "127.0.0.1:8474"),
            "POST /proxies?a=1 HTTP/1.1\r\nHost: 127.0.0.1:8474\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}");
}

TEST(HttpWire, PercentDecodeRejectsTruncatedEscapes) {
  EXPECT_EQ(percentDecode("/a%20b%2Fc"), "/a b/c");
  EXPECT_EQ(percentDecode("/a+b"), "/a+b");
  EXPECT_FALSE(percentDecode("/a%2"));
  EXPECT_FALSE(percentDecode("/a%zz"));
  EXPECT_FALSE(percentDecode("%"));
}

TEST(QueryParam, FindsDecodesAndTellsAbsentFromEmpty) {
  EXPECT_EQ(queryParam("mode=reset&x=1", "mode"), "reset");
  EXPECT_EQ(queryParam("x=1&mode=reset", "mode"), "reset");
  EXPECT_EQ(queryParam("proxy=a%2Fb", "proxy"), "a/b");
  EXPECT_EQ(queryParam("proxy=50%", "proxy"), "50%");  // a malformed escape is kept as it came
  EXPECT_EQ(queryParam("recent&x=1", "recent"), "");
  EXPECT_EQ(queryParam("modes=reset", "mode"), std::nullopt);
  EXPECT_EQ(queryParam("", "mode"), std::nullopt);
}

}  // namespace
}  // namespace faultline

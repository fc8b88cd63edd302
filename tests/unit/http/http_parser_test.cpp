#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/http_parser.h"

namespace faultline {
namespace {

using Mode = HttpParser::Mode;

const std::string kPost =
    "POST /proxies/a%20b?x=1&y=2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    "X-Empty:\r\nContent-Length: 13\r\n\r\n{\"name\":\"ab\"}";

std::vector<HttpParsedMessage> drain(HttpParser& parser) {
  std::vector<HttpParsedMessage> out;
  while (parser.hasMessage()) out.push_back(parser.take());
  return out;
}

std::vector<HttpParsedMessage> parseInPieces(const std::string& bytes, std::size_t piece, Mode mode = Mode::kRequest) {
  HttpParser parser(mode);
  std::vector<HttpParsedMessage> out;
  for (std::size_t i = 0; i < bytes.size(); i += piece) {
    parser.feed(std::string_view(bytes).substr(i, piece));
    for (auto& m : drain(parser)) out.push_back(std::move(m));
  }
  EXPECT_FALSE(parser.failed()) << (parser.failed() ? parser.error().reason : "");
  return out;
}

HttpParseError parseError(const std::string& bytes, HttpParserLimits limits = {}) {
  HttpParser parser(Mode::kRequest, limits);
  parser.feed(bytes);
  while (parser.hasMessage()) parser.take();
  EXPECT_TRUE(parser.failed()) << "expected an error for: " << bytes.substr(0, 80);
  return parser.failed() ? parser.error() : HttpParseError{0, ""};
}

TEST(HttpParser, ParsesMethodPathQueryHeadersAndBody) {
  auto messages = parseInPieces(kPost, kPost.size());
  ASSERT_EQ(messages.size(), 1u);
  const HttpRequest& r = messages[0].request;
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/proxies/a%20b?x=1&y=2");
  EXPECT_EQ(r.path, "/proxies/a b");
  EXPECT_EQ(r.query, "x=1&y=2");
  EXPECT_EQ(r.header("content-type"), "application/json");
  ASSERT_EQ(r.headers.size(), 4u);
  EXPECT_EQ(r.headers[2].first, "X-Empty");
  EXPECT_EQ(r.headers[2].second, "");
  EXPECT_EQ(r.body, "{\"name\":\"ab\"}");
  EXPECT_TRUE(messages[0].keep_alive);
}

TEST(HttpParser, RequestSplitAtEveryByteParsesLikeTheWhole) {
  const auto whole = parseInPieces(kPost, kPost.size());
  ASSERT_EQ(whole.size(), 1u);
  for (std::size_t split = 1; split < kPost.size(); ++split) {
    HttpParser parser(Mode::kRequest);
    parser.feed(std::string_view(kPost).substr(0, split));
    EXPECT_FALSE(parser.hasMessage()) << "split at " << split;
    parser.feed(std::string_view(kPost).substr(split));
    ASSERT_TRUE(parser.hasMessage()) << "split at " << split;
    auto m = parser.take();
    EXPECT_EQ(m.request.path, whole[0].request.path) << "split at " << split;
    EXPECT_EQ(m.request.headers, whole[0].request.headers) << "split at " << split;
    EXPECT_EQ(m.request.body, whole[0].request.body) << "split at " << split;
  }
}

TEST(HttpParser, RequestFedOneByteAtATimeParsesLikeTheWhole) {
  const auto whole = parseInPieces(kPost, kPost.size());
  const auto bytewise = parseInPieces(kPost, 1);
  ASSERT_EQ(bytewise.size(), 1u);
  EXPECT_EQ(bytewise[0].request.target, whole[0].request.target);
  EXPECT_EQ(bytewise[0].request.headers, whole[0].request.headers);
  EXPECT_EQ(bytewise[0].request.body, whole[0].request.body);
}

TEST(HttpParser, PipelinedRequestsComeOutInOrderOneAtATime) {
  const std::string bytes = "GET /one HTTP/1.1\r\nHost: x\r\n\r\n" + kPost + "DELETE /three HTTP/1.1\r\nHost: x\r\n\r\n";
  HttpParser parser(Mode::kRequest);
  parser.feed(bytes);
  ASSERT_TRUE(parser.hasMessage());
  EXPECT_TRUE(parser.midMessage()) << "the next requests are still buffered";
  EXPECT_EQ(parser.take().request.path, "/one");
  ASSERT_TRUE(parser.hasMessage());
  EXPECT_EQ(parser.take().request.path, "/proxies/a b");
  ASSERT_TRUE(parser.hasMessage());
  auto third = parser.take();
  EXPECT_EQ(third.request.method, "DELETE");
  EXPECT_EQ(third.request.path, "/three");
  EXPECT_FALSE(parser.hasMessage());
  EXPECT_FALSE(parser.midMessage());
}

TEST(HttpParser, PipelinedRequestsSplitAtEveryByteGiveTheSameSequence) {
  const std::string bytes = "GET /one HTTP/1.1\r\nHost: x\r\n\r\n" + kPost + "GET /three HTTP/1.1\r\n\r\n";
  for (std::size_t piece : {1u, 2u, 3u, 7u, 64u}) {
    auto messages = parseInPieces(bytes, piece);
    ASSERT_EQ(messages.size(), 3u) << "piece " << piece;
    EXPECT_EQ(messages[0].request.path, "/one");
    EXPECT_EQ(messages[1].request.body, "{\"name\":\"ab\"}");
    EXPECT_EQ(messages[2].request.path, "/three");
  }
}

TEST(HttpParser, ChunkedBodyIsDecoded) {
  const std::string bytes =
      "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  auto messages = parseInPieces(bytes, 3);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].request.body, "hello world");
}

TEST(HttpParser, ConnectionCloseAndHttp10AreNotKeepAlive) {
  auto close = parseInPieces("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 100);
  ASSERT_EQ(close.size(), 1u);
  EXPECT_FALSE(close[0].keep_alive);
  auto old = parseInPieces("GET / HTTP/1.0\r\n\r\n", 100);
  ASSERT_EQ(old.size(), 1u);
  EXPECT_FALSE(old[0].keep_alive);
  auto old_keep = parseInPieces("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 100);
  ASSERT_EQ(old_keep.size(), 1u);
  EXPECT_TRUE(old_keep[0].keep_alive);
}

TEST(HttpParser, MidMessageIsTrueOnlyWhileARequestIsIncomplete) {
  HttpParser parser(Mode::kRequest);
  EXPECT_FALSE(parser.midMessage());
  parser.feed("GET / HT");
  EXPECT_TRUE(parser.midMessage());
  parser.feed("TP/1.1\r\n\r\n");
  ASSERT_TRUE(parser.hasMessage());
  parser.take();
  EXPECT_FALSE(parser.midMessage());
}

TEST(HttpParser, LongRequestTargetIs414) {
  HttpParserLimits limits;
  limits.max_url_bytes = 100;
  auto error = parseError("GET /" + std::string(200, 'a') + " HTTP/1.1\r\n\r\n", limits);
  EXPECT_EQ(error.status, 414);
}

TEST(HttpParser, LongRequestTargetFedByteByByteIs414) {
  HttpParserLimits limits;
  limits.max_url_bytes = 100;
  HttpParser parser(Mode::kRequest, limits);
  const std::string bytes = "GET /" + std::string(200, 'a');
  for (char c : bytes) parser.feed(std::string_view(&c, 1));
  ASSERT_TRUE(parser.failed());
  EXPECT_EQ(parser.error().status, 414);
}

TEST(HttpParser, HeadersOverTheLimitAre431) {
  HttpParserLimits limits;
  limits.max_header_bytes = 1024;
  std::string bytes = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 40; ++i) bytes += "X-Header-" + std::to_string(i) + ": " + std::string(40, 'v') + "\r\n";
  auto error = parseError(bytes + "\r\n", limits);
  EXPECT_EQ(error.status, 431);
}

TEST(HttpParser, DefaultHeaderLimitIs16KiB) {
  std::string under = "GET / HTTP/1.1\r\nX-Big: " + std::string(15 * 1024, 'v') + "\r\n\r\n";
  EXPECT_EQ(parseInPieces(under, under.size()).size(), 1u);
  auto error = parseError("GET / HTTP/1.1\r\nX-Big: " + std::string(17 * 1024, 'v') + "\r\n\r\n");
  EXPECT_EQ(error.status, 431);
}

TEST(HttpParser, DeclaredBodyOverTheLimitIs413BeforeTheBodyArrives) {
  HttpParser parser(Mode::kRequest);  // default 1 MiB
  parser.feed("POST / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n");
  ASSERT_TRUE(parser.failed());
  EXPECT_EQ(parser.error().status, 413);
}

TEST(HttpParser, ChunkedBodyOverTheLimitIs413) {
  HttpParserLimits limits;
  limits.max_body_bytes = 10;
  auto error = parseError("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n", limits);
  EXPECT_EQ(error.status, 413);
}

TEST(HttpParser, BodyExactlyAtTheLimitIsAccepted) {
  HttpParserLimits limits;
  limits.max_body_bytes = 10;
  HttpParser parser(Mode::kRequest, limits);
  parser.feed("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789");
  ASSERT_TRUE(parser.hasMessage());
  EXPECT_EQ(parser.take().request.body, "0123456789");
}

TEST(HttpParser, MalformedRequestsAre400WithLlhttpsReason) {
  const std::vector<std::string> inputs = {
      "FOO / HTTP/1.1\r\n\r\n",                                             // unknown method
      "GET / HTTP/9.9\r\n\r\n",                                             // bad version
      "GET / HTTP/1.1\r\nBad\x01Header: x\r\n\r\n",                         // control byte in a header name
      "GET / HTTP/1.1\r\nNoColon\r\n\r\n",                                  // header without ':'
      "GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n",                               // control byte in a value
      "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",                     // bad content length
      "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",  // duplicate lengths
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",       // bad chunk size
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",  // smuggling shape
      "GET /a%zz HTTP/1.1\r\n\r\n",                                         // bad percent-encoding
      "\x01\x02\x03\r\n\r\n",                                               // binary garbage
      "GET / HTTP/1.1\nHost: x\n\n\x7f",                                    // garbage after a request
  };
  for (const auto& input : inputs) {
    auto error = parseError(input);
    EXPECT_EQ(error.status, 400) << input;
    EXPECT_FALSE(error.reason.empty()) << input;
  }
}

TEST(HttpParser, InvalidMethodNamesLlhttpsError) {
  auto error = parseError("FOO / HTTP/1.1\r\n\r\n");
  EXPECT_NE(error.reason.find("HPE_INVALID_METHOD"), std::string::npos) << error.reason;
}

TEST(HttpParser, ErrorsStickAndFurtherBytesAreIgnored) {
  HttpParser parser(Mode::kRequest);
  parser.feed("FOO / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(parser.failed());
  parser.feed("GET / HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(parser.failed());
  EXPECT_FALSE(parser.hasMessage());
  EXPECT_EQ(parser.bufferedBytes(), 0u);
}

TEST(HttpParser, ValidRequestBeforeAnErrorIsStillDelivered) {
  HttpParser parser(Mode::kRequest);
  parser.feed("GET /ok HTTP/1.1\r\n\r\nFOO / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(parser.hasMessage());
  EXPECT_FALSE(parser.failed());
  EXPECT_EQ(parser.take().request.path, "/ok");
  EXPECT_TRUE(parser.failed());
}

TEST(HttpParser, ResponseWithContentLength) {
  auto messages = parseInPieces("HTTP/1.1 201 Created\r\nContent-Length: 2\r\nX-A: b\r\n\r\n{}", 1, Mode::kResponse);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].response.status, 201);
  EXPECT_EQ(messages[0].response.body, "{}");
  EXPECT_EQ(messages[0].response.header("x-a"), "b");
}

TEST(HttpParser, ResponseBodyDelimitedByEofCompletesOnFinish) {
  HttpParser parser(Mode::kResponse);
  parser.feed("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
  EXPECT_FALSE(parser.hasMessage());
  parser.finish();
  ASSERT_TRUE(parser.hasMessage());
  EXPECT_EQ(parser.take().response.body, "until the end");
}

TEST(HttpParser, TruncatedResponseIsAnErrorOnFinish) {
  HttpParser parser(Mode::kResponse);
  parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  parser.finish();
  EXPECT_FALSE(parser.hasMessage());
  ASSERT_TRUE(parser.failed());
  EXPECT_NE(parser.error().reason.find("connection closed"), std::string::npos) << parser.error().reason;
}

TEST(HttpParser, ResponseToHeadHasNoBody) {
  HttpParser parser(Mode::kResponse);
  parser.expectNoBody();
  parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
  ASSERT_TRUE(parser.hasMessage());
  EXPECT_EQ(parser.take().response.body, "");
}

}  // namespace
}  // namespace faultline

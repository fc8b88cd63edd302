#include "toxics/http/http_framer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace faultline {
namespace {

struct Mark {
  HttpFramer::Event event;
  std::size_t at;  // absolute offset in the stream where the event's part ends
  std::string detail;
  bool operator==(const Mark& o) const { return event == o.event && at == o.at && detail == o.detail; }
};

// Feeds `stream` in pieces of `piece` bytes and records every event with its absolute offset.
std::vector<Mark> frame(HttpFramer::Mode mode, const std::string& stream, std::size_t piece,
                        const std::vector<std::string>& head_methods = {}) {
  HttpFramer framer(mode);
  std::vector<Mark> marks;
  std::size_t responses = 0;
  for (std::size_t base = 0; base < stream.size(); base += piece) {
    const std::size_t len = std::min(piece, stream.size() - base);
    std::size_t off = 0;
    bool after_head = false;
    while (off < len || after_head) {
      after_head = false;
      auto step = framer.step(stream.data() + base + off, len - off);
      off += step.consumed;
      if (step.event == HttpFramer::Event::kNeedMore) break;
      std::string detail;
      if (step.event == HttpFramer::Event::kHead) {
        after_head = true;
        const auto& h = framer.head();
        detail = mode == HttpFramer::Mode::kRequest ? h.method + " " + h.target : std::to_string(h.status);
        if (mode == HttpFramer::Mode::kResponse && h.status >= 200) {
          if (responses < head_methods.size() && head_methods[responses] == "HEAD") framer.skipBody();
          ++responses;
        }
      }
      marks.push_back({step.event, base + off, detail});
      if (step.event == HttpFramer::Event::kError || step.event == HttpFramer::Event::kUpgrade) return marks;
    }
  }
  return marks;
}

const std::string kPipelinedRequests =
    "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
    "POST /b?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    "PUT /d HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok"
    "HEAD /e HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

TEST(HttpFramer, PipelinedRequestsFrameTheSameSplitAtEveryByte) {
  auto whole = frame(HttpFramer::Mode::kRequest, kPipelinedRequests, kPipelinedRequests.size());
  ASSERT_EQ(whole.size(), 10u);
  EXPECT_EQ(whole[0], (Mark{HttpFramer::Event::kHead, 28, "GET /a"}));
  EXPECT_EQ(whole[1], (Mark{HttpFramer::Event::kMessageEnd, 28, ""}));
  EXPECT_EQ(whole[2].detail, "POST /b?q=1");
  EXPECT_EQ(kPipelinedRequests.substr(whole[2].at, 5), "hello");
  EXPECT_EQ(whole[3].at, whole[2].at + 5);
  EXPECT_EQ(whole[4].detail, "POST /c");
  EXPECT_EQ(whole[6].detail, "PUT /d");
  EXPECT_EQ(whole[8].detail, "HEAD /e");
  EXPECT_EQ(whole[9].at, kPipelinedRequests.size());
  for (std::size_t piece = 1; piece < 40; ++piece) {
    EXPECT_EQ(frame(HttpFramer::Mode::kRequest, kPipelinedRequests, piece), whole) << "piece " << piece;
  }
}

TEST(HttpFramer, ResponsesPairWithHeadAnd1xxSplitAtEveryByte) {
  const std::string stream =
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
      "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"  // answers HEAD: no body follows
      "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n";
  const std::vector<std::string> methods = {"GET", "HEAD", "GET"};
  auto whole = frame(HttpFramer::Mode::kResponse, stream, stream.size(), methods);
  ASSERT_EQ(whole.size(), 8u);
  EXPECT_EQ(whole[0].detail, "100");
  EXPECT_EQ(whole[2].detail, "200");
  EXPECT_EQ(whole[4].detail, "200");
  EXPECT_EQ(whole[5].at, whole[4].at);  // HEAD answer: the message ends with its head
  EXPECT_EQ(whole[6].detail, "404");
  EXPECT_EQ(whole[7].at, stream.size());
  for (std::size_t piece = 1; piece < 30; ++piece) {
    EXPECT_EQ(frame(HttpFramer::Mode::kResponse, stream, piece, methods), whole) << "piece " << piece;
  }
}

TEST(HttpFramer, NotHttpIsAnErrorAtTheFirstByte) {
  const std::string tls("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  auto marks = frame(HttpFramer::Mode::kRequest, tls, tls.size());
  ASSERT_EQ(marks.size(), 1u);
  EXPECT_EQ(marks[0].event, HttpFramer::Event::kError);
  auto redis = frame(HttpFramer::Mode::kRequest, "*1\r\n$4\r\nPING\r\n", 14);
  ASSERT_FALSE(redis.empty());
  EXPECT_EQ(redis.back().event, HttpFramer::Event::kError);
}

TEST(HttpFramer, MalformedAfterAGoodRequestFailsThere) {
  const std::string stream = "GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nBad Header\r\n\r\n";
  auto marks = frame(HttpFramer::Mode::kRequest, stream, stream.size());
  ASSERT_EQ(marks.size(), 3u);
  EXPECT_EQ(marks[2].event, HttpFramer::Event::kError);
}

TEST(HttpFramer, UpgradeEndsFramingWhereTheOtherProtocolStarts) {
  const std::string stream =
      "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello";
  auto marks = frame(HttpFramer::Mode::kRequest, stream, stream.size());
  ASSERT_EQ(marks.size(), 3u);
  EXPECT_EQ(marks[2].event, HttpFramer::Event::kUpgrade);
  EXPECT_EQ(stream.substr(marks[2].at), "\x81\x05hello");
}

TEST(HttpFramer, HeadLargerThanTheBoundIsAnError) {
  HttpFramer framer(HttpFramer::Mode::kRequest, 100);
  std::string stream = "GET / HTTP/1.1\r\nX: " + std::string(200, 'a') + "\r\n\r\n";
  auto step = framer.step(stream.data(), stream.size());
  EXPECT_EQ(step.event, HttpFramer::Event::kError);
  EXPECT_NE(framer.error().find("larger than"), std::string::npos);
}

TEST(HttpFramer, BodyUntilEofEndsAtFinish) {
  HttpFramer framer(HttpFramer::Mode::kResponse);
  std::string stream = "HTTP/1.0 200 OK\r\n\r\nall of it";
  auto head = framer.step(stream.data(), stream.size());
  ASSERT_EQ(head.event, HttpFramer::Event::kHead);
  auto body = framer.step(stream.data() + head.consumed, stream.size() - head.consumed);
  EXPECT_EQ(body.event, HttpFramer::Event::kNeedMore);
  EXPECT_EQ(framer.finish().event, HttpFramer::Event::kMessageEnd);
}

}  // namespace
}  // namespace faultline

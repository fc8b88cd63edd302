#include <gtest/gtest.h>

#include "http_layer_harness.h"

namespace faultline {
namespace {

using namespace testing_http;

TEST(HttpAbort, AnswersWithStatusBodyAndRetryAfter) {
  LayerHarness h({spec("http_abort", "limited", {{"body", "slow down"}}, {{"status", 429}, {"retry_after", 3}})});
  h.client(get("/api"));
  const std::string got = h.toClient();
  EXPECT_EQ(got.rfind("HTTP/1.1 429 Too Many Requests\r\n", 0), 0u);
  EXPECT_NE(got.find("Retry-After: 3\r\n"), std::string::npos);
  EXPECT_NE(got.find("Content-Length: 9\r\n"), std::string::npos);
  EXPECT_EQ(got.substr(got.size() - 9), "slow down");
  EXPECT_EQ(h.upstream(), "");
}

TEST(HttpAbort, DefaultBodyIsAShortJsonError) {
  LayerHarness h({spec("http_abort", "down", {})});
  h.client(get("/"));
  EXPECT_NE(h.toClient().find(R"({"error":"Service Unavailable","fault":"down","status":503})"), std::string::npos);
}

TEST(HttpAbort, PercentageIsRolledPerRequest) {
  LayerHarness h({spec("http_abort", "third", {}, {{"percentage", 30}})});
  for (int i = 0; i < 1000; ++i) {
    h.client(get("/r"));
    if (h.layer.pendingExchanges() > 0) h.server(ok("k"));
  }
  const auto aborted = h.stats->faults["third"];
  // Binomial(1000, 0.3): mean 300, sd 14.5; +/- 6 sd.
  EXPECT_GT(aborted, 213u);
  EXPECT_LT(aborted, 387u);
  EXPECT_EQ(h.stats->requests, 1000u);
}

TEST(HttpAbort, ToxicityIsDecidedOncePerConnection) {
  int faulted_connections = 0;
  for (int c = 0; c < 200; ++c) {
    LayerHarness h;
    h.up.random() = Random(static_cast<uint64_t>(c));
    h.layer.setToxics({spec("http_abort", "half", {}, {}, 0.5)}, h.up.random());
    int faults = 0;
    for (int i = 0; i < 5; ++i) {
      h.client(get("/"));
      if (h.layer.pendingExchanges() > 0) h.server(ok(""));
    }
    faults = static_cast<int>(h.stats->faults["half"]);
    EXPECT_TRUE(faults == 0 || faults == 5) << faults;
    faulted_connections += faults == 5;
  }
  EXPECT_GT(faulted_connections, 40);
  EXPECT_LT(faulted_connections, 160);
}

TEST(HttpDelay, HoldsTheRequestForLatency) {
  LayerHarness h({spec("http_delay", "slow", {{"method", "POST"}}, {{"latency", 300}})});
  h.client("POST /p HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
  h.advance(299);
  EXPECT_EQ(h.upstream(), "");
  h.advance(1);
  EXPECT_EQ(h.upstream(), "POST /p HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
  h.client(get("/g"));  // does not match: goes at once
  EXPECT_EQ(h.upstream().substr(h.upstream().size() - get("/g").size()), get("/g"));
}

TEST(HttpDelay, ResponsePhaseHoldsTheAnswer) {
  LayerHarness h({spec("http_delay", "slow-answer", {{"phase", "response"}}, {{"latency", 200}})});
  h.client(get("/x"));
  EXPECT_EQ(h.upstream(), get("/x"));
  h.server(ok("late"));
  h.advance(199);
  EXPECT_EQ(h.toClient(), "");
  h.advance(1);
  EXPECT_EQ(h.toClient(), ok("late"));
}

TEST(HttpDelay, JitterStaysWithinBounds) {
  LayerHarness h({spec("http_delay", "jittery", {}, {{"latency", 100}, {"jitter", 50}})});
  h.client(get("/x"));
  h.advance(49);
  EXPECT_EQ(h.upstream(), "");
  h.advance(101);
  EXPECT_EQ(h.upstream(), get("/x"));
}

TEST(HttpReset, AtTheRequestResetsAndTheUpstreamNeverSeesIt) {
  LayerHarness h({spec("http_reset", "rst", {{"path", "/boom"}})});
  h.client(get("/boom"));
  EXPECT_EQ(h.upstream(), "");
  ASSERT_TRUE(h.up.closeMode().has_value());
  EXPECT_EQ(*h.up.closeMode(), CloseMode::kReset);
}

TEST(HttpReset, AfterTheHeadersClosesWithTheHeadDelivered) {
  LayerHarness h({spec("http_reset", "cut", {{"when", "headers"}, {"mode", "close"}})});
  h.client(get("/x"));
  EXPECT_EQ(h.upstream(), get("/x"));
  h.server(ok("the body"));
  EXPECT_EQ(h.toClient(), "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n");
  ASSERT_TRUE(h.down.closeMode().has_value());
  EXPECT_EQ(*h.down.closeMode(), CloseMode::kGraceful);
}

TEST(HttpReset, AfterBytesOfBody) {
  LayerHarness h({spec("http_reset", "partial", {{"when", "body"}}, {{"bytes", 3}})});
  h.client(get("/x"));
  const std::string answer = ok("abcdefgh");
  for (char c : answer) h.server(std::string(1, c));
  EXPECT_EQ(h.toClient(), "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nabc");
  EXPECT_EQ(*h.down.closeMode(), CloseMode::kReset);
}

TEST(HttpReset, HangLeavesTheConnectionOpenAndSilent) {
  LayerHarness h({spec("http_reset", "hang", {{"path", "/2"}, {"mode", "hang"}})});
  h.client(get("/1") + get("/2") + get("/3"));
  EXPECT_EQ(h.upstream(), get("/1"));
  h.server(ok("one"));
  EXPECT_EQ(h.toClient(), ok("one"));
  h.advance(60'000);
  EXPECT_FALSE(h.up.closeMode().has_value());
  EXPECT_FALSE(h.down.closeMode().has_value());
  EXPECT_EQ(h.toClient(), ok("one"));
}

TEST(HttpStatus, ReplacesTheStatusAndKeepsTheBody) {
  LayerHarness h({spec("http_status", "flaky", {}, {{"status", 502}})});
  h.client(get("/x"));
  h.server(ok("real"));
  EXPECT_EQ(h.toClient(), "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 4\r\nX-Faultline-Fault: flaky\r\n\r\nreal");
}

TEST(HttpStatus, ReplacesAChunkedBody) {
  LayerHarness h({spec("http_status", "fake", {{"body", "{}"}, {"path", "/x"}}, {{"status", 500}})});
  h.client(get("/x") + get("/y"));
  h.server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nreal\r\n0\r\n\r\n");
  EXPECT_EQ(h.toClient(), "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\nX-Faultline-Fault: fake\r\n\r\n{}");
  h.server(ok("y"));
  EXPECT_EQ(h.toClient().substr(h.toClient().size() - 3), "\r\ny");
}

TEST(HttpStatus, LitmusAliases) {
  LayerHarness h({spec("status_code", "litmus", {{"response_body", "nope"}},
                       {{"status_code", 404}, {"modify_response_body", 1}})});
  h.client(get("/x"));
  h.server(ok("real"));
  EXPECT_NE(h.toClient().find("HTTP/1.1 404 Not Found\r\n"), std::string::npos);
  EXPECT_EQ(h.toClient().substr(h.toClient().size() - 4), "nope");
  LayerHarness body({spec("modify_response_body", "b", {{"response_body", "other"}})});
  body.client(get("/x"));
  body.server(ok("real"));
  EXPECT_NE(body.toClient().find("HTTP/1.1 200 OK\r\n"), std::string::npos);
  EXPECT_EQ(body.toClient().substr(body.toClient().size() - 5), "other");
}

}  // namespace
}  // namespace faultline

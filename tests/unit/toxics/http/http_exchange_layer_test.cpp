#include "toxics/http/http_exchange_layer.h"

#include <gtest/gtest.h>

#include "http_layer_harness.h"

namespace faultline {
namespace {

using namespace testing_http;

TEST(HttpExchangeLayer, RequestsThatMatchNothingAreByteIdenticalUpstream) {
  LayerHarness h({spec("http_abort", "never", {{"path", "/nothing*"}})});
  const std::string stream = get("/a") + "POST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello" +
                             "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  for (std::size_t i = 0; i < stream.size(); i += 7) h.client(stream.substr(i, 7));
  EXPECT_EQ(h.upstream(), stream);
  const std::string answers = ok("1") + ok("22") + ok("333");
  for (std::size_t i = 0; i < answers.size(); i += 5) h.server(answers.substr(i, 5));
  EXPECT_EQ(h.toClient(), answers);
  EXPECT_EQ(h.stats->requests, 3u);
  EXPECT_TRUE(h.stats->faults.empty());
  EXPECT_EQ(h.layer.pendingExchanges(), 0u);
}

TEST(HttpExchangeLayer, PipelinedSyntheticAnswersKeepRequestOrder) {
  LayerHarness h({spec("http_abort", "partner-down", {{"path", "/data*"}, {"status", "503"}})});
  h.client(get("/first") + get("/data/1") + get("/third"));
  EXPECT_EQ(h.upstream(), get("/first") + get("/third"));  // the aborted one never goes upstream
  EXPECT_EQ(h.toClient(), "");                            // its answer waits behind /first's
  h.server(ok("first"));
  std::string got = h.toClient();
  ASSERT_EQ(got.find(ok("first")), 0u);
  std::string synthetic = got.substr(ok("first").size());
  EXPECT_EQ(synthetic.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u);
  EXPECT_NE(synthetic.find("X-Faultline-Fault: partner-down\r\n"), std::string::npos);
  h.server(ok("third"));
  EXPECT_EQ(h.toClient(), got + ok("third"));
  EXPECT_EQ(h.stats->faults["partner-down"], 1u);
}

TEST(HttpExchangeLayer, AnAbortedRequestBodyIsSwallowedWhateverItsFraming) {
  LayerHarness h({spec("http_abort", "no-posts", {{"method", "POST"}})});
  const std::string chunked = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  for (char c : chunked + get("/y")) h.client(std::string(1, c));
  EXPECT_EQ(h.upstream(), get("/y"));
  h.server(ok("y"));
  EXPECT_NE(h.toClient().find("503"), std::string::npos);
  EXPECT_NE(h.toClient().find(ok("y")), std::string::npos);
}

TEST(HttpExchangeLayer, AddingAToxicReachesTheNextRequestOfAnOpenConnection) {
  LayerHarness h;
  h.client(get("/one"));
  h.server(ok("1"));
  h.layer.setToxics({spec("http_abort", "late", {})}, h.up.random());
  h.client(get("/two"));
  EXPECT_EQ(h.upstream(), get("/one"));
  EXPECT_NE(h.toClient().find("X-Faultline-Fault: late"), std::string::npos);
}

TEST(HttpExchangeLayer, RemovingADelayLetsHeldRequestsGoOnInOrder) {
  LayerHarness h({spec("http_delay", "slow", {{"path", "/slow"}}, {{"latency", 10'000}})});
  h.client(get("/slow") + get("/fast"));
  EXPECT_EQ(h.upstream(), "");  // /fast waits behind /slow
  h.advance(100);
  EXPECT_EQ(h.upstream(), "");
  h.layer.setToxics({}, h.up.random());
  EXPECT_EQ(h.upstream(), get("/slow") + get("/fast"));
}

TEST(HttpExchangeLayer, NonHttpStreamIsByteIdenticalAndCounted) {
  LayerHarness h({spec("http_abort", "all", {})});
  const std::string tls("\x16\x03\x01\x00\x05hello-tls-bytes", 20);
  h.client(tls.substr(0, 3));
  h.client(tls.substr(3));
  h.server("server bytes");
  EXPECT_EQ(h.upstream(), tls);
  EXPECT_EQ(h.toClient(), "server bytes");
  EXPECT_TRUE(h.layer.passThrough());
  EXPECT_EQ(h.stats->non_http_streams, 1u);
}

TEST(HttpExchangeLayer, AServerThatSpeaksFirstIsNotHttp) {
  LayerHarness h({spec("http_abort", "all", {})});
  h.server("220 smtp ready\r\n");
  h.client("EHLO x\r\n");
  EXPECT_EQ(h.toClient(), "220 smtp ready\r\n");
  EXPECT_EQ(h.upstream(), "EHLO x\r\n");
  EXPECT_EQ(h.stats->non_http_streams, 1u);
}

TEST(HttpExchangeLayer, HeadAnswersHaveNoBodyAndPairingHolds) {
  LayerHarness h({spec("http_abort", "second", {{"path", "/2"}})});
  h.client("HEAD /1 HTTP/1.1\r\n\r\n" + get("/2"));
  const std::string head_answer = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
  h.server(head_answer);
  EXPECT_EQ(h.toClient().rfind(head_answer, 0), 0u);
  EXPECT_NE(h.toClient().find("X-Faultline-Fault: second"), std::string::npos);
}

TEST(HttpExchangeLayer, ContinueIsInterimAndTheFinalAnswerPairs) {
  LayerHarness h({spec("http_status", "teapot", {{"path", "/up"}}, {{"status", 418}})});
  h.client("PUT /up HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  h.server("HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_EQ(h.toClient(), "HTTP/1.1 100 Continue\r\n\r\n");
  h.client("ok");
  h.server(ok("done"));
  EXPECT_NE(h.toClient().find("HTTP/1.1 418 "), std::string::npos);
  EXPECT_NE(h.toClient().find("done"), std::string::npos);
}

TEST(HttpExchangeLayer, UpgradedConnectionPassesThrough) {
  LayerHarness h({spec("http_abort", "ws-only-first", {{"path", "/other"}})});
  h.client("GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
  h.server("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x02hi");
  h.client("GET /other HTTP/1.1\r\n\r\n");  // now just websocket payload bytes
  EXPECT_NE(h.toClient().find("\x81\x02hi"), std::string::npos);
  EXPECT_NE(h.upstream().find("GET /other"), std::string::npos);
}

TEST(HttpExchangeLayer, ClientFaultHeadersApplyToThatRequestAndAreRemoved) {
  LayerHarness h(std::vector<ToxicSpecPtr>{}, /*client_faults=*/true);
  h.client(get("/a", "X-Faultline-Abort: 429\r\n") + get("/b", "X-Faultline-Delay: 500\r\nX-Keep: 1\r\n"));
  EXPECT_EQ(h.upstream(), "");
  h.advance(499);
  EXPECT_EQ(h.upstream(), "");
  h.advance(1);
  EXPECT_EQ(h.upstream(), get("/b", "X-Keep: 1\r\n"));
  EXPECT_NE(h.toClient().find("HTTP/1.1 429 Too Many Requests"), std::string::npos);
}

TEST(HttpExchangeLayer, ClientFaultHeadersAreIgnoredWhenTheOptionIsOff) {
  LayerHarness h;
  h.client(get("/a", "X-Faultline-Abort: 503\r\n"));
  EXPECT_EQ(h.upstream(), get("/a", "X-Faultline-Abort: 503\r\n"));
}

TEST(HttpExchangeLayer, EndOfStreamTravelsBehindHeldBytes) {
  LayerHarness h({spec("http_delay", "slow", {}, {{"latency", 50}})});
  h.client(get("/x"));
  h.clientEnd();
  EXPECT_FALSE(h.up.ended());
  h.advance(50);
  EXPECT_EQ(h.upstream(), get("/x"));
  EXPECT_TRUE(h.up.ended());
}

TEST(HttpExchangeLayer, LateStartFramesFromTheNextChunkOrPassesThrough) {
  LayerHarness mid({spec("http_abort", "all", {})}, false, /*late=*/true);
  mid.server("tail of an old answer");
  EXPECT_EQ(mid.toClient(), "tail of an old answer");
  mid.client("dy bytes of an old upload");
  EXPECT_EQ(mid.upstream(), "dy bytes of an old upload");
  EXPECT_TRUE(mid.layer.passThrough());
}

}  // namespace
}  // namespace faultline

// The cascade: client -> edge -> middle -> (Faultline) -> partner, each tier a demo-server that
// forwards the path it was asked for (--forward-path). With the partner blackholed, the
// unprotected chain holds a waiting request in EVERY tier; the protected chain stops the fault at
// the first tier with a deadline (middle), and the edge keeps answering in time. Each tier's state
// is read from its own /metrics, as the cascade scenario's report does.
#include <gtest/gtest.h>

#include "support/chaos_stack.h"

namespace faultline::chaos {
namespace {

using std::chrono::milliseconds;

class Cascade : public ::testing::Test {
 protected:
  static ft::ChildProcess tier(const std::string& name, const std::string& partner_url, const std::string& deadline) {
    return ft::ChildProcess::spawn({binary("demo-server"),
                                    {"--name", name, "--port", "0", "--partner-url", partner_url, "--forward-path",
                                     "--deadline", deadline, "--attempt-timeout", deadline, "--max-attempts", "1",
                                     "--breaker-min-calls", "1000"},
                                    {},
                                    ""});
  }
  std::string metricsOf(uint16_t port) {
    auto m = get("127.0.0.1", port, "/metrics", milliseconds(5'000));
    return m.response.ok() ? m.response->body : "";
  }

  ft::ChildProcess partner_ = ft::ChildProcess::spawn(
      {binary("demo-partner"), {"--port", "0", "--min-delay", "10ms", "--max-delay", "20ms"}, {}, ""});
  std::string partner_address_ = partner_.waitForLine("listening on ", milliseconds(15'000));
  ft::Faultline faultline_ = ft::Faultline::start(binary("faultline"));
  ft::Proxy proxy_ = faultline_.createProxy("partner", partner_address_);
  // The proxy's URL carries /data's base: middle asks the partner for /data at its URL path.
  ft::ChildProcess middle_ = ft::ChildProcess::spawn({binary("demo-server"),
                                                      {"--name", "middle", "--port", "0", "--partner-url",
                                                       proxy_.url() + "/data", "--deadline", "500ms",
                                                       "--attempt-timeout", "500ms", "--max-attempts", "1",
                                                       "--breaker-min-calls", "1000"},
                                                      {},
                                                      ""});
  uint16_t middle_port_ = portOf(middle_.waitForLine("listening on ", milliseconds(15'000)));
  ft::ChildProcess edge_ = tier("edge", "http://127.0.0.1:" + std::to_string(middle_port_), "2s");
  uint16_t edge_port_ = portOf(edge_.waitForLine("listening on ", milliseconds(15'000)));
};

TEST_F(Cascade, TiersChainAndTheEdgeGetsThePartnersAnswer) {
  for (const char* path : {"/unprotected", "/protected"}) {
    auto r = get("127.0.0.1", edge_port_, path);
    ASSERT_TRUE(r.response.ok()) << path << ": " << r.response.error().message;
    EXPECT_EQ(r.response->status, 200) << path << ": " << r.response->body;
    EXPECT_EQ(r.response->body, "Hello from Partner Service") << path;
  }
}

TEST_F(Cascade, UnprotectedChainHoldsAWaitingRequestInEveryTier) {
  auto hold = proxy_.withToxic(ft::timeout(0));  // the partner accepts and never answers
  auto r = get("127.0.0.1", edge_port_, "/unprotected", milliseconds(800));
  EXPECT_FALSE(r.response.ok()) << "the edge answered although the partner never does";
  // The client gave up; the request still waits in the edge AND in the middle.
  for (auto [name, port] : {std::pair{"edge", edge_port_}, std::pair{"middle", middle_port_}}) {
    const std::string m = metricsOf(port);
    EXPECT_GE(metricValue(m, "demo_requests_in_flight{path=\"/unprotected\"}").value_or(0), 1) << name << ":\n" << m;
    EXPECT_GE(metricValue(m, "demo_partner_in_flight").value_or(0), 1) << name;
  }
}

TEST_F(Cascade, ProtectedChainStopsTheFaultAtTheFirstTierWithADeadline) {
  auto hold = proxy_.withToxic(ft::timeout(0));
  auto r = get("127.0.0.1", edge_port_, "/protected", milliseconds(5'000));
  ASSERT_TRUE(r.response.ok()) << r.response.error().message;
  EXPECT_EQ(r.response->status, 200);
  EXPECT_EQ(r.response->header("X-Degraded"), "true") << "middle's fallback should reach the client";
  // Middle's 500 ms deadline answered, well before the edge's own 2 s.
  EXPECT_LT(r.elapsed, milliseconds(500) + kDeadlineMargin);
  const std::string middle = metricsOf(middle_port_);
  const std::string edge = metricsOf(edge_port_);
  EXPECT_GE(metricValue(middle, "demo_requests_total{path=\"/protected\",outcome=\"degraded\"}").value_or(0), 1) << middle;
  // The edge got a quick 200 from middle: its partner call succeeded, nothing waits there.
  EXPECT_GE(metricValue(edge, "demo_partner_attempts_total{path=\"/protected\",result=\"200\"}").value_or(0), 1) << edge;
  EXPECT_EQ(metricValue(edge, "demo_requests_in_flight{path=\"/protected\"}").value_or(-1), 0) << edge;
  EXPECT_EQ(metricValue(middle, "demo_requests_in_flight{path=\"/protected\"}").value_or(-1), 0) << middle;
}

}  // namespace
}  // namespace faultline::chaos

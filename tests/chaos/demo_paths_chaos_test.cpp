// The server's other paths through the real binaries: /naive-retry multiplies the partner's load
// (read at the partner's own /metrics), /limited answers 429 + Retry-After beyond its token
// bucket, and /protected waits out a partner's Retry-After within its deadline and falls back
// when the next one would end after it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "support/chaos_stack.h"

namespace faultline::chaos {
namespace {

using std::chrono::milliseconds;

std::string metricsOf(uint16_t port) {
  auto m = get("127.0.0.1", port, "/metrics", milliseconds(5'000));
  return m.response.ok() ? m.response->body : "";
}

struct Stack {
  explicit Stack(std::vector<std::string> partner_args, std::vector<std::string> server_args) {
    std::vector<std::string> p = {"--port", "0", "--min-delay", "10ms", "--max-delay", "20ms", "--seed", "5"};
    p.insert(p.end(), partner_args.begin(), partner_args.end());
    partner = std::make_unique<ft::ChildProcess>(ft::ChildProcess::spawn({binary("demo-partner"), p, {}, ""}));
    const std::string address = partner->waitForLine("listening on ", milliseconds(15'000));
    partner_port = portOf(address);
    faultline = std::make_unique<ft::Faultline>(ft::Faultline::start(binary("faultline")));
    proxy = std::make_unique<ft::Proxy>(faultline->createProxy("partner", address));
    std::vector<std::string> s = {"--port", "0", "--partner-url", proxy->url() + "/data", "--seed", "3"};
    s.insert(s.end(), server_args.begin(), server_args.end());
    server = std::make_unique<ft::ChildProcess>(ft::ChildProcess::spawn({binary("demo-server"), s, {}, ""}));
    server_port = portOf(server->waitForLine("listening on ", milliseconds(15'000)));
  }
  std::unique_ptr<ft::ChildProcess> partner;
  uint16_t partner_port = 0;
  std::unique_ptr<ft::Faultline> faultline;
  std::unique_ptr<ft::Proxy> proxy;
  std::unique_ptr<ft::ChildProcess> server;
  uint16_t server_port = 0;
};

TEST(DemoPaths, NaiveRetryMakesThePartnerSeeEveryAttemptWhileProtectedStopsAtItsBudget) {
  Stack stack({}, {"--attempt-timeout", "200ms", "--naive-attempts", "5", "--deadline", "2s", "--max-attempts", "5",
                   "--retry-budget-percent", "0", "--retry-budget-min", "0"});
  auto slow = stack.proxy->withToxic(ft::latency(1000));  // every attempt times out
  auto naive = get("127.0.0.1", stack.server_port, "/naive-retry");
  ASSERT_TRUE(naive.response.ok()) << naive.response.error().message;
  EXPECT_EQ(naive.response->status, 504);
  EXPECT_EQ(naive.response->header("X-Attempts"), "5");
  ASSERT_TRUE(eventually(milliseconds(5'000), [&] {
    return metricValue(metricsOf(stack.partner_port), "demo_partner_requests_received_total").value_or(0) >= 5;
  })) << metricsOf(stack.partner_port);
  // /protected with a zero budget: one attempt, then the fallback; the partner sees one more.
  auto protected_call = get("127.0.0.1", stack.server_port, "/protected");
  ASSERT_TRUE(protected_call.response.ok());
  EXPECT_EQ(protected_call.response->header("X-Degraded"), "true");
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(metricValue(metricsOf(stack.partner_port), "demo_partner_requests_received_total").value_or(0), 6);
  EXPECT_EQ(metricValue(metricsOf(stack.server_port), "demo_retries_total{path=\"/naive-retry\",reason=\"timeout\"}"), 4);
}

TEST(DemoPaths, LimitedAnswers429WithRetryAfterBeyondItsTokenBucket) {
  Stack stack({}, {"--rate-limit", "0.5", "--rate-limit-burst", "1"});
  auto first = get("127.0.0.1", stack.server_port, "/limited");
  ASSERT_TRUE(first.response.ok());
  EXPECT_EQ(first.response->status, 200);
  auto second = get("127.0.0.1", stack.server_port, "/limited");
  ASSERT_TRUE(second.response.ok());
  EXPECT_EQ(second.response->status, 429);
  EXPECT_EQ(second.response->header("X-Shed"), "rate_limited");
  const int retry_after = std::stoi(second.response->header("Retry-After"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 2);  // one token every 2 s
  EXPECT_EQ(metricValue(metricsOf(stack.server_port), "demo_requests_total{path=\"/limited\",outcome=\"shed\"}"), 1);
}

TEST(DemoPaths, ProtectedWaitsOutRetryAfterWithinItsDeadlineThenFallsBack) {
  // The partner answers every call 429 with Retry-After: 1.
  Stack stack({"--error-rate", "1", "--error-status", "429", "--retry-after", "1"},
              {"--deadline", "1800ms", "--max-attempts", "5", "--breaker-min-calls", "1000"});
  auto r = get("127.0.0.1", stack.server_port, "/protected");
  ASSERT_TRUE(r.response.ok()) << r.response.error().message;
  EXPECT_EQ(r.response->header("X-Degraded"), "true");
  // Attempt 1, a 1 s wait, attempt 2; a second 1 s wait would end after the 1.8 s deadline.
  EXPECT_EQ(r.response->header("X-Attempts"), "2");
  EXPECT_EQ(r.response->header("X-Degraded-Reason"), "retry_after_beyond_deadline");
  EXPECT_GE(r.elapsed, milliseconds(1000));
  EXPECT_LT(r.elapsed, milliseconds(1800) + kDeadlineMargin);
  const std::string m = metricsOf(stack.server_port);
  EXPECT_EQ(metricValue(m, "demo_retries_total{path=\"/protected\",reason=\"retry_after\"}"), 1) << m;
  EXPECT_EQ(metricValue(m, "demo_partner_attempts_total{path=\"/protected\",result=\"429\"}"), 2) << m;
}

TEST(DemoPaths, MemoryWatchdogLogsTheReadingThatTrippedItAndExits3) {
  // 1 MiB is below any process's RSS: the first reading, at start, trips it.
  char log_template[] = "/tmp/faultline-watchdog-XXXXXX";
  const int fd = ::mkstemp(log_template);
  ASSERT_GE(fd, 0);
  ::close(fd);
  auto server = ft::ChildProcess::spawn({binary("demo-server"),
                                         {"--port", "0", "--memory-limit", "1", "--memory-check-interval", "50ms"},
                                         {},
                                         log_template});
  eventually(milliseconds(10'000), [&] { return !server.running(); });
  const auto code = server.exitCode();
  std::ifstream in(log_template);
  const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ::unlink(log_template);
  ASSERT_TRUE(code.has_value()) << "the server did not exit";
  EXPECT_EQ(*code, 3);
  EXPECT_NE(log.find("memory watchdog tripped"), std::string::npos) << log;
  EXPECT_NE(log.find("limit_mib=1 check_interval=50ms"), std::string::npos) << log;
  EXPECT_NE(log.find("rss_mib="), std::string::npos) << log;
}

TEST(DemoPaths, ABadDurationFlagIsRefusedNamingTheFlagAndTheUnit) {
  char log_template[] = "/tmp/faultline-badflag-XXXXXX";
  const int fd = ::mkstemp(log_template);
  ASSERT_GE(fd, 0);
  ::close(fd);
  auto client = ft::ChildProcess::spawn(
      {binary("demo-client"), {"--url", "http://127.0.0.1:1/", "--rate", "10", "--duration", "4ms"}, {}, log_template});
  eventually(milliseconds(10'000), [&] { return !client.running(); });
  const auto code = client.exitCode();
  std::ifstream in(log_template);
  const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ::unlink(log_template);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  EXPECT_NE(log.find("--duration 4ms at --rate 10/s sends no request"), std::string::npos) << log;
}

}  // namespace
}  // namespace faultline::chaos

// Chaos tests of the demo server: its partner goes away (proxy disabled or connections reset),
// the protected path degrades instead of failing, the breaker opens, and when the partner comes
// back the server recovers on its own within a bounded time.
#include <gtest/gtest.h>

#include "support/chaos_stack.h"

namespace faultline::chaos {
namespace {

using std::chrono::milliseconds;

class PartnerOutage : public ::testing::Test {
 protected:
  void SetUp() override {
    // The first calls also warm up the stack; a healthy answer proves the wiring before any fault.
    ASSERT_TRUE(eventually(milliseconds(10'000), [&] { return stack_.protectedCall().healthy(); }))
        << "the protected path never answered normally before any fault was injected";
  }

  // Sends protected calls until `done` says so or the deadline passes; returns every answer.
  template <typename Done>
  std::vector<TimedResponse> callUntil(milliseconds timeout, Done done) {
    std::vector<TimedResponse> answers;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline && !done(answers)) {
      answers.push_back(stack_.protectedCall());
    }
    return answers;
  }

  ChaosStack stack_;
};

TEST_F(PartnerOutage, ProtectedPathAnswersDegradedWhilePartnerIsDisabled) {
  auto down = stack_.partner_proxy.disabled();
  for (int i = 0; i < 5; ++i) {
    auto answer = stack_.protectedCall();
    ASSERT_TRUE(answer.response.ok()) << answer.response.error().message;
    EXPECT_EQ(answer.response->status, 200);
    EXPECT_TRUE(answer.degraded()) << "call " << i << " was not marked X-Degraded: " << answer.response->body;
  }
}

TEST_F(PartnerOutage, BreakerOpensWhenPartnerResetsEveryConnection) {
  auto resets = stack_.partner_proxy.withToxic(ft::resetPeer(0));
  const bool opened = eventually(milliseconds(15'000), [&] {
    (void)stack_.protectedCall();
    return stack_.breakerState() == 1;
  });
  EXPECT_TRUE(opened) << "breaker state stayed " << stack_.breakerState() << " (expected 1 = open)";
}

TEST_F(PartnerOutage, NoProtectedCallWaitsLongerThanItsDeadlineWhilePartnerBlackholes) {
  // timeout 0 holds every connection open and silent: the worst case for a caller without deadlines.
  auto blackhole = stack_.partner_proxy.withToxic(ft::timeout(0));
  auto answers = callUntil(milliseconds(6'000), [](const auto& a) { return a.size() >= 8; });
  ASSERT_GE(answers.size(), 8u);
  for (const auto& answer : answers) {
    EXPECT_LE(answer.elapsed, kDeadline + kDeadlineMargin);
    EXPECT_TRUE(answer.degraded());
  }
}

TEST_F(PartnerOutage, UnprotectedPathHangsWhilePartnerBlackholes) {
  // The contrast that makes the protected path's deadline worth having: without it the caller
  // waits as long as its own patience.
  auto blackhole = stack_.partner_proxy.withToxic(ft::timeout(0));
  auto answer = stack_.unprotectedCall(milliseconds(2'000));
  ASSERT_FALSE(answer.response.ok());
  EXPECT_EQ(httpClientFailure(answer.response.error()), HttpClientFailure::kTimeout) << answer.response.error().message;
}

TEST_F(PartnerOutage, ServerRecoversWithinBoundedTimeAfterPartnerReturns) {
  {
    auto down = stack_.partner_proxy.disabled();
    ASSERT_TRUE(eventually(milliseconds(15'000), [&] {
      (void)stack_.protectedCall();
      return stack_.breakerState() == 1;
    })) << "the breaker never opened during the outage";
  }  // the partner is back from here
  const auto back = std::chrono::steady_clock::now();
  // Bound: the breaker's open time, a probe, and generous slack for a slow machine.
  const bool recovered = eventually(kBreakerOpen + milliseconds(10'000), [&] { return stack_.protectedCall().healthy(); },
                                    milliseconds(100));
  ASSERT_TRUE(recovered) << "no healthy answer within " << (kBreakerOpen + milliseconds(10'000)).count()
                         << " ms of the partner returning";
  EXPECT_TRUE(eventually(milliseconds(5'000), [&] { return stack_.breakerState() == 0; }))
      << "breaker state " << stack_.breakerState() << " after recovery (expected 0 = closed)";
  std::printf("[ recovery ] healthy again %lld ms after the partner returned\n",
              static_cast<long long>(
                  std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - back).count()));
}

TEST_F(PartnerOutage, EveryProtectedCallStaysWithinDeadlineAcrossAnOutageAndRecovery) {
  std::vector<TimedResponse> answers;
  auto record = [&](milliseconds how_long) {
    auto more = callUntil(how_long, [](const auto&) { return false; });
    answers.insert(answers.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  };
  record(milliseconds(1'000));
  {
    auto resets = stack_.partner_proxy.withToxic(ft::resetPeer(0));
    record(milliseconds(2'500));
  }
  record(milliseconds(2'500));
  ASSERT_FALSE(answers.empty());
  for (const auto& answer : answers) {
    ASSERT_TRUE(answer.response.ok()) << answer.response.error().message;
    EXPECT_LE(answer.elapsed, kDeadline + kDeadlineMargin);
    EXPECT_EQ(answer.response->status, 200) << answer.response->body;
  }
  EXPECT_TRUE(stack_.serverRunning());
}

}  // namespace
}  // namespace faultline::chaos

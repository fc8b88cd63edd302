#include "demo_outcome.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

TEST(DemoOutcome, ShedIsNotAServerError) {
  EXPECT_EQ(classifyStatus(429, "", ""), DemoOutcome::kShed);
  EXPECT_EQ(classifyStatus(503, "", "bulkhead_full"), DemoOutcome::kShed);
  // A partner's own 503 passed through is a server error.
  EXPECT_EQ(classifyStatus(503, "", ""), DemoOutcome::kServerError);
  EXPECT_EQ(outcomeName(DemoOutcome::kShed), "shed");
}

TEST(DemoOutcome, NamesEveryStatusClass) {
  EXPECT_EQ(classifyStatus(200, "", ""), DemoOutcome::kOk);
  EXPECT_EQ(classifyStatus(200, "true", ""), DemoOutcome::kDegraded);
  EXPECT_EQ(classifyStatus(404, "", ""), DemoOutcome::kClientError);
  EXPECT_EQ(classifyStatus(500, "", ""), DemoOutcome::kServerError);
  EXPECT_EQ(outcomeName(DemoOutcome::kClientError), "client_error");
  EXPECT_EQ(outcomeName(DemoOutcome::kServerError), "server_error");
  EXPECT_EQ(outcomeName(DemoOutcome::kConnectionError), "connection_error");
}

TEST(DemoOutcome, ClientTimeoutsAndCancellationsAreTimeouts) {
  EXPECT_EQ(classifyAnswer(Error::io("timeout: GET / (deadline exceeded)")), DemoOutcome::kTimeout);
  EXPECT_EQ(classifyAnswer(Error::io("connection refused: 127.0.0.1:1")), DemoOutcome::kConnectionError);
}

}  // namespace
}  // namespace faultline

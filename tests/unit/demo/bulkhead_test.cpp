#include "bulkhead.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

using Admission = Bulkhead::Admission;

TEST(Bulkhead, AdmitsUpToMaxConcurrent) {
  Bulkhead b({2, 1});
  EXPECT_EQ(b.enter().admission, Admission::kAdmitted);
  EXPECT_EQ(b.enter().admission, Admission::kAdmitted);
  EXPECT_EQ(b.inFlight(), 2u);
}

TEST(Bulkhead, QueuesBeyondMaxConcurrentUpToTheQueueBound) {
  Bulkhead b({1, 2});
  b.enter();
  EXPECT_EQ(b.enter().admission, Admission::kQueued);
  EXPECT_EQ(b.enter().admission, Admission::kQueued);
  EXPECT_EQ(b.queued(), 2u);
}

TEST(Bulkhead, ShedsWhenSlotsAndQueueAreFull) {
  Bulkhead b({1, 1});
  b.enter();
  b.enter();
  EXPECT_EQ(b.enter().admission, Admission::kShed);
  EXPECT_EQ(b.inFlight(), 1u);
  EXPECT_EQ(b.queued(), 1u);
}

TEST(Bulkhead, ZeroQueueShedsAsSoonAsSlotsAreFull) {
  Bulkhead b({1, 0});
  b.enter();
  EXPECT_EQ(b.enter().admission, Admission::kShed);
}

TEST(Bulkhead, ReleaseHandsTheSlotToTheFirstWaiterInOrder) {
  Bulkhead b({1, 2});
  b.enter();
  const auto first = b.enter();
  const auto second = b.enter();
  EXPECT_EQ(b.release(), first.id);
  EXPECT_EQ(b.inFlight(), 1u);
  EXPECT_EQ(b.release(), second.id);
  EXPECT_EQ(b.release(), std::nullopt);
  EXPECT_EQ(b.inFlight(), 0u);
}

TEST(Bulkhead, ReleaseWithoutWaitersFreesASlot) {
  Bulkhead b({1, 0});
  b.enter();
  EXPECT_EQ(b.release(), std::nullopt);
  EXPECT_EQ(b.enter().admission, Admission::kAdmitted);
}

TEST(Bulkhead, ACancelledWaiterLeavesTheQueueAndIsNeverStarted) {
  Bulkhead b({1, 2});
  b.enter();
  const auto gone = b.enter();
  const auto stays = b.enter();
  EXPECT_TRUE(b.cancel(gone.id));
  EXPECT_FALSE(b.cancel(gone.id));
  EXPECT_EQ(b.release(), stays.id);
}

TEST(Bulkhead, ACancelFreesRoomInTheQueue) {
  Bulkhead b({1, 1});
  b.enter();
  const auto waiter = b.enter();
  EXPECT_EQ(b.enter().admission, Admission::kShed);
  b.cancel(waiter.id);
  EXPECT_EQ(b.enter().admission, Admission::kQueued);
}

}  // namespace
}  // namespace faultline

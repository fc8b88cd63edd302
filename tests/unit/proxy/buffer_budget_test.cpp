#include "proxy/buffer_budget.h"

#include <gtest/gtest.h>

#include "net/memory_reclaim.h"

namespace faultline {
namespace {

// Issue 17: memory goes back when load ends, i.e. when usage fell from high to almost nothing,
// and not on every small dip.
TEST(BufferBudget, ReturnsFreeMemoryOnceWhenHighUsageFallsBackToAlmostNothing) {
  BufferBudget budget(64u << 20);
  const std::size_t before = freeMemoryReturns();
  budget.add(64u << 10);
  budget.release(64u << 10);  // a small load: nothing to give back
  EXPECT_EQ(freeMemoryReturns(), before);

  budget.add(BufferBudget::kReturnAfterPeakBytes * 2);
  budget.release(BufferBudget::kReturnAfterPeakBytes * 2 - 100);  // still (a little) loaded
  EXPECT_EQ(freeMemoryReturns(), before);
  budget.release(100);  // load over
  EXPECT_EQ(freeMemoryReturns(), before + 1);
  EXPECT_EQ(budget.used(), 0u);

  budget.add(4096);
  budget.release(4096);  // no new peak since: no second walk of the heap
  EXPECT_EQ(freeMemoryReturns(), before + 1);
}

TEST(BufferBudget, WakesWaitersBelowHalfTheCap) {
  BufferBudget budget(1000);
  budget.add(1000);
  EXPECT_TRUE(budget.exhausted());
  int woken = 0;
  budget.waitForRoom(&woken, [&] { ++woken; });
  budget.release(400);
  EXPECT_EQ(woken, 0);
  budget.release(200);
  EXPECT_EQ(woken, 1);
  EXPECT_EQ(budget.capHits(), 1u);
}

}  // namespace
}  // namespace faultline

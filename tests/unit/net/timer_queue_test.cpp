#include "net/timer_queue.h"

#include <gtest/gtest.h>

#include <vector>

namespace faultline {
namespace {

// Many deadlines over one handle: they fire in deadline order, never early, cancelled ones never.
TEST(TimerQueue, FiresInDeadlineOrderNeverEarlyAndSkipsCancelled) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  TimerQueue queue;
  queue.init(&loop);
  std::vector<int> order;
  const TimePoint start = Clock::now();
  std::vector<Duration> late;
  auto at = [&](int ms, int tag) {
    return queue.after(Millis(ms), [&, ms, tag] {
      order.push_back(tag);
      late.push_back(Clock::now() - (start + Millis(ms)));
    });
  };
  at(30, 3);
  at(10, 1);
  const TimerId cancelled = at(20, 99);
  at(20, 2);
  queue.cancel(cancelled);
  for (int i = 0; i < 1000 && order.size() < 3; ++i) uv_run(&loop, UV_RUN_ONCE);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  for (const auto& d : late) EXPECT_GE(d, Duration::zero());
  bool closed = false;
  queue.close([&] { closed = true; });
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_TRUE(closed);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace faultline

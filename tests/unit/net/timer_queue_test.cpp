#include "net/timer_queue.h"

#include <gtest/gtest.h>

#include <vector>

namespace faultline {
namespace {

// A queue on a loop of its own; every test ends with the loop closing cleanly, which fails if a
// handle the queue made was never closed.
class TimerQueueOnALoop : public ::testing::Test {
 protected:
  void SetUp() override {
    uv_loop_init(&loop);
    queue.init(&loop);
  }
  void TearDown() override {
    queue.close(nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop), 0) << "every handle the queue made was closed";
  }
  uv_loop_t loop{};
  TimerQueue queue;
};

// Many deadlines over one handle: they fire in deadline order, never early, cancelled ones never.
TEST_F(TimerQueueOnALoop, FiresInDeadlineOrderNeverEarlyAndSkipsCancelled) {
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
}

// The handle is made by the first deadline, not by init(): an idle owner holds none. Giving it
// back when nothing is pending, and closing, both free it from the close callback.
TEST_F(TimerQueueOnALoop, MakesItsHandleOnTheFirstDeadlineAndGivesItBackWhenIdle) {
  EXPECT_FALSE(queue.holdsHandle());
  int fired = 0;
  const TimerId id = queue.after(Millis(5), [&] { ++fired; });
  EXPECT_TRUE(queue.holdsHandle());
  queue.releaseIfIdle();
  EXPECT_TRUE(queue.holdsHandle()) << "a pending deadline keeps the handle";
  queue.cancel(id);
  queue.releaseIfIdle();
  EXPECT_FALSE(queue.holdsHandle());
  queue.after(Millis(1), [&] { ++fired; });  // a new handle, while the old one is still closing
  EXPECT_TRUE(queue.holdsHandle());
  for (int i = 0; i < 1000 && fired == 0; ++i) uv_run(&loop, UV_RUN_ONCE);
  EXPECT_EQ(fired, 1);
  bool closed = false;
  queue.close([&] { closed = true; });
  EXPECT_FALSE(closed) << "with a handle, on_closed comes from its close callback";
  EXPECT_EQ(queue.after(Millis(1), [&] { ++fired; }), 0u) << "a closed queue takes no deadline";
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_TRUE(closed);
  EXPECT_EQ(fired, 1);
}

TEST_F(TimerQueueOnALoop, WithoutAHandleClosesAtOnce) {
  bool closed = false;
  queue.close([&] { closed = true; });
  EXPECT_TRUE(closed);
}

// A deadline's callback may close its own queue; the rest never run and nothing is touched
// after the state went to libuv.
TEST_F(TimerQueueOnALoop, ACallbackMayCloseItsQueue) {
  bool closed = false;
  int after_close = 0;
  queue.after(Millis(1), [&] { queue.close([&] { closed = true; }); });
  queue.after(Millis(1), [&] { ++after_close; });
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_TRUE(closed);
  EXPECT_EQ(after_close, 0);
}

}  // namespace
}  // namespace faultline

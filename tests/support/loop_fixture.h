#pragma once

#include <gtest/gtest.h>
#include <uv.h>

#include <chrono>
#include <functional>
#include <memory>

#include "proxy/proxy_registry.h"

namespace faultline::test {

// A loop and a registry driven from the test thread: runUntil() spins the loop until a
// condition holds or a deadline passes, so a lost event fails the test instead of hanging it.
class LoopFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    uv_timer_init(&loop_, &tick_);
    tick_.data = this;
    registry_ = std::make_unique<ProxyRegistry>(&loop_, RegistryOptions{});
  }

  void TearDown() override {
    beforeDrain();
    registry_.reset();
    uv_close(reinterpret_cast<uv_handle_t*>(&tick_), nullptr);
    // Every handle closes within a few iterations; a leak shows up as uv_loop_close's EBUSY.
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (uv_run(&loop_, UV_RUN_NOWAIT) != 0 && std::chrono::steady_clock::now() < end) {
    }
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a libuv handle was left open";
  }

  // Destroy loop users (watchers) here; the registry goes right after.
  virtual void beforeDrain() {}

  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds deadline) {
    auto end = std::chrono::steady_clock::now() + deadline;
    // The tick keeps uv_run from blocking forever when nothing else is due.
    uv_timer_start(&tick_, [](uv_timer_t*) {}, 5, 5);
    bool ok = done();
    while (!ok && std::chrono::steady_clock::now() < end) {
      uv_run(&loop_, UV_RUN_ONCE);
      ok = done();
    }
    uv_timer_stop(&tick_);
    return ok;
  }

  void runFor(std::chrono::milliseconds duration) {
    runUntil([] { return false; }, duration);
  }

  uv_loop_t loop_{};
  uv_timer_t tick_{};
  std::unique_ptr<ProxyRegistry> registry_;
};

}  // namespace faultline::test

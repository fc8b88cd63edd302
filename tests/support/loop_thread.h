#pragma once

#include <uv.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace faultline::testing {

// A libuv loop on its own thread, for tests that drive real sockets from the test thread.
// Everything that touches loop objects runs through call(), which hops onto the loop thread
// through a uv_async_t (the only cross-thread path) and waits for the result with a deadline.
class LoopThread {
 public:
  LoopThread();
  ~LoopThread();  // runs `on_stop` on the loop, then drains every handle and joins
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  uv_loop_t* loop() { return &loop_; }

  template <typename F>
  auto call(F fn, std::chrono::milliseconds deadline = std::chrono::seconds(10)) -> decltype(fn()) {
    using R = decltype(fn());
    auto task = std::make_shared<std::packaged_task<R()>>(std::move(fn));
    auto future = task->get_future();
    post([task] { (*task)(); });
    if (future.wait_for(deadline) != std::future_status::ready) {
      throw std::runtime_error("LoopThread::call: the loop did not answer within the deadline");
    }
    return future.get();
  }

  // Runs on the loop before it is drained at destruction (close servers, registries...).
  void setOnStop(std::function<void()> on_stop) { on_stop_ = std::move(on_stop); }
  // Queues fn to run on the loop thread without waiting (the caller waits its own way).
  void post(std::function<void()> fn);

 private:
  static void onAsync(uv_async_t* async) noexcept;

  uv_loop_t loop_{};
  uv_async_t async_{};
  std::mutex mutex_;
  std::vector<std::function<void()>> queue_;
  std::function<void()> on_stop_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace faultline::testing

#include "support/loop_thread.h"

namespace faultline::testing {

LoopThread::LoopThread() {
  uv_loop_init(&loop_);
  uv_async_init(&loop_, &async_, &LoopThread::onAsync);
  async_.data = this;
  thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
}

LoopThread::~LoopThread() {
  std::promise<void> done;
  post([this, &done] {
    if (on_stop_) on_stop_();
    on_stop_ = nullptr;
    stopping_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
    done.set_value();
  });
  done.get_future().wait_for(std::chrono::seconds(10));
  thread_.join();  // uv_run returns once every handle has closed
  uv_loop_close(&loop_);
}

void LoopThread::post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(fn));
  }
  uv_async_send(&async_);
}

void LoopThread::onAsync(uv_async_t* async) noexcept {
  auto* self = static_cast<LoopThread*>(async->data);
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard<std::mutex> lock(self->mutex_);
    tasks.swap(self->queue_);
  }
  for (auto& task : tasks) task();
}

}  // namespace faultline::testing

#include "demo_process.h"

#include <sys/resource.h>

#include <csignal>
#include <cstdio>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace faultline {

void setupDemoProcess(const std::string& name) {
  auto logger = spdlog::stderr_color_mt(name);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
  spdlog::set_default_logger(logger);
  // The HTTP stack logs through a logger named "http" cloned from the default one, so it goes to
  // stderr too when it is created after this point.
  std::signal(SIGPIPE, SIG_IGN);
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) spdlog::warn("could not raise the open-file limit");
  }
}

void announceListening(const std::string& address) {
  std::printf("listening on %s\n", address.c_str());
  std::fflush(stdout);
}

// Freed when both its handles have closed and its owner is gone, whichever comes last.
struct ShutdownSignals::Impl {
  uv_signal_t sigint{};
  uv_signal_t sigterm{};
  std::function<void()> on_signal;
  int open_handles = 0;
  bool closing = false;
  bool handles_closed = false;
  bool owner_gone = false;

  static void onSignal(uv_signal_t* handle, int signum) noexcept {
    auto* self = static_cast<Impl*>(handle->data);
    spdlog::info("shutting down signal={}", signum == SIGINT ? "SIGINT" : "SIGTERM");
    auto callback = std::move(self->on_signal);
    self->on_signal = nullptr;
    self->close();
    if (callback) callback();
  }
  static void onClosed(uv_handle_t* handle) noexcept {
    auto* self = static_cast<Impl*>(handle->data);
    if (--self->open_handles == 0) {
      self->handles_closed = true;
      self->maybeFree();
    }
  }
  void close() {
    if (closing) return;
    closing = true;
    if (open_handles == 0) {
      handles_closed = true;
      return;
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&sigint), &onClosed);
    uv_close(reinterpret_cast<uv_handle_t*>(&sigterm), &onClosed);
  }
  void maybeFree() {
    if (owner_gone && handles_closed) delete this;
  }
};

ShutdownSignals::ShutdownSignals(uv_loop_t* loop, std::function<void()> on_signal) : impl_(new Impl()) {
  impl_->on_signal = std::move(on_signal);
  impl_->sigint.data = impl_;
  impl_->sigterm.data = impl_;
  if (uv_signal_init(loop, &impl_->sigint) == 0 && uv_signal_init(loop, &impl_->sigterm) == 0) {
    impl_->open_handles = 2;
    uv_signal_start(&impl_->sigint, &Impl::onSignal, SIGINT);
    uv_signal_start(&impl_->sigterm, &Impl::onSignal, SIGTERM);
    // Signal watchers alone must not keep the loop running once the program's work is done.
    uv_unref(reinterpret_cast<uv_handle_t*>(&impl_->sigint));
    uv_unref(reinterpret_cast<uv_handle_t*>(&impl_->sigterm));
  } else {
    spdlog::warn("could not watch SIGINT/SIGTERM; stop the process with SIGKILL");
  }
}

ShutdownSignals::~ShutdownSignals() {
  impl_->on_signal = nullptr;
  impl_->close();
  impl_->owner_gone = true;
  impl_->maybeFree();
}

void ShutdownSignals::close() {
  impl_->on_signal = nullptr;
  impl_->close();
}

int finishLoop(uv_loop_t* loop) {
  uv_run(loop, UV_RUN_DEFAULT);
  if (uv_loop_close(loop) != 0) {
    uv_walk(
        loop, [](uv_handle_t* h, void*) { spdlog::warn("handle left open at exit type={}", uv_handle_type_name(h->type)); },
        nullptr);
    return 1;
  }
  return 0;
}

}  // namespace faultline

#include "app.h"

#include <cstdio>
#include <random>
#include <string>

#include "net/address.h"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "control/control_server.h"
#include "rules/rules_watcher.h"

namespace faultline {

namespace {

// 128 random bits as hex: the web UI's bearer token for this run.
std::string randomUiToken() {
  std::random_device device;
  std::string out;
  for (int i = 0; i < 4; ++i) {
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(device()));
    out += buf;
  }
  return out;
}

}  // namespace


App::App(AppOptions options) : options_(std::move(options)) { uv_loop_init(&loop_); }

App::~App() {
  control_.reset();
  rules_.reset();
  registry_.reset();
  // Let every close callback run, then the loop must be empty: a handle left open is a bug.
  uv_run(&loop_, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop_) != 0) {
    uv_walk(&loop_, [](uv_handle_t* h, void*) { spdlog::error("handle left open type={}", uv_handle_type_name(h->type)); },
            nullptr);
  }
}

Status App::start() {
  // Signals first: whoever waits for the readiness line may signal at once.
  uv_signal_init(&loop_, &sigint_);
  uv_signal_init(&loop_, &sigterm_);
  uv_signal_init(&loop_, &sighup_);
  for (uv_signal_t* s : {&sigint_, &sigterm_, &sighup_}) s->data = this;
  uv_signal_start(&sigint_, &App::onSignal, SIGINT);
  uv_signal_start(&sigterm_, &App::onSignal, SIGTERM);
  uv_signal_start(&sighup_, &App::onSignal, SIGHUP);
  uv_timer_init(&loop_, &drain_timer_);
  drain_timer_.data = this;
  registry_ = std::make_unique<ProxyRegistry>(&loop_, options_.registry);
  for (const auto& proxy : options_.proxies) {
    if (auto created = registry_->create(proxy); !created) {
      return Error{created.error().code, "--proxy " + proxy.name + ": " + created.error().message};
    } else {
      std::printf("proxy %s listening on %s upstream %s\n", created->name.c_str(), created->listen.c_str(),
                  created->upstream.c_str());
    }
  }
  if (!options_.config_path.empty()) {
    RulesWatcherOptions watch;
    watch.limits = options_.rules_limits;
    rules_ = std::make_unique<RulesWatcher>(&loop_, *registry_, options_.config_path, watch);
    if (auto status = rules_->start(); !status) return status;
  }
  ControlServerOptions control;
  control.host = options_.host;
  control.port = options_.port;
  control.api_token = options_.api_token;
  // The web UI's way in: the API token when there is one, else a token made now (issue 15).
  control.ui_token = options_.api_token.empty() ? randomUiToken() : options_.api_token;
  control.max_connections = options_.api_max_connections;
  control.max_header_bytes = options_.api_max_header_bytes;
  control.max_body_bytes = options_.api_max_body_bytes;
  control_ = std::make_unique<ControlServer>(&loop_, *registry_, rules_.get(), control);
  auto bound = control_->start();
  if (!bound) return bound.error();
  if (auto api = parseHostPort(*bound)) registry_->setControlAddress(*api);
  const bool loopback = options_.host == "127.0.0.1" || options_.host == "localhost" || options_.host == "::1" ||
                        options_.host.rfind("127.", 0) == 0;
  if (!loopback && options_.api_token.empty()) {
    spdlog::warn("control API bound to {}: it is unauthenticated and reachable from the network; "
                 "set --api-token (or FAULTLINE_API_TOKEN) to require a bearer token",
                 *bound);
  }
  std::printf("control API listening on http://%s\n", bound->c_str());
  std::printf("web UI: http://%s/ui#token=%s\n", bound->c_str(), control.ui_token.c_str());
  std::fflush(stdout);
  spdlog::info("faultline {} ready api=http://{} proxies={}", FAULTLINE_VERSION, *bound, registry_->list().size());

  return {};
}

int App::run() {
  if (auto status = start(); !status) {
    spdlog::error("cannot start: {}", status.error().message);
    std::fprintf(stderr, "faultline: %s\n", status.error().message.c_str());
    if (control_) control_->close();
    if (rules_) rules_->close();
    finishShutdown();
    uv_run(&loop_, UV_RUN_DEFAULT);
    return 1;
  }
  uv_run(&loop_, UV_RUN_DEFAULT);
  return 0;
}

void App::onSignal(uv_signal_t* handle, int signum) noexcept {
  auto* self = static_cast<App*>(handle->data);
  if (signum == SIGHUP) {
    if (!self->rules_) {
      spdlog::warn("SIGHUP ignored: no rules file (start with --config FILE)");
      return;
    }
    if (auto status = self->rules_->reloadVia("signal"); !status) {
      spdlog::error("reload on SIGHUP failed, previous rules kept: {}", status.error().message);
    }
    return;
  }
  self->beginShutdown(signum == SIGINT ? "SIGINT" : "SIGTERM");
}

// Stop accepting, let live sessions finish up to the drain deadline, then close everything.
void App::beginShutdown(const char* signal_name) {
  if (shutting_down_) {
    finishShutdown();  // a second signal: stop now
    return;
  }
  shutting_down_ = true;
  spdlog::info("shutdown requested signal={} sessions={} drain_timeout_ms={}", signal_name, registry_->sessionCount(),
               options_.drain_timeout.count());
  control_->close();
  if (rules_) rules_->close();
  registry_->stopAccepting();
  drain_deadline_ = Clock::now() + options_.drain_timeout;
  uv_timer_start(&drain_timer_, &App::onDrainTick, 0, 50);
}

void App::onDrainTick(uv_timer_t* timer) noexcept {
  auto* self = static_cast<App*>(timer->data);
  if (self->registry_->sessionCount() == 0 || Clock::now() >= self->drain_deadline_) self->finishShutdown();
}

void App::finishShutdown() {
  if (registry_ && registry_->sessionCount() > 0) {
    spdlog::warn("drain deadline passed, closing sessions={}", registry_->sessionCount());
  }
  if (registry_) registry_->closeAll();
  for (uv_signal_t* s : {&sigint_, &sigterm_, &sighup_}) {
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(s))) uv_close(reinterpret_cast<uv_handle_t*>(s), nullptr);
  }
  if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&drain_timer_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&drain_timer_), nullptr);
  }
  spdlog::info("shutdown complete");
}

}  // namespace faultline

#include "scenario/scenario_runner.h"

#include <signal.h>
#include <uv.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <set>

#include "http/http_url.h"
#include "proxy/proxy_registry.h"
#include "scenario/expectations.h"
#include "scenario/fault_windows.h"
#include "scenario/load_runner.h"
#include "scenario/observer.h"
#include "scenario/process_group.h"
#include "scenario/ready_probe.h"
#include "scenario/scenario_parser.h"

namespace faultline::scenario {

namespace {

constexpr uint64_t kTickMs = 20;

std::string where(const ScenarioSpec& spec, const LocatedText& t) {
  return fmt::format("{}:{}:{}: {}", spec.file, t.where.line, t.where.column, t.path);
}

struct ReadyPort {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  bool ready = false;
  bool probing = false;
};

struct Started {
  const StartSpec* spec = nullptr;
  std::unique_ptr<ProcessGroup> group;
  std::vector<std::shared_ptr<ReadyPort>> ports;  // shared with probes in flight
  bool exit_recorded = false;
};

class VariantRun {
 public:
  VariantRun(const ScenarioSpec& spec, const VariantSpec& variant, const RunOptions& options)
      : spec_(spec), variant_(variant), options_(options) {
    uv_loop_init(&loop_);
    result_.name = variant.name;
    result_.description = variant.description;
    result_.duration_s = std::chrono::duration<double>(spec.load.duration).count();
  }

  ~VariantRun() {
    observers_.clear();
    load_.reset();
    started_.clear();  // SIGKILL to anything left, and reap
    registry_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }

  std::optional<std::string> setupError() const { return error_; }
  bool interrupted() const { return interrupted_; }
  VariantResult takeResult() { return std::move(result_); }

  void run() {
    uv_timer_init(&loop_, &tick_);
    tick_.data = this;
    for (auto* s : {&sigint_, &sigterm_}) {
      uv_signal_init(&loop_, s);
      s->data = this;
    }
    uv_signal_start(&sigint_, &VariantRun::onSignal, SIGINT);
    uv_signal_start(&sigterm_, &VariantRun::onSignal, SIGTERM);
    if (prepare()) {
      state_ = State::kStarting;
      starting_since_ = Clock::now();
    } else {
      beginStopping();
    }
    uv_timer_start(&tick_, [](uv_timer_t* t) { static_cast<VariantRun*>(t->data)->onTick(); }, 0, kTickMs);
    uv_run(&loop_, UV_RUN_DEFAULT);
  }

 private:
  enum class State { kPreparing, kStarting, kRunning, kStopping, kClosed };

  bool fail(std::string message) {
    if (!error_) error_ = std::move(message);
    return false;
  }

  Result<std::string> resolve(const LocatedText& t) {
    auto s = substitutePlaceholders(t.text, values_);
    if (!s.ok()) return Error::invalid(where(spec_, t) + ": " + s.error().message);
    return s;
  }

  // Ports, proxies (bound, without their toxics: those go on when the load starts, so their
  // schedules count from there), commands.
  bool prepare() {
    values_ = options_.fixed;
    for (const auto& [k, v] : variant_.vars) values_["var." + k] = v;
    for (const auto& name : spec_.port_names) {
      auto port = freeLoopbackPort();
      if (!port.ok()) return fail(port.error().message);
      values_["port." + name] = std::to_string(*port);
    }
    auto proxies = resolveProxies(spec_, values_);
    if (!proxies.ok()) return fail(proxies.error().message);
    proxies_ = std::move(*proxies);
    RegistryOptions registry_options;
    registry_options.seed = options_.seed;
    registry_ = std::make_unique<ProxyRegistry>(&loop_, registry_options);
    for (std::size_t i = 0; i < proxies_.proxies.size(); ++i) {
      ProxyConfig bare = proxies_.proxies[i];
      bare.toxics.clear();
      bare.enabled = true;
      auto created = registry_->create(bare);
      const auto& at = proxies_.sources.size() > i ? proxies_.sources[i].listen : SourceLocation{};
      if (!created.ok()) {
        return fail(fmt::format("{}:{}:{}: proxies[{}].listen: cannot listen on {}: {}", spec_.file, at.line, at.column, i,
                                bare.listen, created.error().message));
      }
      const std::string& listen = created->listen;
      values_["proxy." + bare.name + ".url"] = "http://" + listen;
      values_["proxy." + bare.name + ".port"] = listen.substr(listen.rfind(':') + 1);
      values_["proxy." + bare.name + ".listen"] = listen;
    }
    auto target = resolve(variant_.target);
    if (!target.ok()) return fail(target.error().message);
    result_.target = *target;
    std::string url_text = *target, query;
    if (auto q = url_text.find('?'); q != std::string::npos) {
      query = url_text.substr(q);
      url_text.resize(q);
    }
    auto url = parseHttpUrl(url_text);
    if (!url.ok()) return fail(where(spec_, variant_.target) + ": " + url.error().message);
    load_params_.host = url->host;
    load_params_.port = url->port;
    load_params_.path = (url->base_path.empty() ? "/" : url->base_path) + query;
    load_params_.rate = spec_.load.rate;
    load_params_.duration = spec_.load.duration;
    load_params_.timeout = spec_.load.timeout;

    for (const auto& s : spec_.start) {
      Started entry;
      entry.spec = &s;
      auto command = resolve(s.run);
      if (!command.ok()) return fail(command.error().message);
      if (s.ready) {
        auto ready = resolve(*s.ready);
        if (!ready.ok()) return fail(ready.error().message);
        const auto colon = ready->rfind(':');
        auto p = std::make_shared<ReadyPort>();
        try {
          p->host = colon == std::string::npos ? "" : ready->substr(0, colon);
          p->port = static_cast<uint16_t>(std::stoi(ready->substr(colon + 1)));
        } catch (const std::exception&) {
          p->port = 0;
        }
        if (p->host.size() > 2 && p->host.front() == '[') p->host = p->host.substr(1, p->host.size() - 2);
        if (colon == std::string::npos || p->port == 0) {
          return fail(where(spec_, *s.ready) + ": '" + *ready + "' is not host:port; expected e.g. 127.0.0.1:{port.server}");
        }
        entry.ports.push_back(p);
      } else {
        for (const auto& name : placeholderNames(s.run.text)) {
          if (name.rfind("port.", 0) != 0) continue;
          auto p = std::make_shared<ReadyPort>();
          p->port = static_cast<uint16_t>(std::stoi(values_[name]));
          entry.ports.push_back(p);
        }
      }
      const std::string log = options_.log_dir + "/" + variant_.name + "-" + s.name + ".log";
      auto group = ProcessGroup::start(s.name, *command, log);
      if (!group.ok()) return fail(where(spec_, s.run) + ": cannot start '" + s.name + "': " + group.error().message);
      entry.group = std::move(*group);
      progress(fmt::format("  started {} (pid {}): {}", s.name, entry.group->pid(), *command));
      started_.push_back(std::move(entry));
    }
    return true;
  }

  void progress(const std::string& line) {
    if (options_.progress) options_.progress(line);
  }

  static void onSignal(uv_signal_t* handle, int signum) {
    auto* self = static_cast<VariantRun*>(handle->data);
    if (self->interrupted_) {  // a second Ctrl-C: no more grace
      for (auto& s : self->started_) s.group->signalGroup(SIGKILL);
      return;
    }
    self->interrupted_ = true;
    self->progress(fmt::format("  {}: stopping everything started", signum == SIGINT ? "SIGINT" : "SIGTERM"));
    if (self->state_ == State::kRunning) self->load_->stop();  // its done callback stops the rest
    else if (self->state_ != State::kStopping && self->state_ != State::kClosed) self->beginStopping();
  }

  void onTick() {
    const auto now = Clock::now();
    switch (state_) {
      case State::kStarting: return tickStarting(now);
      case State::kRunning: return tickRunning(now);
      case State::kStopping: return tickStopping(now);
      default: return;
    }
  }

  void tickStarting(TimePoint now) {
    bool all_ready = true;
    for (std::size_t i = 0; i < started_.size(); ++i) {
      auto& s = started_[i];
      if (auto code = s.group->poll()) {
        fail(fmt::format("{}: '{}' exited {} before it was ready; its log {} ends:\n{}", where(spec_, s.spec->run), s.spec->name,
                         *code, s.group->logPath(), logTail(s.group->logPath())));
        return beginStopping();
      }
      for (auto& p : s.ports) {
        if (p->ready) continue;
        all_ready = false;
        if (p->probing) continue;
        p->probing = true;
        probeTcpPort(&loop_, p->host, p->port, [p](bool ok) {
          p->probing = false;
          p->ready = ok;
        });
      }
    }
    if (all_ready) return beginRunning();
    if (now - starting_since_ > options_.ready_timeout) {
      for (auto& s : started_) {
        for (auto& p : s.ports) {
          if (!p->ready) {
            fail(fmt::format("{}: '{}' did not accept connections on {}:{} within {} ms; its log {} ends:\n{}", where(spec_, s.spec->run),
                             s.spec->name, p->host, p->port, options_.ready_timeout.count(), s.group->logPath(),
                             logTail(s.group->logPath())));
            return beginStopping();
          }
        }
      }
    }
  }

  void beginRunning() {
    // The faults go on now: a schedule's clock starts with the load.
    for (const auto& proxy : proxies_.proxies) {
      if (auto status = registry_->setToxics(proxy.name, proxy.toxics); !status) {
        fail("proxy " + proxy.name + ": cannot set its toxics: " + status.error().message);
        return beginStopping();
      }
      if (!proxy.enabled) {
        ProxyPatch patch;
        patch.enabled = false;
        (void)registry_->update(proxy.name, patch);
      }
    }
    result_.windows = faultWindows(proxies_, result_.duration_s);
    load_ = std::make_unique<LoadRunner>(&loop_, load_params_, [this] { beginStopping(); });
    for (const auto& o : spec_.observe) {
      if (!o.variants.empty() && std::find(o.variants.begin(), o.variants.end(), variant_.name) == o.variants.end()) continue;
      std::optional<HttpUrl> url;
      if (o.url) {
        auto text = resolve(*o.url);
        auto parsed = text.ok() ? parseHttpUrl(*text) : Result<HttpUrl>(text.error());
        if (!parsed.ok()) {
          fail(where(spec_, *o.url) + ": " + parsed.error().message);
          return beginStopping();
        }
        url = *parsed;
      }
      const std::string process = o.process;
      observers_.push_back(std::make_unique<Observer>(&loop_, o, url, [this, process]() -> pid_t {
        for (auto& s : started_) {
          if (s.spec->name == process && s.group->running()) return s.group->pid();
        }
        return -1;
      }));
    }
    state_ = State::kRunning;
    progress(fmt::format("  load: {} requests/s for {:.1f} s against {}", load_params_.rate, result_.duration_s, result_.target));
    load_->start();
  }

  void tickRunning(TimePoint now) {
    for (auto& o : observers_) o->tick(now, load_->t0());
    const double t = std::chrono::duration<double>(now - load_->t0()).count();
    for (auto& s : started_) {
      if (s.exit_recorded) continue;
      if (auto code = s.group->poll()) {
        s.exit_recorded = true;
        result_.exits.push_back({s.spec->name, *code, t});
        progress(fmt::format("  {} exited {} at {:.1f} s (log {})", s.spec->name, *code, t, s.group->logPath()));
      }
    }
  }

  void beginStopping() {
    if (state_ == State::kStopping || state_ == State::kClosed) return;
    state_ = State::kStopping;
    for (auto& o : observers_) o->stop();
    stop_deadline_ = Clock::now() + options_.stop_grace;
    for (auto& s : started_) {
      if (!s.group->poll()) s.group->signalGroup(SIGTERM);
    }
  }

  void tickStopping(TimePoint now) {
    bool all_gone = true;
    for (auto& s : started_) {
      if (s.group->poll()) continue;
      all_gone = false;
      if (now >= stop_deadline_) s.group->signalGroup(SIGKILL);
    }
    for (auto& o : observers_) all_gone = all_gone && o->idle();
    if (!all_gone) return;
    state_ = State::kClosed;
    for (auto& o : observers_) result_.series.push_back(o->takeSeries());
    if (load_) {
      result_.requests = std::move(load_->records());
      load_->close();
    }
    started_.clear();  // the group's leftovers get SIGKILL
    if (registry_) registry_->closeAll();
    for (auto* h : {reinterpret_cast<uv_handle_t*>(&tick_), reinterpret_cast<uv_handle_t*>(&sigint_),
                    reinterpret_cast<uv_handle_t*>(&sigterm_)}) {
      uv_close(h, nullptr);
    }
    result_.verdicts = evaluateExpectations(variant_.expect, result_);
  }

  const ScenarioSpec& spec_;
  const VariantSpec& variant_;
  const RunOptions& options_;
  uv_loop_t loop_{};
  uv_timer_t tick_{};
  uv_signal_t sigint_{};
  uv_signal_t sigterm_{};
  State state_ = State::kPreparing;
  TimePoint starting_since_{};
  TimePoint stop_deadline_{};
  PlaceholderValues values_;
  RulesConfig proxies_;
  std::unique_ptr<ProxyRegistry> registry_;
  std::vector<Started> started_;
  LoadRunner::Params load_params_;
  std::unique_ptr<LoadRunner> load_;
  std::vector<std::unique_ptr<Observer>> observers_;
  VariantResult result_;
  std::optional<std::string> error_;
  bool interrupted_ = false;
};

}  // namespace

RunOutcome runScenario(const ScenarioSpec& spec, const RunOptions& options) {
  RunOutcome outcome;
  outcome.result.scenario = spec.name;
  outcome.result.description = spec.description;
  outcome.result.settings = fmt::format("load {}/s for {:.1f} s per variant, client timeout {} ms, seed {}", spec.load.rate,
                                        std::chrono::duration<double>(spec.load.duration).count(), spec.load.timeout.count(),
                                        options.seed);
  for (const auto& variant : spec.variants) {
    if (options.progress) options.progress(fmt::format("variant {}:", variant.name));
    VariantRun run(spec, variant, options);
    run.run();
    if (run.setupError()) {
      outcome.setup_error = run.setupError();
      break;
    }
    outcome.result.variants.push_back(run.takeResult());
    if (run.interrupted()) {
      outcome.interrupted = true;
      break;
    }
  }
  return outcome;
}

}  // namespace faultline::scenario

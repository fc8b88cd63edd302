#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "proxy/proxy_registry.h"
#include "rules/rules_config.h"
#include "rules/rules_parser.h"
#include "rules/rules_service.h"

struct uv_loop_s;

namespace faultline {

struct RulesWatcherOptions {
  // Editors and `kubectl` write in bursts (truncate, write, rename, chmod); one reload per burst.
  Millis debounce{100};
  // A file rewritten more often than `debounce` would otherwise never be reloaded until the
  // writes stop: a burst is cut off after this long, counted from its first change.
  Millis debounce_max_wait{1000};
  // A stat poll beside inotify: catches what directory events miss (the directory itself
  // replaced, network file systems, inotify limits). Unchanged content is a no-op anyway.
  Millis poll_interval{1000};
  RulesLimits limits;
};

// Keeps a registry in line with one rules file: loads it at start(), then reloads it whenever
// it changes (or on reload(): SIGHUP, POST /reload, `faultline reload`). An invalid version
// changes nothing; its errors are logged and shown by status(). A deleted file keeps the
// current rules; once it is back it loads. Runs on the loop thread, like the registry.
class RulesWatcher final : public RulesService {
 public:
  RulesWatcher(uv_loop_s* loop, ProxyRegistry& registry, std::string path, RulesWatcherOptions options = {});
  ~RulesWatcher() override;
  RulesWatcher(const RulesWatcher&) = delete;
  RulesWatcher& operator=(const RulesWatcher&) = delete;

  // Loads the file (an invalid or missing file is an error here: a server must not start with
  // rules other than the ones asked for), then starts watching it.
  Status start();
  Status reload() override { return reloadVia("api"); }
  // A reload on request; `via` ("api", "signal") goes into the rules_reloaded event it publishes.
  Status reloadVia(const char* via);
  nlohmann::json status() const override;
  // Stops watching; the handles free themselves once the loop runs their close callbacks.
  // The registry keeps its proxies. Idempotent.
  void close();

  // The rules currently applied (empty before the first successful load).
  const RulesConfig& applied() const { return applied_; }
  uint64_t reloadsOk() const { return reloads_ok_; }
  uint64_t reloadsFailed() const { return reloads_error_; }
  const std::optional<std::string>& lastError() const { return last_error_; }

 private:
  struct Handles;
  enum class Trigger { kExplicit, kWatch };

  Status load(Trigger trigger);
  Status fail(std::string message, const std::string& content_hash);
  // rules_reloaded on the registry's event bus: ok (and whether anything changed) or the error.
  void publishOutcome(const char* via, const Status& status, bool changed);
  void schedule();
  void onDebounce();
  TimePoint burst_started_{};  // first change of the burst being debounced; epoch when none

  uv_loop_s* loop_;
  ProxyRegistry& registry_;
  std::string path_;
  RulesWatcherOptions options_;
  Handles* handles_ = nullptr;  // self-freeing after close()

  RulesConfig applied_;
  bool loaded_ = false;
  std::optional<std::chrono::system_clock::time_point> loaded_at_;
  std::optional<std::string> last_error_;
  std::string last_failed_hash_;  // a broken version is reported once, not on every event
  bool missing_ = false;
  uint64_t reloads_ok_ = 0;
  uint64_t reloads_error_ = 0;
  // Versions refused by a RulesLimits bound; status() reports them as "limit_hits".
  uint64_t file_bytes_hits_ = 0;
  uint64_t nodes_hits_ = 0;
  uint64_t depth_hits_ = 0;
};

}  // namespace faultline

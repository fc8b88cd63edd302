#include "rules/rules_watcher.h"

#include <spdlog/spdlog.h>
#include <uv.h>

#include <cstring>
#include <filesystem>

#include "core/utc_time.h"
#include "events/event_bus.h"
#include "net/uv_error.h"
#include "rules/rules_loader.h"
#include "rules/rules_reconciler.h"

namespace faultline {

namespace {

std::shared_ptr<spdlog::logger> rulesLog() {
  auto logger = spdlog::get("rules");
  return logger ? logger : spdlog::default_logger();
}

}  // namespace

// The libuv handles live in their own heap object so the watcher can be destroyed at any time:
// close() detaches them and they free themselves after their last close callback.
struct RulesWatcher::Handles {
  explicit Handles(RulesWatcher* o) : owner(o) {}

  uv_timer_t debounce{};
  uv_fs_event_t event{};
  uv_fs_poll_t poll{};
  bool event_open = false;
  bool poll_open = false;
  int open = 0;
  RulesWatcher* owner;  // null once closing
  std::string file_name;

  static void onClose(uv_handle_t* handle) noexcept {
    auto* self = static_cast<Handles*>(handle->data);
    if (--self->open == 0) delete self;
  }

  static void onDebounce(uv_timer_t* timer) noexcept {
    auto* self = static_cast<Handles*>(timer->data);
    if (self->owner == nullptr) return;
    try {
      self->owner->onDebounce();
    } catch (const std::exception& e) {
      rulesLog()->error("rules reload failed unexpectedly error=\"{}\"", e.what());
    }
  }

  static void onEvent(uv_fs_event_t* handle, const char* filename, int /*events*/, int status) noexcept {
    auto* self = static_cast<Handles*>(handle->data);
    if (self->owner == nullptr) return;
    if (status < 0) {
      rulesLog()->warn("rules directory watch error file={} error={}", self->owner->path_, uvErrorText(status));
      return;
    }
    // Our file itself (in-place write, rename over it, delete), or a Kubernetes ConfigMap
    // swapping its `..data` symlink. Other files in the directory are not our business.
    if (filename == nullptr || self->file_name == filename || std::strncmp(filename, "..", 2) == 0) {
      self->owner->schedule();
    }
  }

  static void onPoll(uv_fs_poll_t* handle, int /*status*/, const uv_stat_t* /*prev*/,
                     const uv_stat_t* /*curr*/) noexcept {
    auto* self = static_cast<Handles*>(handle->data);
    if (self->owner != nullptr) self->owner->schedule();
  }
};

RulesWatcher::RulesWatcher(uv_loop_s* loop, ProxyRegistry& registry, std::string path, RulesWatcherOptions options)
    : loop_(loop), registry_(registry), path_(std::move(path)), options_(options) {}

RulesWatcher::~RulesWatcher() { close(); }

Status RulesWatcher::start() {
  if (handles_ != nullptr) return Error::invalid("rules watcher already started for " + path_);
  if (auto status = load(Trigger::kExplicit); !status) return status;

  auto* h = new Handles(this);
  h->file_name = std::filesystem::path(path_).filename().string();
  std::string dir = std::filesystem::path(path_).parent_path().string();
  if (dir.empty()) dir = ".";

  uv_timer_init(loop_, &h->debounce);
  h->debounce.data = h;
  ++h->open;

  // The directory, not the file: an editor's save-by-rename or a ConfigMap update replaces
  // the file's inode, and a watch on the old inode would go quiet.
  if (int rc = uv_fs_event_init(loop_, &h->event); rc == 0) {
    h->event.data = h;
    h->event_open = true;
    ++h->open;
    if (rc = uv_fs_event_start(&h->event, &Handles::onEvent, dir.c_str(), 0); rc < 0) {
      rulesLog()->warn("rules directory watch unavailable, polling only dir={} error={}", dir, uvErrorText(rc));
    }
  }
  if (int rc = uv_fs_poll_init(loop_, &h->poll); rc == 0) {
    h->poll.data = h;
    h->poll_open = true;
    ++h->open;
    if (rc = uv_fs_poll_start(&h->poll, &Handles::onPoll, path_.c_str(),
                              static_cast<unsigned>(options_.poll_interval.count()));
        rc < 0) {
      rulesLog()->warn("rules file poll unavailable file={} error={}", path_, uvErrorText(rc));
    }
  }
  handles_ = h;
  // A write between the load above and the watches starting would otherwise go unseen.
  schedule();
  rulesLog()->info("rules watching file={} debounce_ms={} poll_ms={}", path_, options_.debounce.count(),
              options_.poll_interval.count());
  return {};
}

void RulesWatcher::close() {
  Handles* h = handles_;
  if (h == nullptr) return;
  handles_ = nullptr;
  h->owner = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&h->debounce), &Handles::onClose);
  if (h->event_open) uv_close(reinterpret_cast<uv_handle_t*>(&h->event), &Handles::onClose);
  if (h->poll_open) uv_close(reinterpret_cast<uv_handle_t*>(&h->poll), &Handles::onClose);
}

void RulesWatcher::schedule() {
  if (handles_ == nullptr) return;
  // Restarting the timer pushes the reload past the end of the burst, but never past
  // debounce_max_wait after the burst's first change.
  const TimePoint now = Clock::now();
  if (burst_started_ == TimePoint{}) burst_started_ = now;
  const auto waited = std::chrono::duration_cast<Millis>(now - burst_started_);
  const Millis left = std::max(Millis{0}, options_.debounce_max_wait - waited);
  const Millis delay = std::min(options_.debounce, left);
  uv_timer_start(&handles_->debounce, &Handles::onDebounce, static_cast<uint64_t>(delay.count()), 0);
}

void RulesWatcher::onDebounce() {
  burst_started_ = TimePoint{};
  const uint64_t ok_before = reloads_ok_;
  const uint64_t error_before = reloads_error_;
  Status status = load(Trigger::kWatch);
  // Only outcomes: a touch, the same broken version again or a still-missing file publish nothing.
  if (reloads_ok_ != ok_before || reloads_error_ != error_before) publishOutcome("watch", status, reloads_ok_ != ok_before);
}

Status RulesWatcher::reloadVia(const char* via) {
  const uint64_t ok_before = reloads_ok_;
  Status status = load(Trigger::kExplicit);
  publishOutcome(via, status, reloads_ok_ != ok_before);
  return status;
}

void RulesWatcher::publishOutcome(const char* via, const Status& status, bool changed) {
  nlohmann::ordered_json fields;
  fields["ok"] = status.ok();
  fields["via"] = via;
  fields["file"] = path_;
  if (status.ok()) {
    fields["changed"] = changed;
  } else {
    fields["error"] = status.error().message;
  }
  registry_.events().publish("rules_reloaded", "", std::move(fields));
}

Status RulesWatcher::fail(std::string message, const std::string& content_hash) {
  ++reloads_error_;
  last_failed_hash_ = content_hash;
  last_error_ = message;
  return Error::invalid(std::move(message));
}

Status RulesWatcher::load(Trigger trigger) {
  auto content = readRulesFile(path_, options_.limits.max_bytes);
  if (!content) {
    const Error& error = content.error();
    if (error.code == ErrorCode::kNotFound) {
      if (!missing_) {
        rulesLog()->warn("rules file missing, keeping current rules file={} proxies={}", path_, applied_.proxies.size());
      }
      missing_ = true;
      if (trigger == Trigger::kWatch) return Error::notFound(error.message);
      ++reloads_error_;
      last_error_ = error.message + "; keeping the current rules";
      return Error::notFound(*last_error_);
    }
    std::string key = "read:" + error.message;
    if (trigger == Trigger::kWatch && key == last_failed_hash_) return Error{error.code, error.message};
    rulesLog()->error("rules rejected, keeping current rules file={} error=\"{}\"", path_, error.message);
    if (error.code == ErrorCode::kTooLarge) ++file_bytes_hits_;
    Status status = fail(error.message, key);
    return Error{error.code, status.error().message};
  }
  if (missing_) {
    rulesLog()->info("rules file is back file={}", path_);
    missing_ = false;
  }

  const std::string hash = rulesContentHash(*content);
  if (loaded_ && hash == applied_.content_hash) {
    // Same bytes as the running rules (a touch, a no-op save, or a broken version reverted).
    last_error_.reset();
    last_failed_hash_.clear();
    return {};
  }
  if (trigger == Trigger::kWatch && hash == last_failed_hash_) return Error::invalid(last_error_.value_or(""));

  auto parsed = parseRulesText(*content, path_, options_.limits);
  if (!parsed.ok()) {
    if (parsed.limit_hit == RulesLimit::kFileBytes) ++file_bytes_hits_;
    if (parsed.limit_hit == RulesLimit::kNodes) ++nodes_hits_;
    if (parsed.limit_hit == RulesLimit::kDepth) ++depth_hits_;
    for (const auto& e : parsed.errors) {
      rulesLog()->error("rules rejected, keeping current rules error=\"{}\"", e.toString());
    }
    return fail(joinRulesErrors(parsed.errors), hash);
  }
  auto summary = reconcileRules(registry_, applied_, parsed.config);
  if (!summary) {
    rulesLog()->error("rules not applied, keeping current rules error=\"{}\"", summary.error().message);
    Status status = fail(summary.error().message, hash);
    return Error{summary.error().code, status.error().message};
  }
  applied_ = std::move(parsed.config);
  loaded_ = true;
  loaded_at_ = std::chrono::system_clock::now();
  last_error_.reset();
  last_failed_hash_.clear();
  ++reloads_ok_;
  rulesLog()->info("rules loaded file={} hash={} proxies={} toxics={} created={} updated={} removed={} unchanged={}",
              path_, hash, applied_.proxies.size(), applied_.toxicCount(), summary->created, summary->updated,
              summary->removed, summary->unchanged);
  return {};
}

nlohmann::json RulesWatcher::status() const {
  nlohmann::json out;
  out["file"] = path_;
  out["content_hash"] = loaded_ ? nlohmann::json(applied_.content_hash) : nlohmann::json(nullptr);
  out["loaded_at"] = loaded_at_ ? nlohmann::json(formatUtcMillis(std::chrono::duration_cast<std::chrono::milliseconds>(loaded_at_->time_since_epoch()).count())) : nlohmann::json(nullptr);
  out["last_error"] = last_error_ ? nlohmann::json(*last_error_) : nlohmann::json(nullptr);
  out["file_missing"] = missing_;
  out["reloads"] = {{"ok", reloads_ok_}, {"error", reloads_error_}};
  out["limit_hits"] = {{"file_bytes", file_bytes_hits_}, {"nodes", nodes_hits_}, {"depth", depth_hits_}};
  nlohmann::json names = nlohmann::json::array();
  for (const auto& p : applied_.proxies) names.push_back(p.name);
  out["proxies"] = std::move(names);
  return out;
}

}  // namespace faultline

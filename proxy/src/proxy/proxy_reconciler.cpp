#include "proxy/proxy_reconciler.h"

#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "net/address.h"
#include "net/uv_error.h"

namespace faultline {

namespace {

// Whether a proxy listening on `current` already satisfies `wanted` (port 0 asks for any port,
// so a proxy already bound to some port on that host keeps it, and its connections).
bool sameListen(const std::string& wanted, const std::string& current) {
  if (wanted == current) return true;
  auto w = parseHostPort(wanted.empty() ? "127.0.0.1:0" : wanted);
  auto c = parseHostPort(current);
  return w && c && listenSatisfiedBy(*w, *c);
}

bool listensCollide(const std::string& a, const std::string& b) {
  auto pa = parseHostPort(a.empty() ? "127.0.0.1:0" : a);
  auto pb = parseHostPort(b);
  return pa && pb && collides(*pa, *pb);
}

bool sameUpstream(const std::string& wanted, const std::string& current) {
  auto w = parseHostPort(wanted);
  auto c = parseHostPort(current);
  return w && c && sameAddress(*w, *c);
}

// The registry reports toxics upstream first, each stream in chain order; a rules file may
// interleave them. Within a stream, order is the chain and matters.
bool sameToxics(const std::vector<ToxicSpec>& wanted, const std::vector<ToxicSpecPtr>& current) {
  if (wanted.size() != current.size()) return false;
  std::size_t i = 0;
  for (Stream stream : {Stream::kUpstream, Stream::kDownstream}) {
    for (const auto& t : wanted) {
      if (t.stream != stream) continue;
      if (!(t == *current[i])) return false;
      ++i;
    }
  }
  return true;
}

std::vector<ToxicSpec> specsOf(const std::vector<ToxicSpecPtr>& toxics) {
  std::vector<ToxicSpec> out;
  for (const auto& t : toxics) out.push_back(*t);
  return out;
}

// Binds and closes a plain socket, as libuv would bind it (SO_REUSEADDR), to learn whether the
// listener can be created. Synchronous and handle-free: nothing to close through the loop.
std::optional<std::string> bindProblem(const HostPort& address) {
  auto sa = numericSockaddr(address);
  if (!sa) return "cannot listen on a host name";
  int fd = ::socket(sa->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return uvErrorText(-errno);  // libuv statuses are negated errno values on Unix
  int one = 1;
  (void)::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  socklen_t len = sa->ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  std::optional<std::string> problem;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&*sa), len) != 0) {
    int err = errno;
    problem = uvErrorText(-err);
  }
  ::close(fd);
  return problem;
}

enum class StepKind { kRemove, kUpdate, kCreate };

// When a step runs. What is new is bound before what goes is torn down, so a failure leaves the
// old proxies and their live sessions alone; only a step that needs an address this plan frees
// waits for the removals.
enum class Phase { kBeforeRemovals, kRemovals, kAfterRemovals };

struct Step {
  StepKind kind;
  std::string name;
  std::size_t index = 0;            // in plan.wanted (update, create)
  std::optional<ProxyInfo> before;  // remove, update: what to restore
  ProxyPatch patch;                 // update
  bool toxics_changed = false;      // update
  Phase phase = Phase::kBeforeRemovals;
};

class Transaction {
 public:
  explicit Transaction(ProxyRegistry& registry) : registry_(registry) {}

  Status run(const Step& step, const std::vector<ProxyConfig>& next) {
    Status status = apply(step, next);
    done_.push_back(&step);
    return status;
  }

  // Undoes every step taken (the failed one too: it may have half-applied), newest first.
  void rollback() {
    for (auto it = done_.rbegin(); it != done_.rend(); ++it) undo(**it);
    done_.clear();
  }

 private:
  Status apply(const Step& step, const std::vector<ProxyConfig>& next) {
    switch (step.kind) {
      case StepKind::kRemove:
        return registry_.remove(step.name);
      case StepKind::kCreate: {
        auto created = registry_.create(next[step.index]);
        if (!created) return created.error();
        return {};
      }
      case StepKind::kUpdate: {
        const ProxyConfig& want = next[step.index];
        if (step.toxics_changed) {
          if (auto s = registry_.setToxics(step.name, want.toxics); !s) return s;
        }
        if (step.patch.listen || step.patch.upstream || step.patch.enabled || step.patch.on_upstream_error) {
          auto updated = registry_.update(step.name, step.patch);
          if (!updated) return updated.error();
        }
        return {};
      }
    }
    return {};
  }

  void undo(const Step& step) {
    Status status;
    switch (step.kind) {
      case StepKind::kCreate:
        if (registry_.get(step.name)) status = registry_.remove(step.name);
        break;
      case StepKind::kRemove: {
        if (registry_.get(step.name)) break;  // the remove itself failed
        const ProxyInfo& was = *step.before;
        ProxyConfig config;
        config.name = was.name;
        config.listen = was.listen;
        config.upstream = was.upstream;
        config.enabled = was.enabled;
        config.on_upstream_error = was.reset_on_upstream_error ? "reset" : "close";
        config.toxics = specsOf(was.toxics);
        config.toxics_given = true;
        auto created = registry_.create(config);
        if (!created) status = created.error();
        break;
      }
      case StepKind::kUpdate: {
        const ProxyInfo& was = *step.before;
        ProxyPatch patch;
        if (step.patch.listen) patch.listen = was.listen;
        if (step.patch.upstream) patch.upstream = was.upstream;
        if (step.patch.enabled || step.patch.listen) patch.enabled = was.enabled;
        if (step.patch.on_upstream_error) patch.on_upstream_error = was.reset_on_upstream_error ? "reset" : "close";
        if (patch.listen || patch.upstream || patch.enabled || patch.on_upstream_error) {
          auto restored = registry_.update(step.name, patch);
          if (!restored) status = restored.error();
        }
        if (step.toxics_changed) {
          if (auto s = registry_.setToxics(step.name, specsOf(was.toxics)); !s && status) status = s;
        }
        break;
      }
    }
    if (!status) {
      spdlog::error("rules rollback incomplete proxy={} error=\"{}\"", step.name, status.error().message);
    }
  }

  ProxyRegistry& registry_;
  std::vector<const Step*> done_;
};

}  // namespace

Result<ReconcileSummary> reconcileProxies(ProxyRegistry& registry, const ReconcilePlan& plan) {
  const std::vector<ProxyConfig>& next = plan.wanted;
  ReconcileSummary summary;
  std::vector<Step> steps;
  std::set<std::string> wanted;
  for (const auto& p : next) wanted.insert(p.name);

  // Listen addresses this plan frees (removed, moved, replaced or disabled proxies): a proxy may
  // take them over, so they are not test-bound while still held.
  std::set<std::string> freed;
  for (const auto& name : plan.release) {
    if (wanted.count(name) != 0) continue;
    auto info = registry.get(name);
    if (!info) continue;  // deleted through the API since: nothing to remove
    freed.insert(info->listen);
    steps.push_back({StepKind::kRemove, name, 0, *info, {}, false, Phase::kRemovals});
  }

  std::vector<std::size_t> needs_bind;  // indexes into next
  for (std::size_t i = 0; i < next.size(); ++i) {
    const ProxyConfig& want = next[i];
    auto info = registry.get(want.name);
    if (!info) {
      steps.push_back({StepKind::kCreate, want.name, i, std::nullopt, {}, false, Phase::kBeforeRemovals});
      if (want.enabled) needs_bind.push_back(i);
      continue;
    }
    Step step{StepKind::kUpdate, want.name, i, *info, {}, false, Phase::kBeforeRemovals};
    const bool moves = !sameListen(want.listen, info->listen);
    if (moves) step.patch.listen = want.listen.empty() ? "127.0.0.1:0" : want.listen;
    if (!sameUpstream(want.upstream, info->upstream)) step.patch.upstream = want.upstream;
    if (want.enabled != info->enabled) step.patch.enabled = want.enabled;
    if ((want.on_upstream_error == "reset") != info->reset_on_upstream_error) {
      step.patch.on_upstream_error = want.on_upstream_error;
    }
    step.toxics_changed = want.toxics_given && !sameToxics(want.toxics, info->toxics);
    if (!step.patch.listen && !step.patch.upstream && !step.patch.enabled && !step.patch.on_upstream_error &&
        !step.toxics_changed) {
      ++summary.unchanged;
      continue;
    }
    if (plan.changed == ChangedProxy::kReplace && (step.patch.listen || step.patch.upstream)) {
      // Toxiproxy's /populate: a proxy whose addresses changed is a new proxy.
      freed.insert(info->listen);
      steps.push_back({StepKind::kRemove, want.name, i, *info, {}, false, Phase::kRemovals});
      steps.push_back({StepKind::kCreate, want.name, i, std::nullopt, {}, false, Phase::kAfterRemovals});
      if (want.enabled) needs_bind.push_back(i);
      continue;
    }
    if ((moves || !want.enabled) && info->enabled) freed.insert(info->listen);
    if (want.enabled && (moves || !info->enabled)) needs_bind.push_back(i);
    steps.push_back(std::move(step));
  }

  // A step whose listen address is one this plan frees runs after the removals; every other one
  // before them.
  for (Step& step : steps) {
    if (step.kind == StepKind::kRemove || step.phase == Phase::kAfterRemovals) continue;
    const ProxyConfig& want = next[step.index];
    if (step.kind == StepKind::kUpdate && !step.patch.listen && !step.patch.enabled) continue;
    for (const auto& f : freed) {
      if (listensCollide(want.listen, f) || sameListen(want.listen, f)) step.phase = Phase::kAfterRemovals;
    }
  }
  std::stable_sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) { return a.phase < b.phase; });

  // Pre-check: a port held by another process or by a proxy this plan does not touch is
  // reported now, where it was written, rather than discovered half-way through.
  for (std::size_t i : needs_bind) {
    const ProxyConfig& want = next[i];
    auto address = parseHostPort(want.listen.empty() ? "127.0.0.1:0" : want.listen);
    if (!address || address->port == 0) continue;
    bool freed_here = false;
    for (const auto& f : freed) freed_here = freed_here || listensCollide(want.listen, f);
    if (freed_here) continue;
    std::optional<std::string> holder;
    for (const auto& other : registry.list()) {
      if (other.name != want.name && other.enabled && listensCollide(want.listen, other.listen)) holder = other.name;
    }
    // Both are bind failures (500, as Toxiproxy answers them); the holder is named when it is ours.
    if (holder) {
      return Error::io(plan.locate(i, true, "listen",
                                   "address " + want.listen + " is already used by proxy '" + *holder +
                                       "'; expected a free address"));
    }
    if (auto problem = bindProblem(*address)) {
      return Error::io(plan.locate(i, true, "listen",
                                   "cannot listen on " + want.listen + ": " + *problem + "; expected a free address"));
    }
  }

  Transaction transaction(registry);
  for (const Step& step : steps) {
    Status status = transaction.run(step, next);
    if (status) {
      if (step.kind == StepKind::kRemove) ++summary.removed;
      if (step.kind == StepKind::kCreate) ++summary.created;
      if (step.kind == StepKind::kUpdate) ++summary.updated;
      continue;
    }
    transaction.rollback();
    std::string message;
    if (step.kind == StepKind::kRemove) {
      message = plan.label + ": removing proxy '" + step.name + "': " + status.error().message;
    } else {
      bool listen_error = step.kind == StepKind::kCreate || step.patch.listen.has_value();
      message = plan.locate(step.index, listen_error && status.error().code == ErrorCode::kIo,
                            listen_error && status.error().code == ErrorCode::kIo ? "listen" : "",
                            "proxy '" + step.name + "': " + status.error().message);
    }
    return Error{status.error().code, message + plan.restored_note};
  }
  return summary;
}

}  // namespace faultline

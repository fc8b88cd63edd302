#include "rules/rules_reconciler.h"

#include <spdlog/spdlog.h>

#include <set>
#include <string>

namespace faultline {

namespace {

const ProxyConfig* declared(const RulesConfig& config, const std::string& name) {
  for (const auto& p : config.proxies) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// The file's toxics, then the ones the API added to this proxy since (not declared by the
// previous version of the file), so an edit of the file never drops them silently.
std::vector<ToxicSpec> withApiToxics(const ProxyConfig& want, const ProxyConfig* before, const ProxyInfo& running) {
  std::vector<ToxicSpec> out = want.toxics;
  std::set<std::string> file_owned;
  if (before != nullptr) {
    for (const auto& t : before->toxics) file_owned.insert(t.name);
  }
  std::set<std::string> now_declared;
  for (const auto& t : want.toxics) now_declared.insert(t.name);
  for (const auto& toxic : running.toxics) {
    if (file_owned.count(toxic->name) != 0) continue;
    if (now_declared.count(toxic->name) != 0) {
      spdlog::warn("rules file takes over API toxic proxy={} toxic={}", want.name, toxic->name);
      continue;
    }
    out.push_back(*toxic);
  }
  return out;
}

}  // namespace

Result<ReconcileSummary> reconcileRules(ProxyRegistry& registry, const RulesConfig& previous, const RulesConfig& next) {
  ReconcilePlan plan;
  plan.wanted = next.proxies;
  for (auto& want : plan.wanted) {
    const ProxyConfig* before = declared(previous, want.name);
    if (before == nullptr) continue;  // new to the file (or API-made: the file takes it over whole)
    if (auto running = registry.get(want.name)) want.toxics = withApiToxics(want, before, *running);
  }
  for (const auto& p : previous.proxies) plan.release.push_back(p.name);
  plan.changed = ChangedProxy::kUpdateInPlace;
  plan.label = next.file;
  plan.restored_note = "; the previous rules were restored";
  plan.locate = [&next](std::size_t index, bool at_listen, const std::string& field, const std::string& message) {
    RulesError e;
    e.file = next.file;
    if (index < next.sources.size()) e.where = at_listen ? next.sources[index].listen : next.sources[index].proxy;
    e.path = "proxies[" + std::to_string(index) + "]" + (field.empty() ? "" : "." + field);
    e.message = message;
    return e.toString();
  };
  return reconcileProxies(registry, plan);
}

}  // namespace faultline

#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "proxy/proxy_config.h"
#include "proxy/proxy_registry.h"

namespace faultline {

struct ReconcileSummary {
  std::size_t created = 0;
  std::size_t updated = 0;
  std::size_t removed = 0;
  std::size_t unchanged = 0;
};

// What to do with a proxy that exists and whose listen or upstream differs.
enum class ChangedProxy {
  kUpdateInPlace,  // rules reloads: live sessions keep running where they can
  kReplace,        // /populate: Toxiproxy replaces such a proxy (a new proxy, fresh counters)
};

// A set of proxies to bring the registry to, from any source (a rules file, /populate).
struct ReconcilePlan {
  std::vector<ProxyConfig> wanted;   // each already passed buildProxySpec; names unique
  std::vector<std::string> release;  // proxies this source owned before: removed unless wanted
  ChangedProxy changed = ChangedProxy::kUpdateInPlace;
  // Places a message at wanted[index] (at its listen field when at_listen), e.g.
  // "rules.yaml:3:13: proxies[0].listen: ..." or "... at proxy 1".
  std::function<std::string(std::size_t index, bool at_listen, const std::string& field, const std::string& message)>
      locate;
  std::string label;          // names the source in messages about removals ("rules.yaml")
  std::string restored_note;  // appended to a failure after rollback ("; the previous rules were restored")
};

// The one way a set of proxies is applied, through the registry's public API only, all or
// nothing and without restarting what did not change:
//  - a wanted proxy the registry lacks is created; one that exists is updated in place
//    (setToxics() for toxic changes, so live connections get them; update() only for the
//    fields that differ) or replaced, as `changed` says; an input without toxics
//    (toxics_given false) leaves a kept proxy's toxics alone;
//  - a released proxy that is not wanted is removed; every other proxy is left alone.
// New listen addresses are test-bound first, so a port in use is reported (where it was written)
// before anything changes, and new listeners are bound before old proxies are torn down. Should
// the registry still refuse a step, every step already taken is undone in reverse order and the
// error returned.
Result<ReconcileSummary> reconcileProxies(ProxyRegistry& registry, const ReconcilePlan& plan);

}  // namespace faultline

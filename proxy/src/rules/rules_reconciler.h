#pragma once

#include <cstddef>

#include "core/result.h"
#include "proxy/proxy_registry.h"
#include "rules/rules_config.h"

namespace faultline {

struct ReconcileSummary {
  std::size_t created = 0;
  std::size_t updated = 0;
  std::size_t removed = 0;
  std::size_t unchanged = 0;
};

// Brings the registry in line with a validated rules file, through the registry's public API
// only, and without restarting what did not change:
//  - a proxy the file declares and the registry lacks is created;
//  - one that exists is updated in place: setToxics() for toxic changes, so live connections
//    get them, update() only for the fields (listen, upstream, enabled) that differ;
//  - a proxy `previous` declared and `next` does not is removed;
//  - proxies made through the API, never declared by the file, are left alone.
// New listen addresses are test-bound first, so a port in use is reported (with the file's
// line:column) before anything changes. Should the registry still refuse a step, every step
// already taken is undone in reverse order and the error returned: the running rules stay as
// they were (sessions of a proxy that had to be re-created are the one thing not restored).
Result<ReconcileSummary> reconcileRules(ProxyRegistry& registry, const RulesConfig& previous, const RulesConfig& next);

}  // namespace faultline

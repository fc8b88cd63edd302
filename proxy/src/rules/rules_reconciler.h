#pragma once

#include "core/result.h"
#include "proxy/proxy_reconciler.h"
#include "proxy/proxy_registry.h"
#include "rules/rules_config.h"

namespace faultline {

// Brings the registry in line with a validated rules file through reconcileProxies(): proxies
// the file declares are created or updated in place, those `previous` declared and `next` does
// not are removed, proxies made through the API are left alone. Errors carry the file's
// line:column; on failure the running rules stay exactly as they were, live sessions included.
//
// Toxics added through the API to a proxy the file manages are kept across reloads: the file
// owns the toxics it declares, the API owns the rest. A file that starts declaring a toxic of
// the same name takes it over (logged).
Result<ReconcileSummary> reconcileRules(ProxyRegistry& registry, const RulesConfig& previous, const RulesConfig& next);

}  // namespace faultline

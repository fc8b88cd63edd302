#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "toxics/http/http_layer_stats.h"
#include "toxics/toxic_counters.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// What a proxy should be, from the API, a rules file or a flag. Addresses are "host:port",
// "[v6]:port" or ":port"; validated by the registry.
struct ProxyConfig {
  std::string name;
  std::string listen;
  std::string upstream;
  bool enabled = true;
  std::vector<ToxicSpec> toxics;  // in chain order
  // False when the input had no toxics key: /populate then leaves a kept proxy's toxics alone.
  bool toxics_given = false;
  // What a client sees when the upstream refuses: "close" (accept, then EOF: Toxiproxy) or
  // "reset" (RST). Validated by buildProxySpec.
  std::string on_upstream_error = "close";
  // X-Faultline-Abort / X-Faultline-Delay request headers act on their request (off by default).
  bool http_request_faults = false;
};

// A partial update (POST/PATCH /proxies/{name}): absent fields keep their value.
struct ProxyPatch {
  std::optional<std::string> listen;
  std::optional<std::string> upstream;
  std::optional<bool> enabled;
  std::optional<std::string> on_upstream_error;
  std::optional<bool> http_request_faults;

  bool empty() const { return !listen && !upstream && !enabled && !on_upstream_error && !http_request_faults; }
};

// A partial toxic update: only toxicity and attributes change (Toxiproxy semantics); given
// attributes are merged over the current ones.
struct ToxicPatch {
  std::optional<double> toxicity;
  std::map<std::string, int64_t> attributes;
  std::map<std::string, std::string> text_attributes;  // http_* toxics' string attributes
};

// Counters one proxy keeps; shared so sessions that outlive a removed proxy stay safe.
struct ProxyStats {
  uint64_t bytes_received_upstream = 0;    // read from clients
  uint64_t bytes_sent_upstream = 0;        // written to the upstream
  uint64_t bytes_received_downstream = 0;  // read from the upstream
  uint64_t bytes_sent_downstream = 0;      // written to clients
  uint64_t connections_accepted = 0;
  uint64_t connections_active = 0;
  uint64_t connections_refused = 0;        // over max_connections
  uint64_t upstream_connect_failures = 0;
  uint64_t backpressure_pauses = 0;        // a link hit its cap and stopped reading
  std::map<std::string, uint64_t> toxics_applied;  // by toxic type: stages that won the roll
  std::map<std::string, ToxicCounters> toxic_counters;  // by toxic name: what each one did
  HttpLayerStats http;                             // the HTTP layers of this proxy's sessions
  std::map<std::string, uint64_t> schedule_activations;    // by toxic name: windows opened
  std::map<std::string, uint64_t> schedule_deactivations;  // by toxic name: windows closed
};

// A snapshot of one proxy, for the API and the CLI.
struct ProxyInfo {
  std::string name;
  std::string listen;  // the bound address when listening (port 0 reports the real port)
  std::string upstream;
  bool enabled = true;
  bool reset_on_upstream_error = false;  // on_upstream_error = reset
  bool http_request_faults = false;
  bool holding_connects = false;  // a connect_timeout toxic holds the listen address unanswered now
  std::vector<ToxicSpecPtr> toxics;  // upstream toxics first, each stream in chain order
  std::map<std::string, ScheduleStatus> schedules;  // by toxic name, for scheduled toxics
  std::shared_ptr<const ProxyStats> stats;
};

}  // namespace faultline

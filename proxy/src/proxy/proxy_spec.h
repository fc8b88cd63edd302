#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "net/address.h"
#include "proxy/proxy_config.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// A proxy definition validated once, with typed addresses: what the registry runs. Every way in
// (POST /proxies, /populate, --proxy, YAML and Toxiproxy JSON rules files) fills a ProxyConfig
// from its own syntax, and buildProxySpec() applies the one set of rules, so a proxy the API
// accepts is one a rules file accepts too.
struct ProxySpec {
  std::string name;
  HostPort listen;
  HostPort upstream;
  bool enabled = true;
  bool reset_on_upstream_error = false;  // on_upstream_error: "reset" (true) or "close"
  bool http_request_faults = false;  // see ProxyConfig::http_request_faults
  std::vector<ToxicSpec> toxics;  // in chain order, names unique
  bool toxics_given = false;      // see ProxyConfig::toxics_given
};

// The rules, one per field; messages say what is wrong and what is expected, without a field
// prefix (callers add the field path or the file's line:column).
// Names: 1-128 of [A-Za-z0-9_.-] (they appear in URLs, logs, metrics labels and file paths).
Status checkProxyName(const std::string& name);
// Listen: host:port with an IP literal or localhost ("" = all interfaces), port 0-65535. A DNS
// name is refused: resolving it would block the loop, and a name may change what it points at.
Result<HostPort> parseListenAddress(const std::string& text);
// Upstream: a valid host name or IP literal and a port 1-65535 (resolved per connection,
// asynchronously).
Result<HostPort> parseUpstreamAddress(const std::string& text);

// All of the above plus "missing required field: name|upstream" (Toxiproxy's words) and unique
// toxic names. An empty listen means 127.0.0.1:0, as in Toxiproxy. `where` ("proxy 2") is
// appended to every message as " at <where>".
// on_upstream_error: "close" (false) or "reset" (true).
Result<bool> parseUpstreamErrorMode(const std::string& text);

Result<ProxySpec> buildProxySpec(const ProxyConfig& config, const std::string& where = "");

// Terminal and log safe: control bytes and non-ASCII become \xNN, so a value quoted in a log line
// or a table can neither forge a line nor drive a terminal.
std::string escapeForDisplay(const std::string& text);

}  // namespace faultline

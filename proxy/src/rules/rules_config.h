#pragma once

#include <string>
#include <vector>

#include "proxy/proxy_config.h"

namespace faultline {

// Where a value came from in a rules file: 1-based, as editors show it (YAML::Mark is 0-based).
struct SourceLocation {
  int line = 0;
  int column = 0;
};

// Where each proxy of a RulesConfig was declared, so errors found after parsing (a listen
// address already in use) can still point at the file.
struct ProxySource {
  SourceLocation proxy;
  SourceLocation listen;
};

// A parsed and fully validated rules file: every proxy and toxic passed the same checks the
// API applies, so applying it can fail only for reasons outside the file (a port in use).
struct RulesConfig {
  std::vector<ProxyConfig> proxies;
  std::string content_hash;           // of the raw file bytes; equal hash = nothing to do
  std::string file;                   // as given, for messages
  std::vector<ProxySource> sources;   // parallel to proxies

  std::size_t toxicCount() const {
    std::size_t n = 0;
    for (const auto& p : proxies) n += p.toxics.size();
    return n;
  }
};

// One problem found in a rules file. toString(): "FILE:LINE:COL: PATH: MESSAGE".
struct RulesError {
  std::string file;
  SourceLocation where;  // line 0 when the problem has no position (file missing, too large)
  std::string path;      // "proxies[2].toxics[0].attributes.latency"; empty for the whole file
  std::string message;   // what was wrong and what is expected

  std::string toString() const;
};

}  // namespace faultline

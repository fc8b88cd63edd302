#pragma once
// What a scenario file says (`faultline scenario run FILE.yaml`): where the load goes, how much,
// what to start first, which proxies (in the rules-file format) and which expectations must
// hold. Strings that may hold placeholders ({port.NAME}, {proxy.NAME.url}, ...) keep where they
// were written, so a placeholder that cannot be resolved is reported at its line:col.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "rules/rules_config.h"

namespace faultline::scenario {

struct LocatedText {
  std::string text;
  SourceLocation where;
  std::string path;  // "start[0].run"
};

struct LoadSpec {
  double rate = 20;          // requests per second, open model
  Millis duration{10'000};   // of sending
  Millis timeout{5'000};     // the client's patience per request
};

// A command started before the load, in its own process group, stopped at the end.
struct StartSpec {
  std::string name;          // "server"; default: the first word's base name
  LocatedText run;           // a shell command line
  std::optional<LocatedText> ready;  // "host:port" that accepts connections when it is up
};

// A number sampled during the run: a Prometheus text endpoint, or a started process's RSS.
struct ObserveSpec {
  enum class Kind { kGauge, kRate };
  std::string name;                          // chart title
  std::optional<LocatedText> url;            // http://.../metrics
  std::string process;                       // a start entry's name (for rss)
  std::string metric;                        // metric name, or "rss_mib" with process
  std::map<std::string, std::string> labels; // all must match; matching series are summed
  Kind kind = Kind::kGauge;
  Millis every{500};
  std::string caption;                       // what the chart shows, for the report
  std::vector<std::string> variants;         // empty = every variant
  // This counter is the calls the partner gets: the summary gives its total per request sent
  // (the amplification) and its peak rate.
  bool partner_load = false;
  SourceLocation where;
};

struct ExpectSpec {
  std::optional<double> error_rate_max;
  std::optional<double> p99_ms_max;
  std::optional<Millis> recovered_within;
  SourceLocation recovered_where;
  bool empty() const { return !error_rate_max && !p99_ms_max && !recovered_within; }
};

// One run of the whole scenario. Without `variants:` there is one, named after the scenario;
// with it, each variant runs on fresh processes and proxies, with its own target and vars.
struct VariantSpec {
  std::string name;
  std::string description;
  LocatedText target;
  ExpectSpec expect;
  std::map<std::string, std::string> vars;  // {var.NAME}
};

struct ScenarioSpec {
  std::string file;
  std::string dir;            // of the file, for {dir}
  std::string name;
  std::string description;
  LoadSpec load;
  std::vector<StartSpec> start;
  // The file's text with every top-level section but `proxies` blanked out (lines kept, so the
  // rules parser's line:col still points into the scenario file); placeholders still in it.
  std::string proxies_text;
  RulesConfig proxies;        // parsed from proxies_text with stand-in ports (validation)
  std::vector<ObserveSpec> observe;
  std::vector<VariantSpec> variants;
  std::vector<std::string> port_names;  // every {port.NAME}, sorted, unique

  std::size_t expectationCount() const;
};

}  // namespace faultline::scenario

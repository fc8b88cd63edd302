#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "cli/table.h"

namespace faultline {

// Where a client command writes and how: tables and colour on a terminal, tab-separated
// plain text otherwise, raw JSON with --json.
struct ClientOutput {
  std::ostream& out;
  std::ostream& err;
  bool terminal = false;
  bool colour = false;
  bool json = false;

  Palette palette() const { return colour ? Palette::on() : Palette::off(); }
};

struct ToxicAddArgs {
  std::string proxy;
  std::string type;
  std::string name;  // "" = server default <type>_<stream>
  std::string stream = "downstream";
  std::optional<double> toxicity;
  // Numbers for numeric-looking values, strings otherwise (the http_* matchers and bodies).
  std::map<std::string, nlohmann::json> attributes;
  std::optional<nlohmann::json> schedule;  // from --after/--for/--every/--times (schedule_args.h)
};

struct ToxicUpdateArgs {
  std::string proxy;
  std::string name;
  std::optional<double> toxicity;  // absent -> sent as -1 (unchanged)
  std::map<std::string, nlohmann::json> attributes;
};

// Each returns the process exit code and prints one line on err when it fails.
int listProxies(const ApiClient& api, const ClientOutput& output);
int inspectProxy(const ApiClient& api, const ClientOutput& output, const std::string& name);
int createProxy(const ApiClient& api, const ClientOutput& output, const std::string& name,
                const std::string& listen, const std::string& upstream);
int toggleProxy(const ApiClient& api, const ClientOutput& output, const std::string& name);
int deleteProxy(const ApiClient& api, const ClientOutput& output, const std::string& name);
int addToxic(const ApiClient& api, const ClientOutput& output, const ToxicAddArgs& args);
int updateToxic(const ApiClient& api, const ClientOutput& output, const ToxicUpdateArgs& args);
int removeToxic(const ApiClient& api, const ClientOutput& output, const std::string& proxy, const std::string& toxic);
int resetProxies(const ApiClient& api, const ClientOutput& output);
int reloadRules(const ApiClient& api, const ClientOutput& output);
int showRules(const ApiClient& api, const ClientOutput& output);

// "jitter=0 latency=100": attributes in key order.
std::string formatAttributes(const nlohmann::json& attributes);
// 1, 0.5: a toxicity without a trailing ".0".
std::string formatToxicity(const nlohmann::json& toxicity);
// The help text listing every toxic type and its attributes, from the toxic registry.
std::string toxicTypesHelp();

}  // namespace faultline

#include "cli/client_main.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>

#include <CLI/CLI.hpp>

#include "cli/api_client.h"
#include "cli/attribute_arg.h"
#include "cli/schedule_args.h"
#include "cli/client_commands.h"
#include "cli/connections_commands.h"
#include "cli/top_command.h"
#include "cli/fleet.h"
#include "http/http_url.h"

namespace faultline {

namespace {

constexpr const char* kDefaultUrl = "http://localhost:8474";

// toxiproxy-cli uses -h for --host, yet `faultline -h` alone must still print help: a lone -h
// (last, or followed by another flag) is read as --help.
std::vector<std::string> disambiguateDashH(std::vector<std::string> args) {
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] != "-h") continue;
    bool has_value = i + 1 < args.size() && !args[i + 1].empty() && args[i + 1][0] != '-';
    if (!has_value) args[i] = "--help";
  }
  return args;
}

Result<std::map<std::string, nlohmann::json>> parseAttributes(const std::vector<std::string>& raw) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& text : raw) {
    auto kv = parseAttributeValueArg(text);
    if (!kv) return kv.error();
    out[kv->first] = kv->second;
  }
  return out;
}

}  // namespace

int runClient(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  ClientEnvironment environment;
  environment.out = &std::cout;
  environment.err = &std::cerr;
  environment.terminal = ::isatty(STDOUT_FILENO) == 1;
  environment.getenv = [](const std::string& name) {
    const char* value = std::getenv(name.c_str());
    return value == nullptr ? std::string() : std::string(value);
  };
  return runClient(args, environment);
}

int runClient(const std::vector<std::string>& raw_args, const ClientEnvironment& environment) {
  std::ostream& out = *environment.out;
  std::ostream& err = *environment.err;
  auto env = [&](const char* name) { return environment.getenv ? environment.getenv(name) : std::string(); };

  std::string host = env("FAULTLINE_URL");
  if (host.empty()) host = env("TOXIPROXY_URL");
  if (host.empty()) host = kDefaultUrl;
  std::string token = env("FAULTLINE_API_TOKEN");
  bool json_output = false;
  bool no_colour = false;

  CLI::App app("Faultline: a Toxiproxy-compatible fault-injection TCP proxy.\n"
               "Commands below drive a running server through its API (toxiproxy-cli style).",
               "faultline");
  app.set_help_flag("--help", "Print this help message and exit");
  app.fallthrough();  // global flags work after the command too: `faultline list --json`
  app.add_option("-h,--host", host,
                 "API address (env FAULTLINE_URL, then TOXIPROXY_URL; default " + std::string(kDefaultUrl) +
                     "); several, URL1,URL2 or @FILE (one per line), run the command on each")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--token", token, "API bearer token (env FAULTLINE_API_TOKEN)");
  app.add_flag("--json", json_output, "Print the server's JSON instead of tables (for scripts)");
  app.add_flag("--no-color", no_colour, "Never colour the output (NO_COLOR does the same)");
  app.footer(
      "Output is a table on a terminal and tab-separated lines otherwise.\n"
      "Run `faultline COMMAND --help` for a command's options.");

  auto* serve = app.add_subcommand("serve", "Run the proxy and its control API (see `faultline serve --help`)");
  serve->allow_extras()->prefix_command();
  auto* validate = app.add_subcommand("validate", "Check a rules file without starting anything (see `faultline validate --help`)");
  validate->allow_extras()->prefix_command();

  std::string name;
  std::string listen;
  std::string upstream;

  auto* list = app.add_subcommand("list", "List all proxies");
  list->alias("l")->alias("li")->alias("ls");

  auto* inspect = app.add_subcommand("inspect", "Show a proxy and its toxics");
  inspect->alias("i")->alias("ins");
  inspect->add_option("proxy", name, "Proxy name")->required();

  auto* create = app.add_subcommand("create", "Create a proxy");
  create->alias("c")->alias("new");
  create->add_option("proxy", name, "Proxy name")->required();
  create->add_option("-l,--listen", listen, "Address to listen on, HOST:PORT (port 0 picks one)")->required();
  create->add_option("-u,--upstream", upstream, "Address to forward to, HOST:PORT")->required();

  auto* toggle = app.add_subcommand("toggle", "Enable a disabled proxy, or disable an enabled one");
  toggle->alias("tog");
  toggle->add_option("proxy", name, "Proxy name")->required();

  auto* remove = app.add_subcommand("delete", "Delete a proxy");
  remove->alias("d");
  remove->add_option("proxy", name, "Proxy name")->required();

  auto* toxic = app.add_subcommand("toxic", "Add, update or remove a proxy's toxics");
  toxic->alias("t");
  toxic->require_subcommand(1);

  ToxicAddArgs add_args;
  std::vector<std::string> add_attributes;
  bool add_upstream = false;
  bool add_downstream = false;
  double add_toxicity = 1.0;
  auto* toxic_add = toxic->add_subcommand("add", "Add a toxic to a proxy");
  toxic_add->alias("a");
  toxic_add->add_option("proxy", add_args.proxy, "Proxy name")->required();
  toxic_add->add_option("-t,--type", add_args.type, "Toxic type (listed below)")->required();
  toxic_add->add_option("-n,--toxicName,--name", add_args.name, "Toxic name (default TYPE_STREAM)");
  toxic_add->add_option("-a,--attribute", add_attributes, "Toxic attribute key=value (repeatable)");
  toxic_add->add_flag("-u,--upstream", add_upstream, "Apply to the upstream stream (client -> server)");
  toxic_add->add_flag("-d,--downstream", add_downstream, "Apply to the downstream stream (server -> client; default)");
  auto* add_tox = toxic_add->add_option("--tox,--toxicity", add_toxicity,
                                        "Fraction of connections affected, 0 to 1 (default 1)");
  add_tox->check(CLI::Range(0.0, 1.0));
  ScheduleFlags add_schedule;
  toxic_add->add_option("--after", add_schedule.after, "Start applying after this long, e.g. 5s (schedule start)");
  toxic_add->add_option("--for", add_schedule.for_duration,
                        "Apply for this long, e.g. 30s; alone, the toxic is removed afterwards (a dead-man switch)");
  toxic_add->add_option("--every", add_schedule.every, "Repeat the window with this period, e.g. 2m (needs --for)");
  toxic_add->add_option("--times", add_schedule.times, "How many windows (with --every; default: for ever)");
  toxic_add->footer(toxicTypesHelp());

  ToxicUpdateArgs update_args;
  std::vector<std::string> update_attributes;
  double update_toxicity = -1.0;
  auto* toxic_update = toxic->add_subcommand("update", "Update a toxic's attributes or toxicity");
  toxic_update->alias("u");
  toxic_update->add_option("proxy", update_args.proxy, "Proxy name")->required();
  toxic_update->add_option("-n,--toxicName,--name", update_args.name, "Toxic name")->required();
  toxic_update->add_option("-a,--attribute", update_attributes, "Toxic attribute key=value (repeatable; others keep their value)");
  auto* update_tox = toxic_update->add_option("--tox,--toxicity", update_toxicity,
                                              "Fraction of connections affected, 0 to 1 (default: unchanged)");
  toxic_update->footer(toxicTypesHelp());

  std::string remove_proxy;
  std::string remove_toxic;
  auto* toxic_remove = toxic->add_subcommand("remove", "Remove a toxic");
  toxic_remove->alias("r")->alias("delete")->alias("d");
  toxic_remove->add_option("proxy", remove_proxy, "Proxy name")->required();
  toxic_remove->add_option("-n,--toxicName,--name", remove_toxic, "Toxic name")->required();

  auto* reset = app.add_subcommand("reset", "Enable every proxy and remove every toxic (connections stay open)");
  auto* reload = app.add_subcommand("reload", "Re-read the rules file the server was started with (--config)");
  auto* rules = app.add_subcommand("rules", "Show the rules file status: file, hash, last load and error");

  std::string conn_id;
  bool kill_reset = false;
  auto* connections = app.add_subcommand("connections", "List a proxy's live connections");
  connections->add_option("proxy", name, "Proxy name")->required();
  auto* kill = app.add_subcommand("kill", "End one connection of a proxy (FIN after queued data; --reset for RST)");
  kill->add_option("proxy", name, "Proxy name")->required();
  kill->add_option("id", conn_id, "Connection id (from `faultline connections PROXY`)")->required();
  kill->add_flag("--reset", kill_reset, "Reset (RST) both peers at once instead of closing gracefully");
  bool top_once = false;
  auto* top = app.add_subcommand("top", "Live view: proxies, connections, bytes/s, toxics, recent events (q quits)");
  top->add_flag("--once", top_once, "Print one frame and exit (for scripts)");

  // main dispatches these before calling us; they are declared above only for the help listing.
  if (raw_args.size() >= 2 && (raw_args[1] == "serve" || raw_args[1] == "validate")) {
    err << "faultline: '" << raw_args[1] << "' is run by the faultline program itself, not the client\n";
    return 2;
  }
  std::vector<std::string> args = disambiguateDashH(raw_args);
  std::vector<char*> argv;
  argv.reserve(args.size());
  for (auto& a : args) argv.push_back(a.data());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    err << "faultline: " << e.what() << " (run with --help for usage)\n";
    return e.get_exit_code() == 0 ? 2 : e.get_exit_code();
  }

  if (app.get_subcommands().empty()) {
    out << app.help();
    return 1;
  }

  // Several URLs (a comma list or @FILE) run the command once per instance.
  auto hosts = expandHosts(host);
  if (!hosts) {
    err << "faultline: --host: " << hosts.error().message << '\n';
    return 2;
  }
  if (hosts->size() > 1) return runOnFleet(*hosts, raw_args, environment);
  auto url = parseHttpUrl(hosts->front());
  if (!url) {
    err << "faultline: --host: " << url.error().message << '\n';
    return 2;
  }
  ApiClient api(*url, token);
  ClientOutput output{out, err, environment.terminal,
                      environment.terminal && !no_colour && env("NO_COLOR").empty(), json_output};

  if (*list) return listProxies(api, output);
  if (*inspect) return inspectProxy(api, output, name);
  if (*create) return createProxy(api, output, name, listen, upstream);
  if (*toggle) return toggleProxy(api, output, name);
  if (*remove) return deleteProxy(api, output, name);
  if (*reset) return resetProxies(api, output);
  if (*reload) return reloadRules(api, output);
  if (*rules) return showRules(api, output);
  if (*connections) return listConnections(api, output, name);
  if (*kill) return killConnection(api, output, name, conn_id, kill_reset);
  if (*top) return runTop(api, output, top_once);
  if (*toxic_add) {
    if (add_upstream && add_downstream) {
      err << "faultline: toxic add: choose one of --upstream or --downstream\n";
      return 2;
    }
    auto attributes = parseAttributes(add_attributes);
    if (!attributes) {
      err << "faultline: toxic add: " << attributes.error().message << '\n';
      return 2;
    }
    add_args.attributes = std::move(*attributes);
    add_args.stream = add_upstream ? "upstream" : "downstream";
    if (*add_tox) add_args.toxicity = add_toxicity;
    if (add_schedule.any()) {
      auto schedule = scheduleJsonFromFlags(add_schedule);
      if (!schedule) {
        err << "faultline: toxic add: " << schedule.error().message << '\n';
        return 2;
      }
      add_args.schedule = std::move(*schedule);
    }
    return addToxic(api, output, add_args);
  }
  if (*toxic_update) {
    auto attributes = parseAttributes(update_attributes);
    if (!attributes) {
      err << "faultline: toxic update: " << attributes.error().message << '\n';
      return 2;
    }
    update_args.attributes = std::move(*attributes);
    if (*update_tox) update_args.toxicity = update_toxicity;
    return updateToxic(api, output, update_args);
  }
  if (*toxic_remove) return removeToxic(api, output, remove_proxy, remove_toxic);
  out << app.help();
  return 1;
}

}  // namespace faultline

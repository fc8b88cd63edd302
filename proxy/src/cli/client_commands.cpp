#include "cli/client_commands.h"

#include "cli/json_text.h"

#include <cstdio>
#include <sstream>
#include <vector>

#include "cli/schedule_args.h"
#include "core/text_escape.h"
#include "toxics/toxic_registry.h"

namespace faultline {

namespace {

using nlohmann::json;

int fail(const ClientOutput& output, const Error& error) {
  output.err << "faultline: " << escapeControls(error.message) << '\n';
  return 1;
}

bool enabledOf(const json& proxy) {
  auto it = proxy.find("enabled");
  return it != proxy.end() && it->is_boolean() && it->get<bool>();
}

std::size_t toxicCount(const json& proxy) {
  auto it = proxy.find("toxics");
  return it != proxy.end() && it->is_array() ? it->size() : 0;
}

std::string proxyPath(const std::string& name) { return "/proxies/" + encodePathSegment(name); }

void printJson(const ClientOutput& output, const json& body) {
  output.out << (body.is_null() ? std::string("{}") : body.dump(2)) << '\n';
}

void printToxics(const ClientOutput& output, const json& toxics, const char* stream, const char* title) {
  Palette p = output.palette();
  // A SCHEDULE column only when a toxic has one, so toxiproxy-cli's output stays as it was.
  bool scheduled = false;
  if (toxics.is_array()) {
    for (const auto& toxic : toxics) scheduled = scheduled || (jsonText(toxic, "stream") == stream && toxic.contains("schedule"));
  }
  std::vector<std::string> headers = {"NAME", "TYPE", "TOXICITY", "ATTRIBUTES"};
  if (scheduled) headers.push_back("SCHEDULE");
  Table table(headers);
  std::vector<std::vector<Table::Cell>> rows;
  if (toxics.is_array()) {
    for (const auto& toxic : toxics) {
      if (jsonText(toxic, "stream") != stream) continue;
      std::vector<Table::Cell> row;
      if (output.terminal) {
        row = {{jsonText(toxic, "name"), p.yellow},
               {jsonText(toxic, "type"), ""},
               {formatToxicity(toxic.value("toxicity", json(1.0))), ""},
               {formatAttributes(toxic.value("attributes", json::object())), ""}};
        if (scheduled) row.push_back({formatScheduleCell(toxic), toxic.value("active", true) ? p.red : p.dim});
      } else {
        // toxiproxy-cli's non-terminal form: one toxic per line, key=value fields.
        row = {{jsonText(toxic, "name"), ""},
               {"type=" + jsonText(toxic, "type"), ""},
               {"stream=" + jsonText(toxic, "stream"), ""},
               {"toxicity=" + formatToxicity(toxic.value("toxicity", json(1.0))), ""},
               {"attributes=" + formatAttributes(toxic.value("attributes", json::object())), ""}};
        if (scheduled) row.push_back({"schedule=" + formatScheduleCell(toxic), ""});
      }
      table.addRow(row);
    }
  }
  if (output.terminal) {
    output.out << p.bold << title << p.reset << '\n';
    if (table.size() == 0) {
      output.out << "  " << p.dim << "none" << p.reset << '\n';
    } else {
      std::ostringstream buffer;
      table.print(buffer, true, p);
      std::string text = buffer.str();
      // Indent every line by two spaces under its title.
      std::size_t start = 0;
      while (start < text.size()) {
        auto end = text.find('\n', start);
        output.out << "  " << text.substr(start, end - start + 1);
        start = end == std::string::npos ? text.size() : end + 1;
      }
    }
  } else {
    table.print(output.out, false, p);
  }
}

}  // namespace

std::string formatAttributes(const json& attributes) {
  std::string out;
  if (!attributes.is_object()) return out;
  for (const auto& [key, value] : attributes.items()) {
    // An unset http_* matcher or body is "": say nothing rather than "method=".
    if (value.is_string() && value.get<std::string>().empty()) continue;
    if (!out.empty()) out += ' ';
    out += escapeControls(key + "=" + (value.is_string() ? value.get<std::string>() : value.dump()));
  }
  return out;
}

std::string formatToxicity(const json& toxicity) {
  if (!toxicity.is_number()) return toxicity.dump();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", toxicity.get<double>());
  return buf;
}

std::string toxicTypesHelp() {
  std::string out = "Toxic types and their attributes (-a key=value; integers, or text for http_* matchers):\n";
  for (const auto& type : toxicTypes()) {
    out += "  " + type.name + ": " + type.summary + "\n";
    for (const auto& a : type.attributes) {
      if (a.kind == AttributeKind::kWord) {
        std::string words;
        for (const auto& w : a.words) words += (words.empty() ? "" : "|") + w;
        out += "      " + a.name + " (" + words + ", default " + a.default_text + ")\n";
      } else if (a.kind == AttributeKind::kString) {
        out += "      " + a.name + " (" + a.unit + ", optional)\n";
      } else {
        out += "      " + a.name + " (" + a.unit + ", " + std::to_string(a.min) + ".." + std::to_string(a.max) +
               ", default " + std::to_string(a.default_value) + ")\n";
      }
    }
  }
  return out;
}

int listProxies(const ApiClient& api, const ClientOutput& output) {
  auto reply = api.get("/proxies");
  if (!reply) return fail(output, reply.error());
  if (output.json) {
    printJson(output, reply->body);
    return 0;
  }
  Palette p = output.palette();
  Table table({"NAME", "LISTEN", "UPSTREAM", "ENABLED", "TOXICS"});
  if (reply->body.is_object()) {
    // The server's object is keyed by name; nlohmann keeps keys sorted, so the list is too.
    for (const auto& [name, proxy] : reply->body.items()) {
      bool enabled = enabledOf(proxy);
      std::size_t toxics = toxicCount(proxy);
      std::string toxic_text = toxics == 0 && output.terminal ? "None" : std::to_string(toxics);
      table.addRow({{name, enabled ? p.green : p.red},
                    {jsonText(proxy, "listen"), p.blue},
                    {jsonText(proxy, "upstream"), p.yellow},
                    {enabled ? "enabled" : "disabled", ""},
                    {toxic_text, toxics > 0 ? p.red : ""}});
    }
  }
  if (table.size() == 0 && output.terminal) {
    output.out << "No proxies. Create one with: faultline create NAME -l HOST:PORT -u HOST:PORT\n";
    return 0;
  }
  table.print(output.out, output.terminal, p);
  if (output.terminal) output.out << p.dim << "Inspect toxics with: faultline inspect NAME" << p.reset << '\n';
  return 0;
}

int inspectProxy(const ApiClient& api, const ClientOutput& output, const std::string& name) {
  auto reply = api.get(proxyPath(name));
  if (!reply) return fail(output, reply.error());
  if (output.json) {
    printJson(output, reply->body);
    return 0;
  }
  const json& proxy = reply->body;
  Palette p = output.palette();
  bool enabled = enabledOf(proxy);
  if (output.terminal) {
    output.out << p.bold << "Name: " << p.reset << (enabled ? p.green : p.red) << jsonText(proxy, "name") << p.reset
               << "  " << p.bold << "Listen: " << p.reset << p.blue << jsonText(proxy, "listen") << p.reset << "  "
               << p.bold << "Upstream: " << p.reset << p.yellow << jsonText(proxy, "upstream") << p.reset << "  "
               << (enabled ? "enabled" : "disabled") << '\n';
  } else {
    output.out << "Name: " << jsonText(proxy, "name") << "\tListen: " << jsonText(proxy, "listen")
               << "\tUpstream: " << jsonText(proxy, "upstream") << "\t" << (enabled ? "enabled" : "disabled") << '\n';
  }
  json toxics = proxy.is_object() && proxy.contains("toxics") ? proxy["toxics"] : json::array();
  printToxics(output, toxics, "upstream", "Upstream toxics:");
  printToxics(output, toxics, "downstream", "Downstream toxics:");
  return 0;
}

int createProxy(const ApiClient& api, const ClientOutput& output, const std::string& name, const std::string& listen,
                const std::string& upstream) {
  json body = {{"name", name}, {"listen", listen}, {"upstream", upstream}, {"enabled", true}};
  auto reply = api.post("/proxies", body);
  if (!reply) return fail(output, reply.error());
  if (output.json) {
    printJson(output, reply->body);
    return 0;
  }
  // Scripts grep for "Created new proxy" (toxiproxy-cli's words); the bound address follows
  // because a listen port of 0 is only known now.
  output.out << "Created new proxy " << name << " listening on " << jsonText(reply->body, "listen") << " -> "
             << jsonText(reply->body, "upstream") << '\n';
  return 0;
}

int toggleProxy(const ApiClient& api, const ClientOutput& output, const std::string& name) {
  auto current = api.get(proxyPath(name));
  if (!current) return fail(output, current.error());
  bool enable = !enabledOf(current->body);
  auto reply = api.post(proxyPath(name), json{{"enabled", enable}});
  if (!reply) return fail(output, reply.error());
  if (output.json) {
    printJson(output, reply->body);
    return 0;
  }
  output.out << "Proxy " << name << " is now " << (enabledOf(reply->body) ? "enabled" : "disabled") << '\n';
  return 0;
}

int deleteProxy(const ApiClient& api, const ClientOutput& output, const std::string& name) {
  auto reply = api.del(proxyPath(name));
  if (!reply) return fail(output, reply.error());
  if (output.json) {
    printJson(output, json{{"deleted", name}});
    return 0;
  }
  output.out << "Deleted proxy " << name << '\n';
  return 0;
}

int addToxic(const ApiClient& api, const ClientOutput& output, const ToxicAddArgs& args) {
  json body = {{"type", args.type}, {"stream", args.stream}, {"attributes", json::object()}};
  if (!args.name.empty()) body["name"] = args.name;
  if (args.toxicity) body["toxicity"] = *args.toxicity;
  for (const auto& [key, value] : args.attributes) body["attributes"][key] = value;
  if (args.schedule) body["schedule"] = *args.schedule;
  auto reply = api.post(proxyPath(args.proxy) + "/toxics", body);
  if (!reply) return fail(output, reply.error());
  if (output.json) {
    printJson(output, reply->body);
    return 0;
  }
  output.out << "Added " << jsonText(reply->body, "stream") << ' ' << jsonText(reply->body, "type") << " toxic '"
             << jsonText(reply->body, "name") << "' on proxy '" << args.proxy << "'\n";
  return 0;
}

int updateToxic(const ApiClient& api, const ClientOutput& output, const ToxicUpdateArgs& args) {
  json body = {{"toxicity", args.toxicity.value_or(-1.0)}, {"attributes", json::object()}};
  for (const auto& [key, value] : args.attributes) body["attributes"][key] = value;
  auto reply = api.post(proxyPath(args.proxy) + "/toxics/" + encodePathSegment(args.name), body);
  if (!reply) return fail(output, reply.error());
  if (output.json) {
    printJson(output, reply->body);
    return 0;
  }
  output.out << "Updated toxic '" << args.name << "' on proxy '" << args.proxy << "'\n";
  return 0;
}

int removeToxic(const ApiClient& api, const ClientOutput& output, const std::string& proxy, const std::string& toxic) {
  auto reply = api.del(proxyPath(proxy) + "/toxics/" + encodePathSegment(toxic));
  if (!reply) return fail(output, reply.error());
  if (output.json) {
    printJson(output, json{{"removed", toxic}, {"proxy", proxy}});
    return 0;
  }
  output.out << "Removed toxic '" << toxic << "' on proxy '" << proxy << "'\n";
  return 0;
}

int resetProxies(const ApiClient& api, const ClientOutput& output) {
  auto reply = api.post("/reset");
  if (!reply) return fail(output, reply.error());
  if (output.json) {
    printJson(output, json{{"reset", true}});
    return 0;
  }
  output.out << "Reset all proxies: every proxy enabled, every toxic removed\n";
  return 0;
}

int reloadRules(const ApiClient& api, const ClientOutput& output) {
  auto reply = api.post("/reload");
  if (!reply) return fail(output, reply.error());
  if (output.json) {
    printJson(output, reply->body);
    return 0;
  }
  const json& status = reply->body;
  std::size_t proxies = status.is_object() && status.contains("proxies") && status["proxies"].is_array()
                            ? status["proxies"].size()
                            : 0;
  output.out << "Reloaded rules from " << jsonText(status, "file") << " (" << proxies << " proxies)\n";
  return 0;
}

int showRules(const ApiClient& api, const ClientOutput& output) {
  auto reply = api.get("/rules");
  if (!reply) return fail(output, reply.error());
  if (output.json) {
    printJson(output, reply->body);
    return 0;
  }
  const json& status = reply->body;
  Palette p = output.palette();
  json reloads = status.is_object() && status.contains("reloads") ? status["reloads"] : json::object();
  std::string last_error = jsonText(status, "last_error");
  Table table({"FIELD", "VALUE"});
  table.addRow({{"file", ""}, {jsonText(status, "file"), ""}});
  table.addRow({{"content_hash", ""}, {jsonText(status, "content_hash"), ""}});
  table.addRow({{"loaded_at", ""}, {jsonText(status, "loaded_at"), ""}});
  table.addRow({{"reloads_ok", ""}, {jsonText(reloads, "ok"), p.green}});
  table.addRow({{"reloads_error", ""}, {jsonText(reloads, "error"), ""}});
  table.addRow({{"last_error", ""}, {last_error.empty() ? "none" : last_error, last_error.empty() ? "" : p.red}});
  std::string proxies;
  if (status.is_object() && status.contains("proxies") && status["proxies"].is_array()) {
    for (const auto& proxy : status["proxies"]) {
      std::string name = proxy.is_string() ? proxy.get<std::string>() : jsonText(proxy, "name");
      proxies += (proxies.empty() ? "" : " ") + name;
    }
  }
  table.addRow({{"proxies", ""}, {proxies, ""}});
  table.print(output.out, output.terminal, p);
  return 0;
}

}  // namespace faultline

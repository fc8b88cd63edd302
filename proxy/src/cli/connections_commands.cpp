#include "cli/connections_commands.h"

#include "cli/json_text.h"

#include <string>

#include "core/text_escape.h"

namespace faultline {

namespace {

using nlohmann::json;

// "lat:down:yes,cut:up:no": which toxics rolled in on this connection.
std::string toxicsCell(const json& connection) {
  std::string out;
  auto it = connection.find("toxics");
  if (it == connection.end() || !it->is_array()) return out;
  for (const auto& toxic : *it) {
    if (!out.empty()) out += ',';
    out += jsonText(toxic, "name") + (toxic.value("applied", false) ? "" : "(skipped)");
  }
  return out;
}

}  // namespace

int listConnections(const ApiClient& api, const ClientOutput& output, const std::string& proxy) {
  auto reply = api.get("/proxies/" + encodePathSegment(proxy) + "/connections");
  if (!reply) {
    output.err << "faultline: " << escapeControls(reply.error().message) << '\n';
    return 1;
  }
  if (output.json) {
    output.out << reply->body.dump(2) << '\n';
    return 0;
  }
  Palette p = output.palette();
  Table table({"ID", "CLIENT", "UPSTREAM", "STATE", "BYTES_UP", "BYTES_DOWN", "OPENED_AT", "TOXICS"});
  if (reply->body.is_array()) {
    for (const auto& c : reply->body) {
      const json bytes = c.value("bytes", json::object());
      table.addRow({{jsonText(c, "id"), p.bold},
                    {jsonText(c, "client"), p.blue},
                    {jsonText(c, "upstream"), p.yellow},
                    {jsonText(c, "state"), ""},
                    {jsonText(bytes, "upstream"), ""},
                    {jsonText(bytes, "downstream"), ""},
                    {jsonText(c, "opened_at"), p.dim},
                    {toxicsCell(c), p.red}});
    }
  }
  if (table.size() == 0 && output.terminal) {
    output.out << "No live connections on proxy " << proxy << '\n';
    return 0;
  }
  table.print(output.out, output.terminal, p);
  return 0;
}

int killConnection(const ApiClient& api, const ClientOutput& output, const std::string& proxy, const std::string& id,
                   bool reset) {
  auto reply = api.del("/proxies/" + encodePathSegment(proxy) + "/connections/" + encodePathSegment(id) +
                       (reset ? "?mode=reset" : "?mode=close"));
  if (!reply) {
    output.err << "faultline: " << escapeControls(reply.error().message) << '\n';
    return 1;
  }
  if (output.json) {
    output.out << json{{"killed", id}, {"proxy", proxy}, {"mode", reset ? "reset" : "close"}}.dump(2) << '\n';
    return 0;
  }
  output.out << (reset ? "Reset" : "Closed") << " connection " << id << " on proxy " << proxy << '\n';
  return 0;
}

}  // namespace faultline

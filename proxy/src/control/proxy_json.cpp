#include <string>

#include "control/json_fields.h"
#include "control/json_mapping.h"
#include "toxics/toxic_streams.h"

namespace faultline {

using nlohmann::json;

OrderedJson proxyToJson(const ProxyInfo& info) {
  OrderedJson toxics = OrderedJson::array();
  for (const auto& toxic : info.toxics) {
    if (!toxic) continue;
    auto schedule = info.schedules.find(toxic->name);
    toxics.push_back(toxicToJson(*toxic, schedule == info.schedules.end() ? std::nullopt
                                                                         : std::optional<ScheduleStatus>(schedule->second)));
  }
  OrderedJson out;
  out["name"] = info.name;
  out["listen"] = info.listen;
  out["upstream"] = info.upstream;
  out["enabled"] = info.enabled;
  // Faultline's option, shown only when set, so the default proxy keeps Toxiproxy's exact shape.
  if (info.reset_on_upstream_error) out["on_upstream_error"] = "reset";
  // Only when on: a default proxy keeps Toxiproxy's exact shape.
  if (info.http_request_faults) out["http_request_faults"] = true;
  out["toxics"] = std::move(toxics);
  return out;
}

Result<ProxyConfig> proxyConfigFromJson(const json& body, const std::string& where) {
  if (auto s = requireObject(body, where); !s) return s.error();
  if (auto s = checkKnownFields(body, where,
                                {"name", "listen", "upstream", "enabled", "on_upstream_error", "toxics", "http_request_faults"});
      !s) {
    return s.error();
  }
  ProxyConfig config;
  auto name = optionalString(body, "name", where);
  if (!name) return name.error();
  auto listen = optionalString(body, "listen", where);
  if (!listen) return listen.error();
  auto upstream = optionalString(body, "upstream", where);
  if (!upstream) return upstream.error();
  auto enabled = optionalBool(body, "enabled", where);
  if (!enabled) return enabled.error();
  config.name = name->value_or("");
  config.listen = listen->value_or("");
  config.upstream = upstream->value_or("");
  config.enabled = enabled->value_or(true);
  auto on_error = optionalString(body, "on_upstream_error", where);
  if (!on_error) return on_error.error();
  config.on_upstream_error = on_error->value_or("close");
  auto request_faults = optionalBool(body, "http_request_faults", where);
  if (!request_faults) return request_faults.error();
  config.http_request_faults = request_faults->value_or(false);
  auto toxics = body.find("toxics");
  if (toxics != body.end() && !toxics->is_null()) {
    std::string field = fieldName(where, "toxics");
    if (!toxics->is_array()) return wrongType(field, "an array of toxics", *toxics);
    config.toxics_given = true;
    for (std::size_t i = 0; i < toxics->size(); ++i) {
      std::string item = field + "[" + std::to_string(i) + "]";
      auto input = toxicInputFromJson((*toxics)[i], item);
      if (!input) return input.error();
      auto specs = buildToxicSpecs(*input, item);
      if (!specs) return specs.error();
      for (auto& spec : *specs) config.toxics.push_back(std::move(spec));
    }
  }
  return config;
}

Result<ProxyPatch> proxyPatchFromJson(const json& body) {
  if (auto s = requireObject(body, ""); !s) return s.error();
  if (auto s = checkKnownFields(body, "",
                                {"name", "listen", "upstream", "enabled", "on_upstream_error", "toxics", "http_request_faults"});
      !s) {
    return s.error();
  }
  ProxyPatch patch;
  auto name = optionalString(body, "name", "");
  if (!name) return name.error();
  auto listen = optionalString(body, "listen", "");
  if (!listen) return listen.error();
  auto upstream = optionalString(body, "upstream", "");
  if (!upstream) return upstream.error();
  auto enabled = optionalBool(body, "enabled", "");
  if (!enabled) return enabled.error();
  // An empty string is what Go's zero value looks like on the wire: keep the current value.
  if (*listen && !(*listen)->empty()) patch.listen = **listen;
  if (*upstream && !(*upstream)->empty()) patch.upstream = **upstream;
  patch.enabled = *enabled;
  auto on_error = optionalString(body, "on_upstream_error", "");
  if (!on_error) return on_error.error();
  if (*on_error && !(*on_error)->empty()) patch.on_upstream_error = **on_error;
  auto request_faults = optionalBool(body, "http_request_faults", "");
  if (!request_faults) return request_faults.error();
  patch.http_request_faults = *request_faults;
  auto toxics = body.find("toxics");
  if (toxics != body.end() && !toxics->is_null() && !toxics->is_array()) {
    return wrongType("toxics", "an array of toxics", *toxics);
  }
  return patch;
}

}  // namespace faultline

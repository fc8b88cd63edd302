#include "cli/event_line.h"

#include "cli/json_text.h"

namespace faultline {

namespace {

using nlohmann::json;

// " key=value", or nothing for a missing or empty field.
std::string kv(const json& object, const char* key, const char* label = nullptr) {
  const std::string value = jsonText(object, key);
  return value.empty() ? "" : " " + std::string(label != nullptr ? label : key) + "=" + value;
}

std::string details(const json& e) {
  const std::string type = jsonText(e, "type");
  if (type == "proxy_created" || type == "proxy_updated") {
    const json config = e.value("proxy_config", json::object());
    return kv(config, "listen") + kv(config, "upstream") + kv(config, "enabled");
  }
  if (type == "toxic_added" || type == "toxic_updated") {
    const json toxic = e.value("toxic", json::object());
    return kv(toxic, "name") + kv(toxic, "type") + kv(toxic, "stream") + kv(toxic, "toxicity");
  }
  if (type == "connection_opened") return kv(e, "conn") + kv(e, "client");
  if (type == "connection_closed") {
    const json bytes = e.value("bytes", json::object());
    return kv(e, "conn") + kv(e, "reason") + kv(e, "detail") + kv(bytes, "upstream", "up") +
           kv(bytes, "downstream", "down");
  }
  if (type == "rules_reloaded") {
    return std::string(e.value("ok", false) ? " ok" : " FAILED") + kv(e, "via") + kv(e, "changed") + kv(e, "error");
  }
  if (type == "fault_injected" && jsonText(e, "kind") == "schedule") {
    const std::string next = jsonText(e, "next_change_ms");
    return " schedule" + kv(e, "toxic") + (e.value("active", false) ? " on" : " off") +
           " next_change_ms=" + (next.empty() ? "never" : next);
  }
  if (type == "fault_injected") {
    return " http" + kv(e, "toxic") + kv(e, "conn") + " " + jsonText(e, "method") + " " + jsonText(e, "path") + " ->" +
           kv(e, "action") + kv(e, "status") + kv(e, "delay_ms") + kv(e, "cut_at");
  }
  // toxic_removed, limit_hit and anything newer: the usual suspects.
  return kv(e, "name") + kv(e, "reason") + kv(e, "limit") + kv(e, "value") + kv(e, "conn");
}

}  // namespace

std::string eventLine(const json& event) {
  const std::string proxy = jsonText(event, "proxy");  // none for a whole rules file
  return jsonText(event, "seq") + "  " + jsonText(event, "type") + "  " + (proxy.empty() ? "-" : proxy) + details(event);
}

}  // namespace faultline

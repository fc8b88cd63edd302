#include "cli/event_line.h"

namespace faultline {

namespace {

using nlohmann::json;

std::string field(const json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// " key=value", or nothing for a missing or empty field.
std::string kv(const json& object, const char* key, const char* label = nullptr) {
  const std::string value = field(object, key);
  return value.empty() ? "" : " " + std::string(label != nullptr ? label : key) + "=" + value;
}

std::string details(const json& e) {
  const std::string type = field(e, "type");
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
  if (type == "fault_injected" && field(e, "kind") == "schedule") {
    const std::string next = field(e, "next_change_ms");
    return " schedule" + kv(e, "toxic") + (e.value("active", false) ? " on" : " off") +
           " next_change_ms=" + (next.empty() ? "never" : next);
  }
  if (type == "fault_injected") {
    return " http" + kv(e, "toxic") + kv(e, "conn") + " " + field(e, "method") + " " + field(e, "path") + " ->" +
           kv(e, "action") + kv(e, "status") + kv(e, "delay_ms") + kv(e, "cut_at");
  }
  // toxic_removed, limit_hit and anything newer: the usual suspects.
  return kv(e, "name") + kv(e, "reason") + kv(e, "limit") + kv(e, "value") + kv(e, "conn");
}

}  // namespace

std::string eventLine(const json& event) {
  const std::string proxy = field(event, "proxy");  // none for a whole rules file
  return field(event, "seq") + "  " + field(event, "type") + "  " + (proxy.empty() ? "-" : proxy) + details(event);
}

}  // namespace faultline

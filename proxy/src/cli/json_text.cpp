#include "cli/json_text.h"

#include "core/text_escape.h"

namespace faultline {

std::string jsonText(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "";
  return escapeControls(it->is_string() ? it->get<std::string>() : it->dump());
}

}  // namespace faultline

// GET /ui (the page, to anyone) and GET /toxic-types (the toxic registry, for the UI's forms).
#include <nlohmann/json.hpp>

#include "control/control_router.h"
#include "control/ui/ui_page.h"
#include "toxics/toxic_registry.h"

namespace faultline {

HttpResponse ControlRouter::uiPageResponse() const {
  HttpResponse response = HttpResponse::text(200, std::string(uiPage()), "text/html; charset=utf-8");
  // The page talks to this API only; nothing else may load into it or frame it.
  response.setHeader("Content-Security-Policy",
                     "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
                     "frame-ancestors 'none'");
  response.setHeader("Cache-Control", "no-store");
  return response;
}

HttpResponse ControlRouter::toxicTypesResponse() const {
  nlohmann::ordered_json body = nlohmann::ordered_json::array();
  for (const auto& type : toxicTypes()) {
    nlohmann::ordered_json item;
    item["name"] = type.name;
    item["summary"] = type.summary;
    item["attributes"] = nlohmann::ordered_json::array();
    for (const auto& a : type.attributes) {
      nlohmann::ordered_json attr;
      attr["name"] = a.name;
      attr["kind"] = a.kind == AttributeKind::kInteger ? "integer" : a.kind == AttributeKind::kWord ? "word" : "string";
      attr["unit"] = a.unit;
      if (a.kind == AttributeKind::kInteger) {
        attr["min"] = a.min;
        attr["max"] = a.max;
        attr["default"] = a.default_value;
      } else if (a.kind == AttributeKind::kWord) {
        attr["words"] = a.words;
        attr["default"] = a.default_text;
      } else {
        attr["default"] = "";
      }
      item["attributes"].push_back(std::move(attr));
    }
    body.push_back(std::move(item));
  }
  return HttpResponse::json(200, body.dump());
}

}  // namespace faultline

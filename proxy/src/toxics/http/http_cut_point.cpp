#include "toxics/http/http_cut_point.h"

namespace faultline {

const char* httpCutPointName(HttpCutPoint when) {
  switch (when) {
    case HttpCutPoint::kRequest: return "request";
    case HttpCutPoint::kHeaders: return "headers";
    case HttpCutPoint::kBody: return "body";
  }
  return "request";
}

std::optional<HttpCutPoint> parseHttpCutPoint(std::string_view text) {
  for (auto when : {HttpCutPoint::kRequest, HttpCutPoint::kHeaders, HttpCutPoint::kBody}) {
    if (text == httpCutPointName(when)) return when;
  }
  return std::nullopt;
}

}  // namespace faultline

#pragma once

#include <optional>
#include <string_view>

namespace faultline {

// Where http_reset cuts a request/response exchange (its `when` attribute): before the request
// reaches the upstream, after the response headers, or inside the response body.
enum class HttpCutPoint { kRequest, kHeaders, kBody };

const char* httpCutPointName(HttpCutPoint when);
std::optional<HttpCutPoint> parseHttpCutPoint(std::string_view text);

}  // namespace faultline

#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/http_message.h"

namespace faultline {

// The bytes of a response: status line, the response's headers, then Content-Length (always,
// computed from the body; a Content-Length header in `response` is ignored) and
// `Connection: keep-alive|close`. 1xx/204/304 responses carry neither Content-Length nor a body.
std::string serializeResponse(const HttpResponse& response, bool keep_alive);

// The bytes of a request to `host` ("127.0.0.1:8080", sent as the Host header unless the request
// has one). The request line uses `target` when set, else `path` plus `?query`. Content-Length
// is added when there is a body or the method usually has one (POST/PUT/PATCH).
std::string serializeRequest(const HttpRequest& request, const std::string& host);

// "%2F" -> "/", "+" is kept as is (it only means space in form bodies, not in paths).
// nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> percentDecode(std::string_view text);

// The value of `key` in a query string ("mode=reset&x=1" -> "reset"), percent-decoded (kept as
// it came when an escape is malformed); "" for a key given without a value; nullopt when absent.
std::optional<std::string> queryParam(std::string_view query, std::string_view key);

}  // namespace faultline

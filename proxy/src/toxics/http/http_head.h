#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/http_message.h"  // equalsIgnoreCase, reasonPhrase

namespace faultline {

// The parsed start line and headers of one HTTP/1.x message on the data path. The bytes on the
// wire stay the source of truth: a head is only read (to match and to pair), and rewritten only
// when a fault says so.
struct HttpHead {
  bool request = true;
  std::string method;  // request: "GET"
  std::string target;  // request: "/data?x=1" as sent
  int status = 0;      // response: 200
  int version_major = 1;
  int version_minor = 1;
  std::vector<std::pair<std::string, std::string>> headers;  // in order, as sent
  bool keep_alive = true;

  // First value of a header, case-insensitive name.
  std::optional<std::string_view> header(std::string_view name) const;
  // The target without its query or fragment ("/data" for "/data?x=1"); for an absolute-form
  // target ("http://h/p?q") the path part ("/p").
  std::string path() const;
  bool expectsContinue() const;
};


// A complete response that Faultline writes itself: status line, Content-Type, Content-Length,
// `X-Faultline-Fault: <toxic>`, optional Retry-After and Connection: close, then the body.
std::string syntheticResponse(int status, std::string_view body, std::string_view toxic, int64_t retry_after_s = 0,
                              bool close = false, std::string_view content_type = "application/json");

// The response head `head` with its status replaced and, when `body` is given, its framing
// replaced by a Content-Length for that body (chunked and Content-Length headers dropped).
// Adds `X-Faultline-Fault: <toxic>`. Ends with the blank line.
std::string rewrittenResponseHead(const HttpHead& head, int status, const std::optional<std::string>& body,
                                  std::string_view toxic);

// The raw head bytes without the header lines whose name is one of `names` (case-insensitive).
std::string withoutHeaders(std::string_view raw_head, const std::vector<std::string_view>& names);

}  // namespace faultline

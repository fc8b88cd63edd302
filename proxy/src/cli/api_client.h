#pragma once

#include <chrono>
#include <string>

#include <faultline/api_client.hpp>
#include <nlohmann/json.hpp>

#include "core/result.h"
#include "http/http_url.h"

namespace faultline {

// The CLI's view of the control API (over faultline::api::Client, the one client the test helper
// uses too): one blocking call per method, JSON in and out, errors as
// the one line a user should read ("cannot reach faultline at http://localhost:8474: connection
// refused", or the server's own error text).
class ApiClient {
 public:
  struct Reply {
    int status = 0;
    nlohmann::json body;  // null for an empty body (204)
    std::string text;     // the raw body (/metrics is not JSON)
  };

  ApiClient(HttpUrl base, std::string token, std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : base_(std::move(base)), token_(std::move(token)), timeout_(timeout) {}

  Result<Reply> get(const std::string& path) const { return call("GET", path, nullptr); }
  Result<Reply> post(const std::string& path, const nlohmann::json& body) const { return call("POST", path, &body); }
  Result<Reply> post(const std::string& path) const { return call("POST", path, nullptr); }
  Result<Reply> del(const std::string& path) const { return call("DELETE", path, nullptr); }

  const HttpUrl& base() const { return base_; }

 private:
  Result<Reply> call(const std::string& method, const std::string& path, const nlohmann::json* body) const;

  HttpUrl base_;
  std::string token_;
  std::chrono::milliseconds timeout_;
};

// Percent-encodes a proxy or toxic name for a URL path segment.
using api::encodePathSegment;

}  // namespace faultline

#include "cli/api_client.h"

#include <cctype>
#include <cstdio>

#include "http/http_client.h"

namespace faultline {

std::string encodePathSegment(const std::string& segment) {
  std::string out;
  for (unsigned char c : segment) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

Result<ApiClient::Reply> ApiClient::call(const std::string& method, const std::string& path,
                                         const nlohmann::json* body) const {
  HttpClientRequest request;
  request.method = method;
  request.host = base_.host;
  request.port = base_.port;
  request.path = base_.base_path + path;
  request.timeout = timeout_;
  request.headers.emplace_back("Host", base_.hostHeader());
  request.headers.emplace_back("User-Agent", "faultline-cli/" FAULTLINE_VERSION);
  request.headers.emplace_back("Accept", "application/json");
  if (!token_.empty()) request.headers.emplace_back("Authorization", "Bearer " + token_);
  if (body != nullptr) {
    request.body = body->dump();
    request.headers.emplace_back("Content-Type", "application/json");
  }
  auto response = httpRequestSync(request);
  if (!response) {
    std::string reason = response.error().message;
    if (httpClientFailure(response.error()) == HttpClientFailure::kConnectionRefused) reason = "connection refused";
    return Error::io("cannot reach faultline at " + base_.toString() + ": " + reason);
  }
  Reply reply;
  reply.status = response->status;
  reply.text = response->body;
  if (!reply.text.empty()) {
    reply.body = nlohmann::json::parse(reply.text, nullptr, /*allow_exceptions=*/false);
    if (reply.body.is_discarded()) reply.body = nullptr;
  }
  if (reply.status >= 400) {
    std::string message;
    if (reply.body.is_object() && reply.body.contains("error") && reply.body["error"].is_string()) {
      message = reply.body["error"].get<std::string>();
    } else {
      message = "HTTP " + std::to_string(reply.status) + " from " + base_.toString() + path;
      if (!reply.text.empty() && reply.text.size() < 200) message += ": " + reply.text;
    }
    ErrorCode code = reply.status == 404   ? ErrorCode::kNotFound
                     : reply.status == 409 ? ErrorCode::kConflict
                     : reply.status < 500  ? ErrorCode::kInvalidArgument
                                           : ErrorCode::kInternal;
    return Error{code, message};
  }
  return reply;
}

}  // namespace faultline

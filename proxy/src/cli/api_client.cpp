#include "cli/api_client.h"

namespace faultline {

Result<ApiClient::Reply> ApiClient::call(const std::string& method, const std::string& path,
                                         const nlohmann::json* body) const {
  const api::Client client(api::Endpoint{base_.host, base_.port, base_.base_path}, token_, timeout_,
                           "faultline-cli/" FAULTLINE_VERSION);
  auto answer = client.send(method, path, body);
  if (auto* failure = std::get_if<api::Failure>(&answer)) {
    return Error::io("cannot reach faultline at " + base_.toString() + ": " + failure->message);
  }
  auto& got = std::get<api::Reply>(answer);
  Reply reply{got.status, std::move(got.body), std::move(got.text)};
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

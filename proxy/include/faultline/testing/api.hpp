#pragma once
// faultline/testing/api.hpp -- the throwing face of faultline::api::Client (the CLI's client)
// that the handles of faultline/testing.hpp share.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "faultline/api_client.hpp"
#include "faultline/testing/error.hpp"

namespace faultline::testing {

class ApiClient {
 public:
  explicit ApiClient(api::Endpoint url, std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000),
                     std::string token = "")
      : client_(std::move(url), std::move(token), timeout, "faultline-testing") {}

  // Sends a request; returns the parsed JSON body (null for an empty body). Throws on transport
  // errors and on any status outside 2xx, with the API's own error text.
  nlohmann::json call(const std::string& method, const std::string& path,
                      const std::optional<nlohmann::json>& body = std::nullopt) const {
    auto answer = client_.send(method, path, body ? &*body : nullptr);
    const std::string what = method + " " + url().toString() + path;
    if (auto* failure = std::get_if<api::Failure>(&answer)) throw FaultlineError(what + ": " + failure->message);
    auto& reply = std::get<api::Reply>(answer);
    if (!reply.ok()) throw FaultlineError(what + ": HTTP " + std::to_string(reply.status) + ": " + reply.text);
    if (reply.text.empty()) return nullptr;
    if (reply.body.is_null()) throw FaultlineError(what + ": answer is not JSON: " + reply.text);
    return std::move(reply.body);
  }
  const api::Endpoint& url() const { return client_.endpoint(); }

 private:
  api::Client client_;
};

namespace detail {
inline void warnCleanupFailed(const std::string& what, const std::exception& e) {
  std::fprintf(stderr, "faultline::testing: %s failed during cleanup: %s\n", what.c_str(), e.what());
}
}  // namespace detail

}  // namespace faultline::testing

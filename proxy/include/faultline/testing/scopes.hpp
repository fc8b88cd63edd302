#pragma once
// faultline/testing/scopes.hpp -- faults as RAII objects: a toxic, or a disabled proxy, that
// lasts until the scope ends, so a failing assertion never leaks a fault into the next test.
// Destructors never throw; a failed cleanup is printed to stderr instead.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "faultline/testing/api.hpp"

namespace faultline::testing {

// A toxic that exists until this object goes away (or remove() is called).
class [[nodiscard]] ToxicScope {
 public:
  ToxicScope(std::shared_ptr<const ApiClient> api, std::string proxy, std::string toxic)
      : api_(std::move(api)), proxy_(std::move(proxy)), toxic_(std::move(toxic)) {}
  ToxicScope(ToxicScope&& other) noexcept
      : api_(std::move(other.api_)), proxy_(std::move(other.proxy_)), toxic_(std::move(other.toxic_)) {}
  ToxicScope& operator=(ToxicScope&&) = delete;
  ToxicScope(const ToxicScope&) = delete;
  ToxicScope& operator=(const ToxicScope&) = delete;
  ~ToxicScope() {
    try {
      remove();
    } catch (const std::exception& e) {
      detail::warnCleanupFailed("removing toxic " + toxic_ + " of proxy " + proxy_, e);
    }
  }

  const std::string& name() const { return toxic_; }
  // Changes attributes (merged with the current ones) while the scope lasts.
  void update(const std::map<std::string, int64_t>& attributes) {
    if (api_) api_->call("POST", path(), nlohmann::json{{"attributes", attributes}});
  }
  // Ends the fault now; the destructor then does nothing.
  void remove() {
    if (auto api = std::move(api_)) api->call("DELETE", path());
  }

 private:
  std::string path() const {
    return "/proxies/" + api::encodePathSegment(proxy_) + "/toxics/" + api::encodePathSegment(toxic_);
  }

  std::shared_ptr<const ApiClient> api_;
  std::string proxy_;
  std::string toxic_;
};

// A proxy disabled (listener closed, its connections cut) until this object goes away.
class [[nodiscard]] DisabledScope {
 public:
  DisabledScope(std::shared_ptr<const ApiClient> api, std::string proxy) : api_(std::move(api)), proxy_(std::move(proxy)) {}
  DisabledScope(DisabledScope&& other) noexcept : api_(std::move(other.api_)), proxy_(std::move(other.proxy_)) {}
  DisabledScope& operator=(DisabledScope&&) = delete;
  DisabledScope(const DisabledScope&) = delete;
  DisabledScope& operator=(const DisabledScope&) = delete;
  ~DisabledScope() {
    try {
      restore();
    } catch (const std::exception& e) {
      detail::warnCleanupFailed("re-enabling proxy " + proxy_, e);
    }
  }
  // Re-enables the proxy now; the destructor then does nothing.
  void restore() {
    if (auto api = std::move(api_)) {
      api->call("POST", "/proxies/" + api::encodePathSegment(proxy_), nlohmann::json{{"enabled", true}});
    }
  }

 private:
  std::shared_ptr<const ApiClient> api_;
  std::string proxy_;
};

}  // namespace faultline::testing

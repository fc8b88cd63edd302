#pragma once
// faultline/testing/faultline.hpp -- a Faultline instance (started for the test, or one already
// running) and the proxies of it that a test puts faults on.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "faultline/testing/api.hpp"
#include "faultline/testing/child_process.hpp"
#include "faultline/testing/events.hpp"
#include "faultline/testing/scopes.hpp"
#include "faultline/testing/toxics.hpp"

namespace faultline::testing {

// A toxic's attributes as the API takes them: integers and strings in one object.
inline nlohmann::json attributesJson(const Toxic& toxic) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : toxic.attributes) out[key] = value;
  for (const auto& [key, value] : toxic.text_attributes) out[key] = value;
  return out;
}

// One proxy of a Faultline instance. Cheap to copy; stays usable after the Faultline object
// that made it has moved.
class Proxy {
 public:
  Proxy(std::shared_ptr<const ApiClient> api, std::string name, std::string listen)
      : api_(std::move(api)), name_(std::move(name)), listen_(std::move(listen)) {}

  const std::string& name() const { return name_; }
  // The address actually bound: "127.0.0.1:40123" (port 0 was replaced by the chosen one).
  const std::string& listen() const { return listen_; }
  std::string host() const {
    const auto colon = listen_.rfind(':');
    std::string h = listen_.substr(0, colon);
    if (h.size() >= 2 && h.front() == '[') h = h.substr(1, h.size() - 2);
    return h;
  }
  uint16_t port() const { return static_cast<uint16_t>(std::stoi(listen_.substr(listen_.rfind(':') + 1))); }
  // "http://127.0.0.1:40123" + path: for HTTP dependencies.
  std::string url(const std::string& path = "") const { return "http://" + listen_ + path; }

  // Adds a toxic for as long as the returned scope lives.
  ToxicScope withToxic(const Toxic& toxic) const {
    std::string added = addToxic(toxic);
    // A "both" toxic is a pair; deleting its base name removes both halves.
    if (toxic.stream == "both") added = toxic.name.empty() ? toxic.type : toxic.name;
    return ToxicScope(api_, name_, added);
  }
  // Adds a toxic that stays until removeToxic() or Faultline::reset(); returns its name.
  std::string addToxic(const Toxic& toxic) const {
    nlohmann::json body{{"type", toxic.type}, {"stream", toxic.stream}, {"toxicity", toxic.toxicity},
                        {"attributes", attributesJson(toxic)}};
    if (!toxic.name.empty()) body["name"] = toxic.name;
    if (toxic.schedule) body["schedule"] = toxic.schedule->toJson();
    auto created = api_->call("POST", path() + "/toxics", body);
    return created.value("name", toxic.name);
  }
  void removeToxic(const std::string& toxic) const {
    api_->call("DELETE", path() + "/toxics/" + api::encodePathSegment(toxic));
  }

  // Disables the proxy for as long as the returned scope lives: new connections are refused
  // and the open ones are closed, as if the dependency went down.
  DisabledScope disabled() const {
    setEnabled(false);
    return DisabledScope(api_, name_);
  }
  void setEnabled(bool enabled) const { api_->call("POST", path(), nlohmann::json{{"enabled", enabled}}); }

  // This proxy's events from now on (GET /events?proxy=NAME): waitFor("connection_closed").
  EventStream events() const { return EventStream::subscribe(api_->url(), name_); }

 private:
  std::string path() const { return "/proxies/" + api::encodePathSegment(name_); }

  std::shared_ptr<const ApiClient> api_;
  std::string name_;
  std::string listen_;
};

// A Faultline instance: one this test started (stopped when the object goes away), or one that
// was already running.
class Faultline {
 public:
  // Starts `binary serve --port 0 [extra_args...]` and waits for its control API.
  static Faultline start(const std::string& binary, const std::vector<std::string>& extra_args = {},
                         std::chrono::milliseconds ready_timeout = std::chrono::milliseconds(15'000),
                         const std::string& stderr_path = "") {
    ChildProcess::Options options;
    options.binary = binary;
    options.args = {"serve", "--host", "127.0.0.1", "--port", "0"};
    options.args.insert(options.args.end(), extra_args.begin(), extra_args.end());
    options.stderr_path = stderr_path;
    auto process = ChildProcess::spawn(options);
    const std::string url = process.waitForLine("control API listening on ", ready_timeout);
    Faultline faultline = connect(url);
    faultline.process_ = std::move(process);
    return faultline;
  }

  // Uses a Faultline (or Toxiproxy) server that is already running: "http://127.0.0.1:8474".
  static Faultline connect(const std::string& api_url) {
    std::string error;
    auto url = api::parseEndpoint(api_url, error);
    if (!url) throw FaultlineError("Faultline API URL: " + error);
    Faultline faultline;
    faultline.api_ = std::make_shared<const ApiClient>(*url);
    return faultline;
  }

  std::string apiUrl() const { return api_->url().toString(); }
  const ApiClient& api() const { return *api_; }
  // The server process when start() launched it (nullptr for connect()).
  ChildProcess* process() { return process_.pid() > 0 ? &process_ : nullptr; }

  // Creates a proxy (listen defaults to a free loopback port) and returns it with its bound
  // address. A proxy of that name left over from an earlier test is replaced.
  Proxy createProxy(const std::string& name, const std::string& upstream, const std::string& listen = "127.0.0.1:0") {
    try {
      api_->call("DELETE", "/proxies/" + api::encodePathSegment(name));
    } catch (const FaultlineError&) {
      // Not there: the usual case.
    }
    auto created = api_->call("POST", "/proxies", nlohmann::json{{"name", name}, {"listen", listen}, {"upstream", upstream}});
    return Proxy(api_, name, created.value("listen", listen));
  }
  // A proxy that exists already (from --proxy, a rules file or another client).
  Proxy proxy(const std::string& name) const {
    auto info = api_->call("GET", "/proxies/" + api::encodePathSegment(name));
    return Proxy(api_, name, info.value("listen", ""));
  }
  // Every event from now on (GET /events, or one proxy's): see faultline/testing/events.hpp.
  EventStream events(const std::string& proxy = "") const { return EventStream::subscribe(api_->url(), proxy); }
  // Enables every proxy and removes every toxic.
  void reset() const { api_->call("POST", "/reset"); }

 private:
  Faultline() = default;
  std::shared_ptr<const ApiClient> api_;
  ChildProcess process_;
};

}  // namespace faultline::testing

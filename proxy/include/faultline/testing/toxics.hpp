#pragma once
// faultline/testing/toxics.hpp -- what a fault looks like on the wire, as values to pass to
// Proxy::withToxic. Attributes are Toxiproxy's (integers; latency in ms, slicer delay in us,
// bandwidth rate in KB/s).

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "faultline/testing/schedule.hpp"

namespace faultline::testing {

struct Toxic {
  std::string type;
  std::string name;                   // "" = Faultline's default, "<type>_<stream>"
  std::string stream = "downstream";  // "upstream" = client -> server bytes
  double toxicity = 1.0;              // share of connections affected
  std::map<std::string, int64_t> attributes;
  // String-valued attributes (cut's mode, latency's distribution, any toxic's client CIDR).
  std::map<std::string, std::string> text_attributes = {};
  std::optional<Schedule> schedule = std::nullopt;  // testing/schedule.hpp; absent: always on

  Toxic named(std::string n) const { Toxic t = *this; t.name = std::move(n); return t; }
  Toxic upstream() const { Toxic t = *this; t.stream = "upstream"; return t; }
  Toxic withToxicity(double p) const { Toxic t = *this; t.toxicity = p; return t; }
  // Both directions in one request: the server makes <name>_upstream and <name>_downstream.
  Toxic bothStreams() const { Toxic t = *this; t.stream = "both"; return t; }
  Toxic with(const std::string& key, const std::string& value) const {
    Toxic t = *this;
    t.text_attributes[key] = value;
    return t;
  }
  // Only connections from this client block ("127.0.0.2/32", "::1/128") get the toxic.
  Toxic forClients(const std::string& cidr) const { return with("client", cidr); }
  // On only inside the schedule's windows; removed by the server after the last one.
  Toxic during(const Schedule& s) const { Toxic t = *this; t.schedule = s; return t; }
  // On from now for `length`, then removed by the server: outlives no crashed test.
  Toxic forDuration(std::chrono::milliseconds length) const { return during(Schedule::lasting(length)); }
};

inline Toxic latency(int64_t latency_ms, int64_t jitter_ms = 0) {
  return {"latency", "", "downstream", 1.0, {{"latency", latency_ms}, {"jitter", jitter_ms}}, {}};
}
// Resets connections (RST) `timeout_ms` after they open; 0 = at once.
inline Toxic resetPeer(int64_t timeout_ms = 0) { return {"reset_peer", "", "downstream", 1.0, {{"timeout", timeout_ms}}, {}}; }
// Swallows data and closes after `timeout_ms`; 0 = holds the connection forever (a blackhole).
inline Toxic timeout(int64_t timeout_ms = 0) { return {"timeout", "", "downstream", 1.0, {{"timeout", timeout_ms}}, {}}; }
inline Toxic bandwidth(int64_t rate_kbps) { return {"bandwidth", "", "downstream", 1.0, {{"rate", rate_kbps}}, {}}; }
inline Toxic slicer(int64_t average_size, int64_t size_variation, int64_t delay_us) {
  return {"slicer", "", "downstream", 1.0,
          {{"average_size", average_size}, {"size_variation", size_variation}, {"delay", delay_us}}, {}};
}
inline Toxic limitData(int64_t bytes) { return {"limit_data", "", "downstream", 1.0, {{"bytes", bytes}}, {}}; }

}  // namespace faultline::testing

#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "net/address.h"
#include "proxy/connection_info.h"
#include "proxy/proxy_config.h"
#include "proxy/proxy_spec.h"

struct uv_loop_s;

namespace faultline {

class Proxy;
class EventBus;
class BufferBudget;
class FdReserve;

struct RegistryOptions {
  std::size_t link_cap_bytes = 64u << 20;     // per link (one direction of one connection)
  std::size_t global_cap_bytes = 1u << 30;    // all links together
  std::size_t max_connections = 0;            // per proxy; 0 = unlimited
  Millis connect_timeout{10'000};             // dialling the upstream
  uint64_t seed = 0;                          // 0 = random (chosen and logged); every decision derives from it
  std::size_t max_toxics_per_proxy = 64;      // 0 = unlimited; each toxic is a stage on every live link
  // Descriptors held back from proxied connections so the control API stays reachable at the
  // process fd limit (0 = none).
  std::size_t fd_reserve = 16;
  // The control API's bound address: a proxy forwarding there is allowed, with a warning.
  std::optional<HostPort> control_address;
};

// All proxies by name. Every method runs on the loop thread and returns at once: changes to
// live links are synchronous between callbacks, so the control path never waits on the data
// path.
class ProxyRegistry {
 public:
  ProxyRegistry(uv_loop_s* loop, RegistryOptions options);
  ~ProxyRegistry();
  ProxyRegistry(const ProxyRegistry&) = delete;
  ProxyRegistry& operator=(const ProxyRegistry&) = delete;

  // 409 "proxy already exists", 400 on a bad field, 500 with bind's text.
  Result<ProxyInfo> create(const ProxyConfig& config);  // buildProxySpec(), then create(spec)
  Result<ProxyInfo> create(const ProxySpec& spec);
  Result<ProxyInfo> get(const std::string& name) const;
  std::vector<ProxyInfo> list() const;  // sorted by name
  Result<ProxyInfo> update(const std::string& name, const ProxyPatch& patch);
  Status remove(const std::string& name);

  // Toxiproxy's /populate: validate all, then create or replace each; a proxy with the same
  // listen and upstream keeps running. All or nothing: on error nothing changed and `proxies`
  // is empty (Toxiproxy keeps what it created before the failing entry).
  struct PopulateResult {
    std::vector<ProxyInfo> proxies;
    std::optional<Error> error;
  };
  PopulateResult populate(const std::vector<ProxyConfig>& configs);

  Result<std::vector<ToxicSpecPtr>> toxics(const std::string& proxy) const;
  Result<ToxicSpecPtr> toxic(const std::string& proxy, const std::string& toxic) const;
  // 409 "toxic already exists" (names are unique across both streams).
  Result<ToxicSpecPtr> addToxic(const std::string& proxy, const ToxicSpec& spec);
  // Type and stream stay; toxicity and merged attributes are revalidated.
  Result<ToxicSpecPtr> updateToxic(const std::string& proxy, const std::string& toxic, const ToxicPatch& patch);
  Status removeToxic(const std::string& proxy, const std::string& toxic);
  // A scheduled toxic's state now (for GET); none for an unknown or unscheduled toxic.
  std::optional<ScheduleStatus> scheduleStatus(const std::string& proxy, const std::string& toxic) const;
  // Replaces the whole toxic list of a proxy (rules reload), keeping unchanged toxics' stages.
  Status setToxics(const std::string& proxy, const std::vector<ToxicSpec>& toxics);

  // A proxy's live connections (404 for an unknown proxy), and ending one of them by id (404
  // "connection not found" when it is not live).
  Result<std::vector<ConnectionInfo>> connections(const std::string& proxy) const;
  Status killConnection(const std::string& proxy, uint64_t id, CloseMode mode);
  // Bytes each toxic holds now, per proxy and direction (proxies by name, toxics in chain order).
  std::vector<ToxicHeldBytes> heldBytes() const;

  // Enables every proxy and removes every toxic; open connections stay.
  void reset();
  // Closes every listener and session (shutdown); the loop then runs until handles close.
  void closeAll();
  // Closes every listener but lets live sessions run on (graceful shutdown's first step).
  void stopAccepting();

  const RegistryOptions& options() const { return options_; }
  // What happened, for GET /events (shared: a closing session may outlive the registry).
  EventBus& events() const { return *events_; }
  std::size_t bufferedBytes() const;  // all links together
  std::size_t globalCapHits() const;
  std::size_t sessionCount() const;  // live sessions of every proxy
  std::size_t toxicLimitHits() const { return toxic_limit_hits_; }
  std::size_t fdReserveHits() const;  // times proxied connections hit the fd reserve
  // Set once the control API is bound (see RegistryOptions::control_address).
  void setControlAddress(const HostPort& address) { options_.control_address = address; }

 private:
  Proxy* find(const std::string& name) const;
  // Refuses an upstream that is a listen address of this process (the proxy's own included).
  Status checkUpstream(const std::string& name, const HostPort& listen, const HostPort& upstream) const;
  Status checkToxicCount(const std::string& name, std::size_t count) const;

  struct Shared;

  uv_loop_s* loop_;
  RegistryOptions options_;
  std::shared_ptr<BufferBudget> budget_;
  std::shared_ptr<EventBus> events_;
  std::unique_ptr<Shared> shared_;
  std::map<std::string, std::unique_ptr<Proxy>> proxies_;
  mutable std::size_t toxic_limit_hits_ = 0;
  std::shared_ptr<FdReserve> fd_reserve_;
};

}  // namespace faultline

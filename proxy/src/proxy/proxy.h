#pragma once

#include <uv.h>

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "net/address.h"
#include "net/tcp_listener.h"
#include "proxy/proxy_config.h"
#include "proxy/connection_info.h"
#include "proxy/session.h"

namespace faultline {

class BufferBudget;
class EventBus;
class ConnectBlackhole;
class FdReserve;
class ToxicScheduler;

struct ProxyEnv {
  uv_loop_t* loop = nullptr;
  std::size_t link_cap_bytes = 64u << 20;
  std::size_t max_connections = 0;
  Millis connect_timeout{10'000};
  std::shared_ptr<BufferBudget> budget;
  std::shared_ptr<EventBus> events;
  uint64_t seed = 0;  // every random choice derives from it (core/random.h RandomKey)
  uint64_t* next_session_id = nullptr;
  std::shared_ptr<FdReserve> fd_reserve;  // may be null (no reserve)
};

// One named proxy: a listener, its sessions and its toxics. Changes reach live sessions at once.
class Proxy final : public SessionOwner, private TcpAcceptor {
 public:
  // Addresses must already be parsed; start() binds when enabled.
  Proxy(ProxyEnv env, std::string name, HostPort listen, HostPort upstream);
  ~Proxy() override;
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  // Listens; while a connect_timeout toxic is present, holds the address unanswered instead.
  Status start();
  // Closes the listener and every session (disable, delete).
  void stop();
  // Stops accepting; live sessions continue.
  void closeListener();
  Status setEnabled(bool enabled);
  Status setListen(const HostPort& listen);
  // Listen on `listen` when `enabled` (binding it before the old listener closes), or record it
  // and stop when not. On failure nothing changed.
  Status moveTo(const HostPort& listen, bool enabled);
  void setUpstream(const HostPort& upstream);
  // on_upstream_error: kGraceful (close, Toxiproxy) or kReset; applies to new connections.
  void setUpstreamErrorMode(CloseMode mode) { on_upstream_error_ = mode; }
  CloseMode upstreamErrorMode() const { return on_upstream_error_; }

  const std::string& name() const { return name_; }
  bool enabled() const { return enabled_; }
  const HostPort& listen() const { return listen_; }
  const HostPort& upstream() const { return upstream_; }
  std::string listenString() const;
  ProxyInfo info() const;

  const std::vector<ToxicSpecPtr>& toxics() const { return toxics_; }
  ToxicSpecPtr findToxic(const std::string& name) const;
  // Replaces the list and pushes it to every live session. Scheduled toxics outside their
  // window stay in the list but are not handed to sessions.
  void setToxicList(std::vector<ToxicSpecPtr> toxics);
  // Sessions accepted from now on honour X-Faultline-Abort / X-Faultline-Delay.
  void setHttpRequestFaults(bool on) { http_request_faults_ = on; }
  // For GET: none for a toxic without a schedule.
  std::optional<ScheduleStatus> scheduleStatus(const std::string& toxic) const;

  std::size_t sessionCount() const { return sessions_.size(); }
  // The connections API (connections_access.cpp): live sessions sorted by id, and ending one.
  std::vector<ConnectionInfo> connections() const;
  bool killConnection(uint64_t id, CloseMode mode);
  // Bytes held per toxic and direction (connections_access.cpp), appended to `out`.
  void collectHeldBytes(std::vector<ToxicHeldBytes>& out) const;
  std::size_t bufferedBytes() const;

  // SessionOwner
  void onSessionClosed(Session* session) override;
  std::vector<ToxicSpecPtr> toxicsFor(Stream stream) const override;

 private:
  // TcpAcceptor: each accepted connection becomes a session, or is refused at a limit.
  uv_tcp_t* newClient() override;
  void accepted(uv_tcp_t* client) override;
  void refused(uv_tcp_t* client, Refusal why) override;
  void acceptFailed(uv_tcp_t* client, int status) override;
  std::size_t liveConnections() const override { return sessions_.size(); }
  Result<TcpListener*> listenOn(const HostPort& address);
  Status openListener();
  // connect_timeout: the listen address stops answering connection attempts (see
  // ConnectBlackhole); open sessions are untouched.
  bool connectTimeoutWanted() const;
  Status holdConnects();
  void syncConnectTimeout();
  void closeSessions();
  // Schedules (toxic_scheduler.h): the active lists to every live session, and expiry.
  void pushToxicsToSessions();
  void trackSchedules();
  void removeExpired(const std::vector<std::string>& names);

  ProxyEnv env_;
  std::string name_;
  HostPort listen_;
  HostPort upstream_;
  bool enabled_ = true;
  CloseMode on_upstream_error_ = CloseMode::kGraceful;
  bool http_request_faults_ = false;
  TcpListener* listener_ = nullptr;  // self-freeing after close()
  std::unique_ptr<ConnectBlackhole> blackhole_;  // instead of listener_ while connect_timeout is on
  ToxicScheduler* scheduler_ = nullptr;  // self-freeing after close(); made at the first schedule
  std::vector<ToxicSpecPtr> toxics_;
  std::unordered_set<Session*> sessions_;
  uint64_t connection_ordinal_ = 0;  // per proxy: the connection part of every RandomKey
  std::shared_ptr<ProxyStats> stats_ = std::make_shared<ProxyStats>();
};

}  // namespace faultline

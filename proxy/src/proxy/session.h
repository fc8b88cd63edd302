#pragma once

#include <uv.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "net/address.h"
#include "net/dialer.h"
#include "proxy/link.h"
#include "proxy/proxy_config.h"
#include "toxics/toxic.h"
#include "toxics/http/http_exchange_layer.h"

namespace faultline {

class BufferBudget;
class EventBus;
struct ConnectionInfo;

// What a session needs from its proxy, captured at accept so a session can outlive the proxy
// (a removed proxy detaches its sessions and they finish closing on their own).
struct SessionEnv {
  uv_loop_t* loop = nullptr;
  std::string proxy_name;
  HostPort upstream;
  std::size_t link_cap_bytes = 64u << 20;
  Millis connect_timeout{10'000};
  std::shared_ptr<BufferBudget> budget;  // shared: a closing session may outlive the registry
  std::shared_ptr<ProxyStats> stats;
  std::shared_ptr<EventBus> events;  // may be null (unit tests)
  // The proxy's http_request_faults option: X-Faultline-Abort / -Delay act on their request.
  bool http_request_faults = false;
  uint64_t seed = 0;  // with the proxy name and the ordinal, the key of every random choice
  uint64_t connection_ordinal = 0;  // 1 for the proxy's first connection
  // How the client learns that the upstream could not be reached: FIN after the accept
  // (Toxiproxy's behaviour, the default) or RST (the proxy option on_upstream_error=reset).
  CloseMode on_upstream_error = CloseMode::kGraceful;
};

// One toxicity roll on this session, kept for listing connections (and logged at debug level).
struct ToxicDecision {
  std::string toxic;
  Stream stream = Stream::kDownstream;
  bool applied = false;
};

class Session;

class SessionOwner {
 public:
  virtual ~SessionOwner() = default;
  virtual void onSessionClosed(Session* session) = 0;
  virtual std::vector<ToxicSpecPtr> toxicsFor(Stream stream) const = 0;
};

// One accepted client connection and its upstream connection, with two links. Owns two TCP
// handles and its two links (each with at most one timer handle, made when a deadline is
// needed: the dial's, a toxic's, the drain's), and frees itself once all have closed. Every
// way a session ends goes through close(). An idle session is about 1.6 KB: what it does not
// need while idle (the dialer, timers, a shutdown request) is made when needed and freed after.
class Session final : private LinkEvents {
 public:
  Session(SessionEnv env, uint64_t id, SessionOwner* owner);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() override;

  // The listener accepts into client(); then start() dials the upstream.
  uv_tcp_t* client() { return &client_; }
  void start();
  void setToxics(const std::vector<ToxicSpecPtr>& upstream, const std::vector<ToxicSpecPtr>& downstream);
  // The proxy's http_request_faults changed: the next request framed on this session follows it.
  void setHttpRequestFaults(bool on);

  enum class CloseReason { kDone, kClientReset, kUpstreamReset, kUpstreamFailed, kToxic, kProxyStopped, kError, kKilled };
  // Graceful: written data drains, then FIN. Reset: RST to both peers now.
  void close(CloseReason reason, CloseMode mode, const std::string& detail = "");
  void detach() { owner_ = nullptr; }
  uint64_t id() const { return id_; }
  uint64_t connectionOrdinal() const { return env_.connection_ordinal; }  // on its proxy, from 1
  // Each toxicity roll of this session, in the order the stages were built (bounded).
  const std::vector<ToxicDecision>& decisions() const { return decisions_; }
  bool closing() const { return closing_; }
  std::size_t bufferedBytes() const { return up_.bufferedBytes() + down_.bufferedBytes(); }
  // For the connections API (connection_info.cpp): a snapshot of this session now.
  ConnectionInfo snapshot() const;

  // The link of one direction (a per-session layer may add a stage at the head of its chain).
  Link& link(Stream stream) { return stream == Stream::kUpstream ? up_ : down_; }

 private:
  // LinkEvents.
  void onLinkRead(Stream stream, std::size_t bytes) override;
  void onLinkWritten(Stream stream, std::size_t bytes) override;
  void onLinkPaused(Stream stream) override;
  void onLinkReadError(Stream stream, int status) override;
  void onLinkWriteError(Stream stream, int status, const char* what) override;
  void onLinkEnded(Stream stream) override;
  void onLinkToxicClose(Stream stream, CloseMode mode, const std::string& toxic) override;
  Random& linkRandom(Stream stream, const ToxicSpec& spec) override;
  Random& linkRollRandom(Stream stream, const ToxicSpec& spec) override;
  RandomKey randomKey(Stream stream, const ToxicSpec& spec, uint32_t purpose) const;
  void onLinkStageBuilt(Stream stream, const ToxicSpec& spec, bool applied) override;
  ToxicCounters* linkCounters(const ToxicSpec& spec) override;
  void onLinkClosed(Stream stream) override;

  // The toxics that apply to this client (a toxic's client CIDR must contain its address).
  std::vector<ToxicSpecPtr> forThisClient(const std::vector<ToxicSpecPtr>& toxics) const;
  void onDialed(const Dialer::Outcome& outcome);
  void applyHttpToxics(const std::vector<ToxicSpecPtr>& upstream, const std::vector<ToxicSpecPtr>& downstream);
  void closeHandles(CloseMode mode);
  void onHandleClosed();

  static void onReadCb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept;
  static void onClosed(uv_handle_t* handle) noexcept;

  SessionEnv env_;
  uint64_t id_;
  SessionOwner* owner_;
  uv_tcp_t client_{};
  uv_tcp_t upstream_{};
  Link up_;    // client -> upstream
  Link down_;  // upstream -> client
  // Only while dialing (freed once connected). After the links: its deadline is on up_'s queue.
  std::unique_ptr<Dialer> dialer_;
  std::string peer_;
  int64_t opened_at_ms_ = 0;  // wall clock at accept, for the connections API
  sockaddr_in6 peer_address_{};  // the client's address (an IPv4 one fits too); zero if unknown
  int open_handles_ = 0;
  bool connected_ = false;
  bool closing_ = false;
  bool handles_closing_ = false;
  std::shared_ptr<HttpExchangeLayer> http_;  // made with the first http_* toxic; shared with both chains
  uint64_t bytes_up_ = 0;
  uint64_t bytes_down_ = 0;
  // One generator per (direction, toxic) for the stage's draws, kept across rebuilds; the roll
  // gets a fresh one each time (same key, so the same outcome on this link).
  std::map<std::pair<Stream, std::string>, Random> randoms_;
  // Made at the first roll: a generator is ~2.5 KiB, and a session without toxics never rolls
  // (idle sessions stay small).
  std::unique_ptr<Random> roll_random_;
  std::vector<ToxicDecision> decisions_;
};

}  // namespace faultline

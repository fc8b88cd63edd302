#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/address.h"
#include "proxy/link.h"
#include "proxy/proxy_config.h"
#include "toxics/toxic.h"

namespace faultline {

class BufferBudget;

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
  std::shared_ptr<Random> random;
  // How the client learns that the upstream could not be reached: FIN after the accept
  // (Toxiproxy's behaviour, the default) or RST (the proxy option on_upstream_error=reset).
  CloseMode on_upstream_error = CloseMode::kGraceful;
};

class Session;

class SessionOwner {
 public:
  virtual ~SessionOwner() = default;
  virtual void onSessionClosed(Session* session) = 0;
  virtual std::vector<ToxicSpecPtr> toxicsFor(Stream stream) const = 0;
};

// One accepted client connection and its upstream connection, with two links. Owns three
// handles (two TCP, a connect/drain timer) and its two links (each owns one timer handle), and
// frees itself once all five have closed. Every way a session ends goes through close().
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

  enum class CloseReason { kDone, kClientReset, kUpstreamReset, kUpstreamFailed, kToxic, kProxyStopped, kError };
  // Graceful: written data drains, then FIN. Reset: RST to both peers now.
  void close(CloseReason reason, CloseMode mode, const std::string& detail = "");
  void detach() { owner_ = nullptr; }
  uint64_t id() const { return id_; }
  bool closing() const { return closing_; }
  std::size_t bufferedBytes() const { return up_.bufferedBytes() + down_.bufferedBytes(); }

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
  void onLinkStageBuilt(Stream stream, const ToxicSpec& spec, bool applied) override;
  void onLinkClosed(Stream stream) override;

  // The toxics that apply to this client (a toxic's client CIDR must contain its address).
  std::vector<ToxicSpecPtr> forThisClient(const std::vector<ToxicSpecPtr>& toxics) const;
  void connectUpstream(const sockaddr* address);
  void onConnected(int status);
  void closeHandles(CloseMode mode);
  void onHandleClosed();

  static void onResolved(uv_getaddrinfo_t* req, int status, addrinfo* res) noexcept;
  static void onConnect(uv_connect_t* req, int status) noexcept;
  static void onReadCb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept;
  static void onTimer(uv_timer_t* timer) noexcept;
  static void onClosed(uv_handle_t* handle) noexcept;

  SessionEnv env_;
  uint64_t id_;
  SessionOwner* owner_;
  uv_tcp_t client_{};
  uv_tcp_t upstream_{};
  uv_timer_t timer_{};
  uv_connect_t connect_req_{};
  uv_getaddrinfo_t resolve_req_{};
  Link up_;    // client -> upstream
  Link down_;  // upstream -> client
  std::string peer_;
  sockaddr_storage peer_address_{};
  int open_handles_ = 0;
  bool resolving_ = false;
  bool connected_ = false;
  bool closing_ = false;
  bool handles_closing_ = false;
  uint64_t bytes_up_ = 0;
  uint64_t bytes_down_ = 0;
};

}  // namespace faultline

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

// One accepted client connection and its upstream connection, with two links. Owns five
// handles (two TCP, a connect/drain timer, one timer per link) and frees itself once all of
// them have closed. Every way a session ends goes through close().
class Session {
 public:
  Session(SessionEnv env, uint64_t id, SessionOwner* owner);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

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

  // For links.
  Random& random() { return *env_.random; }
  void recordToxicApplied(const ToxicSpec& spec);
  void closeFromToxic(CloseMode mode, const std::string& toxic);
  void onLinkError(Stream stream, int status, const char* what);
  void onLinkEnded(Stream stream);
  void countRead(Stream stream, std::size_t bytes);
  void countWritten(Stream stream, std::size_t bytes);
  void countPause();
  void resumeReading(uv_stream_t* src);

 private:
  void connectUpstream(const sockaddr* address);
  void onConnected(int status);
  void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  void startReading(uv_stream_t* stream);
  void closeHandles(CloseMode mode);
  void onHandleClosed();

  static void onResolved(uv_getaddrinfo_t* req, int status, addrinfo* res) noexcept;
  static void onConnect(uv_connect_t* req, int status) noexcept;
  static void onAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf) noexcept;
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
  int open_handles_ = 0;
  bool resolving_ = false;
  bool connected_ = false;
  bool closing_ = false;
  bool handles_closing_ = false;
  uint64_t bytes_up_ = 0;
  uint64_t bytes_down_ = 0;
};

}  // namespace faultline

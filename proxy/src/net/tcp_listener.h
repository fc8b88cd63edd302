#pragma once

#include <uv.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"

namespace spdlog {
class logger;
}

namespace faultline {

class FdReserve;

// What a TcpListener asks of its owner (a proxy, the HTTP server). Loop thread only; the
// listener never closes a client handle itself: every handle newClient() gave it goes back
// through exactly one of accepted(), refused() or acceptFailed().
class TcpAcceptor {
 public:
  enum class Refusal { kFdReserve, kMaxConnections };

  // An initialized uv_tcp_t owned by the callee for the next connection (its data names the owner).
  virtual uv_tcp_t* newClient() = 0;
  virtual void accepted(uv_tcp_t* client) = 0;
  // Accepted, but over a limit: the owner closes it the way it closes refused connections.
  virtual void refused(uv_tcp_t* client, Refusal why) = 0;
  // uv_accept failed (status < 0): the owner closes the unused handle.
  virtual void acceptFailed(uv_tcp_t* client, int status) = 0;
  // Connections the owner holds now, measured against TcpListenerOptions::max_connections.
  virtual std::size_t liveConnections() const = 0;
  // At the cap: free a slot (close the longest idle keep-alive connection, say). True if one went.
  virtual bool makeRoom() { return false; }

 protected:
  ~TcpAcceptor() = default;
};

struct TcpListenerOptions {
  std::string label;                      // names the owner in log lines: "proxy=p1", "server=control"
  std::size_t max_connections = 0;        // 0: no cap
  std::shared_ptr<FdReserve> fd_reserve;  // the data path keeps the control API's descriptors free
  spdlog::logger* log = nullptr;          // null: the default logger
};

// A listening TCP socket and its accept loop: bind to a numeric address, accept each pending
// connection into a handle from the owner, then admit it or refuse it (fd reserve first, then the
// connection cap). Accept errors (EMFILE, ENFILE) are logged and leave the listener armed: libuv
// drops the pending connection with its own spare descriptor, so the loop does not spin.
//
// Heap-allocated and self-freeing: close() detaches the owner and the object deletes itself in its
// close callback, so the owner may go away at once.
class TcpListener {
 public:
  // Toxiproxy's bind error text (Go's net package), with the resolved address, which clients match:
  // "listen tcp 127.0.0.1:3310: bind: address already in use". `failed_status` gets the libuv status.
  static Result<TcpListener*> open(uv_loop_t* loop, const sockaddr* address, TcpAcceptor& owner,
                                   TcpListenerOptions options, int* failed_status = nullptr);

  // on_closed runs once the socket has closed (an owner that waits for its handles).
  void close(std::function<void()> on_closed = nullptr);
  // "127.0.0.1:40123" or "[::1]:40123": the port the kernel chose for port 0.
  const std::string& boundAddress() const { return bound_; }

 private:
  TcpListener(TcpAcceptor& owner, TcpListenerOptions options);
  ~TcpListener() = default;
  static void onConnection(uv_stream_t* server, int status) noexcept;
  static void onClosed(uv_handle_t* handle) noexcept;
  void acceptOne();
  spdlog::logger& log() const;

  uv_tcp_t tcp_{};
  TcpAcceptor* owner_;
  TcpListenerOptions options_;
  std::string bound_;
  std::function<void()> on_closed_;
  bool closing_ = false;
};

}  // namespace faultline

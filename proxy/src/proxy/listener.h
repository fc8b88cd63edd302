#pragma once

#include <uv.h>

#include <functional>
#include <string>

#include "core/result.h"
#include "net/address.h"

namespace faultline {

// A listening socket. Heap-allocated and self-freeing: close() detaches the owner's callback
// and the object deletes itself in its close callback, so a proxy can go away at once.
class Listener {
 public:
  // Called for each pending connection; the callee accepts it with accept().
  using OnConnection = std::function<void(Listener&)>;

  static Result<Listener*> open(uv_loop_t* loop, const HostPort& address, OnConnection on_connection);
  void close();

  int accept(uv_tcp_t* client) { return uv_accept(stream(), reinterpret_cast<uv_stream_t*>(client)); }
  const std::string& boundAddress() const { return bound_; }

 private:
  Listener() = default;
  ~Listener() = default;
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }
  static void onConnection(uv_stream_t* server, int status) noexcept;
  static void onClosed(uv_handle_t* handle) noexcept;

  uv_tcp_t tcp_{};
  OnConnection on_connection_;
  std::string bound_;
  bool closing_ = false;
};

}  // namespace faultline

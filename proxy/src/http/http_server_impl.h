#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "http/http_server.h"
#include "net/tcp_listener.h"

namespace faultline {

class HttpConnection;

// The server behind HttpServer's handle: it outlives the HttpServer object until its last handle
// has closed, because libuv may still call back into it.
class HttpServer::Impl final : public TcpAcceptor {
 public:
  Impl(uv_loop_t* loop, HttpServerOptions options, Handler handler);
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Result<std::string> listen(const std::string& host, uint16_t port);
  void close(std::function<void()> on_closed);
  // The owning HttpServer is gone: close if needed and free this once everything has closed.
  void release();

  void onConnectionClosed(HttpConnection* connection);

  uv_loop_t* loop() const { return loop_; }
  const HttpServerOptions& options() const { return options_; }
  HttpServerStats& stats() { return stats_; }
  const HttpServerStats& stats() const { return stats_; }
  const std::string& address() const { return address_; }
  const Handler& handler() const { return handler_; }
  bool closing() const { return closing_; }
  uv_buf_t readBuffer() { return uv_buf_init(read_buffer_.data(), static_cast<unsigned>(read_buffer_.size())); }

 private:
  // TcpAcceptor: the listener's accept loop hands each connection over here.
  uv_tcp_t* newClient() override;
  void accepted(uv_tcp_t* client) override;
  void refused(uv_tcp_t* client, Refusal why) override;
  void acceptFailed(uv_tcp_t* client, int status) override;
  std::size_t liveConnections() const override;
  bool makeRoom() override;
  void onListenerClosed();
  HttpConnection* oldestIdle() const;
  void maybeFinished();

  uv_loop_t* loop_;
  HttpServerOptions options_;
  Handler handler_;
  TcpListener* listener_ = nullptr;  // self-freeing after close()
  bool listener_open_ = false;        // listening and not yet through its close callback
  bool listen_attempted_ = false;
  bool closing_ = false;
  bool released_ = false;
  bool finished_ = false;
  bool in_on_closed_ = false;  // running on_closed_, which may destroy the HttpServer
  std::string address_;
  HttpServerStats stats_;
  std::unordered_set<HttpConnection*> connections_;
  std::function<void()> on_closed_;
  std::vector<char> read_buffer_;  // shared: read callbacks consume it before the next read
  uint64_t next_connection_id_ = 0;

  friend class HttpConnection;
};

}  // namespace faultline

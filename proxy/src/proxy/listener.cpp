#include "proxy/listener.h"

#include <spdlog/spdlog.h>

#include <cstring>

namespace faultline {

namespace {

// Toxiproxy reports bind failures as Go's net package prints them; clients show that text.
Error bindError(const HostPort& address, int rc) {
  return Error::io("listen tcp " + address.toString() + ": bind: " + uv_strerror(rc));
}

Result<sockaddr_storage> listenSockaddr(uv_loop_t* loop, const HostPort& address) {
  if (auto numeric = numericSockaddr(address)) return *numeric;
  // A listen host that is a name is resolved once, here; it is rare and only at configuration
  // time (upstream names are resolved per connection without blocking the loop).
  uv_getaddrinfo_t req;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  const std::string port = std::to_string(address.port);
  if (int rc = uv_getaddrinfo(loop, &req, nullptr, address.host.c_str(), port.c_str(), &hints); rc < 0) {
    return Error::invalid("cannot resolve listen host '" + address.host + "': " + uv_strerror(rc));
  }
  sockaddr_storage storage{};
  std::memcpy(&storage, req.addrinfo->ai_addr, req.addrinfo->ai_addrlen);
  uv_freeaddrinfo(req.addrinfo);
  return storage;
}

}  // namespace

Result<Listener*> Listener::open(uv_loop_t* loop, const HostPort& address, OnConnection on_connection) {
  auto storage = listenSockaddr(loop, address);
  if (!storage) return storage.error();
  auto* listener = new Listener;
  uv_tcp_init(loop, &listener->tcp_);
  listener->tcp_.data = listener;
  listener->on_connection_ = std::move(on_connection);
  const auto* sa = reinterpret_cast<const sockaddr*>(&*storage);
  int rc = uv_tcp_bind(&listener->tcp_, sa, 0);
  // libuv may report EADDRINUSE from bind only when listen() is called.
  if (rc == 0) rc = uv_listen(listener->stream(), 511, &Listener::onConnection);
  if (rc < 0) {
    listener->close();
    return bindError(address, rc);
  }
  sockaddr_storage bound{};
  int len = sizeof bound;
  uv_tcp_getsockname(&listener->tcp_, reinterpret_cast<sockaddr*>(&bound), &len);
  listener->bound_ = formatSockaddr(reinterpret_cast<sockaddr*>(&bound));
  return listener;
}

void Listener::close() {
  if (closing_) return;
  closing_ = true;
  on_connection_ = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &Listener::onClosed);
}

void Listener::onConnection(uv_stream_t* server, int status) noexcept {
  auto* self = static_cast<Listener*>(server->data);
  if (self->closing_ || !self->on_connection_) return;
  if (status < 0) {
    // EMFILE/ENFILE: libuv already accepted and dropped the connection with its reserve fd, so
    // the loop does not spin; existing sessions keep flowing.
    spdlog::warn("accept failed listen={} error={}", self->bound_, uv_strerror(status));
    return;
  }
  self->on_connection_(*self);
}

void Listener::onClosed(uv_handle_t* handle) noexcept { delete static_cast<Listener*>(handle->data); }

}  // namespace faultline

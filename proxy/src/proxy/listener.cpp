#include "proxy/listener.h"

#include <spdlog/spdlog.h>


namespace faultline {

namespace {

// Toxiproxy reports bind failures as Go's net package prints them, with the resolved address
// ("listen tcp 127.0.0.1:3310: bind: address already in use" for localhost:3310); clients match
// on that text.
Error bindError(const sockaddr* address, int rc) {
  return Error::io("listen tcp " + formatSockaddr(address) + ": bind: " + uv_strerror(rc));
}

}  // namespace

Result<Listener*> Listener::open(uv_loop_t* loop, const HostPort& address, OnConnection on_connection) {
  // Listen hosts are IP literals or localhost (ProxySpec's rule): never a DNS lookup on the loop.
  auto storage = numericSockaddr(address);
  if (!storage) {
    return Error::invalid("cannot listen on '" + address.toString() +
                          "'; expected a numeric IP address or localhost, e.g. 127.0.0.1:22220");
  }
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
    return bindError(sa, rc);
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

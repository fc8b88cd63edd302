#include "http/http_server.h"

#include <string>
#include <utility>
#include <vector>

#include "http/http_connection.h"
#include "http/http_log.h"
#include "http/http_server_impl.h"
#include "net/address.h"

namespace faultline {

namespace {
constexpr std::size_t kReadBufferBytes = 64 * 1024;
}  // namespace

HttpServer::Impl::Impl(uv_loop_t* loop, HttpServerOptions options, Handler handler)
    : loop_(loop), options_(std::move(options)), handler_(std::move(handler)), read_buffer_(kReadBufferBytes) {
  listener_.data = this;
}

Result<std::string> HttpServer::Impl::listen(const std::string& host, uint16_t port) {
  if (closing_) return Error::invalid("listen on a closed HTTP server");
  if (listen_attempted_) return Error::invalid("listen called twice on one HTTP server; create a new server");
  HostPort where{host, port};
  auto address = numericSockaddr(where);
  if (!address) {
    return Error::invalid("listen address '" + host + "' is not a numeric IP; expected e.g. 127.0.0.1 or ::1");
  }
  listen_attempted_ = true;
  if (int rc = uv_tcp_init(loop_, &listener_); rc < 0) return uvError(rc, "listen " + where.toString());
  listener_.data = this;
  listener_open_ = true;
  const auto* addr = reinterpret_cast<const sockaddr*>(&*address);
  const std::string label = formatSockaddr(addr);
  int rc = uv_tcp_bind(&listener_, addr, 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), 511, &Impl::onConnection);
  if (rc < 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), &Impl::onListenerClosed);
    return uvError(rc, "listen " + label);
  }
  sockaddr_storage bound{};
  int length = sizeof bound;
  if (int name_rc = uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&bound), &length); name_rc < 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), &Impl::onListenerClosed);
    return uvError(name_rc, "getsockname " + label);
  }
  address_ = formatSockaddr(reinterpret_cast<sockaddr*>(&bound));
  httpLog().info("listening server={} address={}", options_.name, address_);
  return address_;
}

void HttpServer::Impl::onConnection(uv_stream_t* stream, int status) noexcept {
  auto* self = static_cast<Impl*>(stream->data);
  if (status < 0) {
    // EMFILE and friends: libuv keeps the listener armed, so this is transient by design.
    httpLog().warn("accept failed server={} error={}", self->options_.name, uv_err_name(status));
    return;
  }
  self->accept();
}

namespace {
// An extra connection over max_connections: accepted (so it leaves the backlog) and closed.
struct RefusedConnection {
  uv_tcp_t tcp{};
  static void onClosed(uv_handle_t* handle) noexcept { delete static_cast<RefusedConnection*>(handle->data); }
};
}  // namespace

HttpConnection* HttpServer::Impl::oldestIdle() const {
  HttpConnection* oldest = nullptr;
  for (HttpConnection* connection : connections_) {
    if (connection->idle() && (oldest == nullptr || connection->idleSince() < oldest->idleSince())) oldest = connection;
  }
  return oldest;
}

void HttpServer::Impl::accept() {
  if (closing_) return;
  // Closed connections stay in the set until their close callback: count only live ones.
  std::size_t live = 0;
  for (HttpConnection* connection : connections_) live += connection->closingOrClosed() ? 0 : 1;
  if (live >= options_.max_connections && options_.evict_idle_at_cap) {
    // Idle keep-alive connections must not lock newcomers out: the longest idle makes room.
    if (HttpConnection* victim = oldestIdle()) {
      ++stats_.connections_evicted;
      httpLog().info("idle connection evicted server={} reason=max_connections limit={}", options_.name,
                     options_.max_connections);
      victim->close();
      --live;
    }
  }
  if (live >= options_.max_connections) {
    auto* refused = new RefusedConnection;
    refused->tcp.data = refused;
    if (uv_tcp_init(loop_, &refused->tcp) < 0) {
      delete refused;
      return;
    }
    (void)uv_accept(reinterpret_cast<uv_stream_t*>(&listener_), reinterpret_cast<uv_stream_t*>(&refused->tcp));
    uv_close(reinterpret_cast<uv_handle_t*>(&refused->tcp), &RefusedConnection::onClosed);
    ++stats_.connections_refused;
    httpLog().warn("connection refused server={} reason=max_connections limit={}", options_.name,
                   options_.max_connections);
    return;
  }
  auto* connection = new HttpConnection(*this, ++next_connection_id_);
  if (int rc = connection->init(); rc < 0) {
    httpLog().warn("accept failed server={} error={}", options_.name, uv_err_name(rc));
    delete connection;
    return;
  }
  connections_.insert(connection);
  ++stats_.connections_accepted;
  stats_.connections_active = connections_.size();
  if (int rc = uv_accept(reinterpret_cast<uv_stream_t*>(&listener_), connection->stream()); rc < 0) {
    httpLog().warn("accept failed server={} error={}", options_.name, uv_err_name(rc));
    connection->close();
    return;
  }
  connection->start();
}

void HttpServer::Impl::onConnectionClosed(HttpConnection* connection) {
  connections_.erase(connection);
  delete connection;
  stats_.connections_active = connections_.size();
  maybeFinished();
}

void HttpServer::Impl::onListenerClosed(uv_handle_t* handle) noexcept {
  auto* self = static_cast<Impl*>(handle->data);
  self->listener_open_ = false;
  self->maybeFinished();
}

void HttpServer::Impl::close(std::function<void()> on_closed) {
  if (closing_) {
    // Second call: chain the callback so both run (or run it now if everything is closed).
    if (on_closed) {
      if (finished_) {
        on_closed();
      } else {
        auto previous = std::move(on_closed_);
        on_closed_ = [previous = std::move(previous), next = std::move(on_closed)] {
          if (previous) previous();
          next();
        };
      }
    }
    return;
  }
  closing_ = true;
  on_closed_ = std::move(on_closed);
  if (listener_open_ && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&listener_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), &Impl::onListenerClosed);
  }
  // close() erases from the set only in the close callback, so iterating a copy is not needed,
  // but a copy keeps this loop independent of that detail.
  std::vector<HttpConnection*> open(connections_.begin(), connections_.end());
  for (HttpConnection* connection : open) connection->close();
  if (!address_.empty()) httpLog().info("closing server={} address={}", options_.name, address_);
  maybeFinished();
}

void HttpServer::Impl::maybeFinished() {
  if (!closing_ || finished_ || listener_open_ || !connections_.empty()) return;
  finished_ = true;
  if (on_closed_) {
    auto callback = std::move(on_closed_);
    on_closed_ = nullptr;
    in_on_closed_ = true;
    callback();
    in_on_closed_ = false;
  }
  if (released_) delete this;
}

void HttpServer::Impl::release() {
  if (!closing_) close(nullptr);  // finishes at once when no handle is open
  if (finished_ && !in_on_closed_) {
    delete this;
    return;
  }
  released_ = true;  // maybeFinished() deletes once the last handle has closed
}

// ---- HttpServer --------------------------------------------------------------------------------

HttpServer::HttpServer(uv_loop_t* loop, HttpServerOptions options, Handler handler)
    : impl_(new Impl(loop, std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { impl_->release(); }

Result<std::string> HttpServer::listen(const std::string& host, uint16_t port) { return impl_->listen(host, port); }

void HttpServer::close(std::function<void()> on_closed) { impl_->close(std::move(on_closed)); }

const std::string& HttpServer::address() const { return impl_->address(); }

const HttpServerStats& HttpServer::stats() const { return impl_->stats(); }

}  // namespace faultline

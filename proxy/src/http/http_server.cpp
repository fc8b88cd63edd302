#include "http/http_server.h"

#include <string>
#include <utility>
#include <vector>

#include "http/http_connection.h"
#include "http/http_log.h"
#include "http/http_server_impl.h"
#include "net/address.h"
#include "net/uv_error.h"

namespace faultline {

namespace {
constexpr std::size_t kReadBufferBytes = 64 * 1024;
}  // namespace

HttpServer::Impl::Impl(uv_loop_t* loop, HttpServerOptions options, Handler handler)
    : loop_(loop), options_(std::move(options)), handler_(std::move(handler)), read_buffer_(kReadBufferBytes) {}

Result<std::string> HttpServer::Impl::listen(const std::string& host, uint16_t port) {
  if (closing_) return Error::invalid("listen on a closed HTTP server");
  if (listen_attempted_) return Error::invalid("listen called twice on one HTTP server; create a new server");
  HostPort where{host, port};
  auto address = numericSockaddr(where);
  if (!address) {
    return Error::invalid("listen address '" + host + "' is not a numeric IP; expected e.g. 127.0.0.1 or ::1");
  }
  listen_attempted_ = true;
  const auto* addr = reinterpret_cast<const sockaddr*>(&*address);
  TcpListenerOptions listener_options;
  listener_options.label = "server=" + options_.name;
  listener_options.max_connections = options_.max_connections;
  listener_options.log = &httpLog();
  int status = 0;
  auto listener = TcpListener::open(loop_, addr, *this, std::move(listener_options), &status);
  if (!listener) return uvError(status, "listen " + formatSockaddr(addr));
  listener_ = *listener;
  listener_open_ = true;
  address_ = listener_->boundAddress();
  httpLog().info("listening server={} address={}", options_.name, address_);
  return address_;
}

HttpConnection* HttpServer::Impl::oldestIdle() const {
  HttpConnection* oldest = nullptr;
  for (HttpConnection* connection : connections_) {
    if (connection->idle() && (oldest == nullptr || connection->idleSince() < oldest->idleSince())) oldest = connection;
  }
  return oldest;
}

// The listener asks for the handle first, so every connection (even a refused one) is an
// HttpConnection in connections_ until its close callback: close() waits for it.
uv_tcp_t* HttpServer::Impl::newClient() {
  auto* connection = new HttpConnection(*this, ++next_connection_id_);
  (void)connection->init();  // uv_tcp_init without a socket yet cannot fail for a valid loop
  connections_.insert(connection);
  return connection->tcp();
}

std::size_t HttpServer::Impl::liveConnections() const {
  // Closed connections stay in the set until their close callback: count only live ones, and
  // not the one being admitted (not started yet).
  std::size_t live = 0;
  for (HttpConnection* connection : connections_) live += connection->closingOrClosed() || !connection->started() ? 0 : 1;
  return live;
}

bool HttpServer::Impl::makeRoom() {
  // Idle keep-alive connections must not lock newcomers out: the longest idle makes room.
  if (!options_.evict_idle_at_cap) return false;
  HttpConnection* victim = oldestIdle();
  if (victim == nullptr) return false;
  ++stats_.connections_evicted;
  httpLog().info("idle connection evicted server={} reason=max_connections limit={}", options_.name,
                 options_.max_connections);
  victim->close();
  return true;
}

void HttpServer::Impl::accepted(uv_tcp_t* client) {
  auto* connection = static_cast<HttpConnection*>(client->data);
  if (closing_) {
    connection->close();
    return;
  }
  ++stats_.connections_accepted;
  ++stats_.connections_active;
  connection->start();
}

void HttpServer::Impl::refused(uv_tcp_t* client, Refusal) {
  // An extra connection over max_connections: accepted (so it leaves the backlog) and closed.
  static_cast<HttpConnection*>(client->data)->close();
  ++stats_.connections_refused;
  httpLog().warn("connection refused server={} reason=max_connections limit={}", options_.name,
                 options_.max_connections);
}

void HttpServer::Impl::acceptFailed(uv_tcp_t* client, int) { static_cast<HttpConnection*>(client->data)->close(); }

void HttpServer::Impl::onConnectionClosed(HttpConnection* connection) {
  connections_.erase(connection);
  if (connection->started()) --stats_.connections_active;
  delete connection;
  maybeFinished();
}

void HttpServer::Impl::onListenerClosed() {
  listener_open_ = false;
  maybeFinished();
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
  if (listener_ != nullptr) {
    listener_->close([this] { onListenerClosed(); });
    listener_ = nullptr;
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

#include "net/tcp_listener.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "net/address.h"
#include "net/fd_reserve.h"
#include "net/uv_error.h"

namespace faultline {

namespace {
constexpr int kBacklog = 511;
}  // namespace

TcpListener::TcpListener(TcpAcceptor& owner, TcpListenerOptions options)
    : owner_(&owner), options_(std::move(options)) {}

Result<TcpListener*> TcpListener::open(uv_loop_t* loop, const sockaddr* address, TcpAcceptor& owner,
                                       TcpListenerOptions options, int* failed_status) {
  auto* listener = new TcpListener(owner, std::move(options));
  uv_tcp_init(loop, &listener->tcp_);  // AF_UNSPEC: no socket yet, cannot fail for a valid loop
  listener->tcp_.data = listener;
  auto fail = [&](int rc, Error error) -> Result<TcpListener*> {
    if (failed_status != nullptr) *failed_status = rc;
    listener->close();
    return error;
  };
  int rc = uv_tcp_bind(&listener->tcp_, address, 0);
  // libuv may report EADDRINUSE from bind only when listen() is called.
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener->tcp_), kBacklog, &TcpListener::onConnection);
  if (rc < 0) return fail(rc, Error::io("listen tcp " + formatSockaddr(address) + ": bind: " + uvErrorSentence(rc)));
  sockaddr_storage bound{};
  int length = sizeof bound;
  if (rc = uv_tcp_getsockname(&listener->tcp_, reinterpret_cast<sockaddr*>(&bound), &length); rc < 0) {
    return fail(rc, uvError(rc, "getsockname " + formatSockaddr(address)));
  }
  listener->bound_ = formatSockaddr(reinterpret_cast<sockaddr*>(&bound));
  return listener;
}

void TcpListener::close(std::function<void()> on_closed) {
  if (closing_) return;
  closing_ = true;
  owner_ = nullptr;
  on_closed_ = std::move(on_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &TcpListener::onClosed);
}

spdlog::logger& TcpListener::log() const {
  return options_.log != nullptr ? *options_.log : *spdlog::default_logger_raw();
}

void TcpListener::onConnection(uv_stream_t* server, int status) noexcept {
  auto* self = static_cast<TcpListener*>(server->data);
  if (self->closing_ || self->owner_ == nullptr) return;
  if (status < 0) {
    // EMFILE/ENFILE: libuv already accepted and dropped the connection with its reserve fd, so
    // the loop does not spin; existing connections keep flowing.
    self->log().warn("accept failed {} listen={} error={}", self->options_.label, self->bound_,
                     uvErrorText(status));
    return;
  }
  self->acceptOne();
}

void TcpListener::acceptOne() {
  TcpAcceptor& owner = *owner_;
  uv_tcp_t* client = owner.newClient();
  if (int rc = uv_accept(reinterpret_cast<uv_stream_t*>(&tcp_), reinterpret_cast<uv_stream_t*>(client)); rc < 0) {
    log().warn("accept failed {} listen={} error={}", options_.label, bound_, uvErrorText(rc));
    owner.acceptFailed(client, rc);
    return;
  }
  // The reserve is checked with the client's descriptor already taken, so "free" means free for
  // its upstream and for the control API.
  if (options_.fd_reserve && !options_.fd_reserve->ensure()) {
    owner.refused(client, TcpAcceptor::Refusal::kFdReserve);
    return;
  }
  if (options_.max_connections > 0 && owner.liveConnections() >= options_.max_connections &&
      !(owner.makeRoom() && owner.liveConnections() < options_.max_connections)) {
    owner.refused(client, TcpAcceptor::Refusal::kMaxConnections);
    return;
  }
  owner.accepted(client);
}

void TcpListener::onClosed(uv_handle_t* handle) noexcept {
  auto* self = static_cast<TcpListener*>(handle->data);
  auto on_closed = std::move(self->on_closed_);
  delete self;
  if (on_closed) on_closed();
}

}  // namespace faultline

#include "proxy/session.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include "net/original_destination.h"
#include "proxy/buffer_budget.h"

namespace faultline {

namespace {

constexpr Millis kDrainTimeout{5'000};

const char* reasonName(Session::CloseReason reason) {
  switch (reason) {
    case Session::CloseReason::kDone: return "done";
    case Session::CloseReason::kClientReset: return "client_reset";
    case Session::CloseReason::kUpstreamReset: return "upstream_reset";
    case Session::CloseReason::kUpstreamFailed: return "upstream_failed";
    case Session::CloseReason::kToxic: return "toxic";
    case Session::CloseReason::kProxyStopped: return "proxy_stopped";
    case Session::CloseReason::kError: return "error";
  }
  return "unknown";
}

std::string peerName(uv_tcp_t* tcp) {
  sockaddr_storage address{};
  int len = sizeof address;
  if (uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&address), &len) != 0) return "?";
  return formatSockaddr(reinterpret_cast<sockaddr*>(&address));
}

}  // namespace

Session::Session(SessionEnv env, uint64_t id, SessionOwner* owner)
    : env_(std::move(env)), id_(id), owner_(owner), up_(*this, Stream::kUpstream), down_(*this, Stream::kDownstream) {
  uv_tcp_init(env_.loop, &client_);
  uv_tcp_init(env_.loop, &upstream_);
  uv_timer_init(env_.loop, &timer_);
  client_.data = this;
  upstream_.data = this;
  timer_.data = this;
  up_.init(env_.loop, reinterpret_cast<uv_stream_t*>(&client_), reinterpret_cast<uv_stream_t*>(&upstream_),
           &Session::onReadCb, env_.link_cap_bytes, env_.budget.get());
  down_.init(env_.loop, reinterpret_cast<uv_stream_t*>(&upstream_), reinterpret_cast<uv_stream_t*>(&client_),
             &Session::onReadCb, env_.link_cap_bytes, env_.budget.get());
  open_handles_ = 5;
  ++env_.stats->connections_accepted;
  ++env_.stats->connections_active;
}

Session::~Session() = default;

void Session::start() {
  peer_ = peerName(&client_);
  spdlog::debug("session accepted proxy={} conn={} client={}", env_.proxy_name, id_, peer_);
  uv_timer_start(&timer_, &Session::onTimer, static_cast<uint64_t>(env_.connect_timeout.count()), 0);
  if (isOriginalDestination(env_.upstream)) {
    uv_os_fd_t fd = -1;
    uv_fileno(reinterpret_cast<uv_handle_t*>(&client_), &fd);
    auto original = originalDestination(fd);
    if (!original) {
      ++env_.stats->upstream_connect_failures;
      close(CloseReason::kUpstreamFailed, CloseMode::kGraceful, original.error().message);
      return;
    }
    spdlog::debug("session original destination proxy={} conn={} upstream={}", env_.proxy_name, id_,
                  formatSockaddr(reinterpret_cast<const sockaddr*>(&*original)));
    connectUpstream(reinterpret_cast<const sockaddr*>(&*original));
    return;
  }
  if (auto numeric = numericSockaddr(env_.upstream)) {
    connectUpstream(reinterpret_cast<const sockaddr*>(&*numeric));
    return;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  resolve_req_.data = this;
  const std::string port = std::to_string(env_.upstream.port);
  if (int rc = uv_getaddrinfo(env_.loop, &resolve_req_, &Session::onResolved, env_.upstream.host.c_str(), port.c_str(),
                              &hints);
      rc < 0) {
    ++env_.stats->upstream_connect_failures;
    close(CloseReason::kUpstreamFailed, CloseMode::kGraceful,
          "resolve " + env_.upstream.toString() + ": " + uv_strerror(rc));
    return;
  }
  resolving_ = true;
}

void Session::onResolved(uv_getaddrinfo_t* req, int status, addrinfo* res) noexcept {
  auto* self = static_cast<Session*>(req->data);
  self->resolving_ = false;
  if (self->closing_) {
    uv_freeaddrinfo(res);
    self->onHandleClosed();  // may be the last thing the session waited for
    return;
  }
  if (status < 0 || res == nullptr) {
    ++self->env_.stats->upstream_connect_failures;
    self->close(CloseReason::kUpstreamFailed, CloseMode::kGraceful,
                "resolve " + self->env_.upstream.host + ": " + uv_strerror(status));
    uv_freeaddrinfo(res);
    return;
  }
  self->connectUpstream(res->ai_addr);
  uv_freeaddrinfo(res);
}

void Session::connectUpstream(const sockaddr* address) {
  connect_req_.data = this;
  if (int rc = uv_tcp_connect(&connect_req_, &upstream_, address, &Session::onConnect); rc < 0) {
    ++env_.stats->upstream_connect_failures;
    close(CloseReason::kUpstreamFailed, CloseMode::kGraceful,
          "connect " + env_.upstream.toString() + ": " + uv_err_name(rc) + " (" + uv_strerror(rc) + ")");
  }
}

void Session::onConnect(uv_connect_t* req, int status) noexcept {
  static_cast<Session*>(req->data)->onConnected(status);
}

void Session::onConnected(int status) {
  if (status == UV_ECANCELED || closing_) return;
  if (status < 0) {
    ++env_.stats->upstream_connect_failures;
    close(CloseReason::kUpstreamFailed, CloseMode::kGraceful,
          "connect " + env_.upstream.toString() + ": " + uv_err_name(status) + " (" + uv_strerror(status) + ")");
    return;
  }
  connected_ = true;
  uv_timer_stop(&timer_);
  uv_tcp_nodelay(&client_, 1);
  uv_tcp_nodelay(&upstream_, 1);
  std::vector<ToxicSpecPtr> none;
  up_.start(owner_ != nullptr ? owner_->toxicsFor(Stream::kUpstream) : none);
  if (closing_) return;  // a toxic may end the session as it attaches
  down_.start(owner_ != nullptr ? owner_->toxicsFor(Stream::kDownstream) : none);
  if (closing_) return;
  up_.startReading();
  if (!closing_) down_.startReading();
}

void Session::setToxics(const std::vector<ToxicSpecPtr>& upstream, const std::vector<ToxicSpecPtr>& downstream) {
  if (!connected_ || closing_) return;
  up_.setToxics(upstream);
  if (!closing_) down_.setToxics(downstream);
}

void Session::onReadCb(uv_stream_t* stream, ssize_t nread, const uv_buf_t*) noexcept {
  auto* self = static_cast<Session*>(stream->data);
  Link& link = stream == reinterpret_cast<uv_stream_t*>(&self->client_) ? self->up_ : self->down_;
  link.onReadResult(nread);
}

void Session::onLinkReadError(Stream stream, int status) {
  if (closing_) return;
  // A reset from one peer becomes a reset towards the other, as a real network path would show.
  const bool from_client = stream == Stream::kUpstream;
  if (status == UV_ECONNRESET) {
    close(from_client ? CloseReason::kClientReset : CloseReason::kUpstreamReset, CloseMode::kReset);
  } else {
    close(CloseReason::kError, CloseMode::kReset,
          std::string(from_client ? "client" : "upstream") + " read: " + uv_err_name(status));
  }
}

void Session::onLinkWriteError(Stream stream, int status, const char* what) {
  if (closing_) return;
  // A failed write means the destination peer is gone.
  close(stream == Stream::kUpstream ? CloseReason::kUpstreamReset : CloseReason::kClientReset, CloseMode::kReset,
        std::string(what) + " " + (stream == Stream::kUpstream ? "upstream" : "client") + ": " + uv_err_name(status));
}

void Session::onLinkEnded(Stream) {
  if (closing_) return;
  if (up_.ended() && down_.ended()) close(CloseReason::kDone, CloseMode::kGraceful);
}

void Session::onLinkToxicClose(Stream, CloseMode mode, const std::string& toxic) {
  if (closing_) return;
  spdlog::debug("toxic closes session proxy={} conn={} toxic={} mode={}", env_.proxy_name, id_, toxic,
                mode == CloseMode::kReset ? "reset" : "close");
  close(CloseReason::kToxic, mode, "toxic=" + toxic);
}

Random& Session::linkRandom(Stream, const ToxicSpec&) { return *env_.random; }

void Session::onLinkStageBuilt(Stream, const ToxicSpec& spec, bool applied) {
  if (applied) ++env_.stats->toxics_applied[spec.type];
}

void Session::onLinkRead(Stream stream, std::size_t bytes) {
  if (stream == Stream::kUpstream) {
    env_.stats->bytes_received_upstream += bytes;
  } else {
    env_.stats->bytes_received_downstream += bytes;
  }
}

void Session::onLinkWritten(Stream stream, std::size_t bytes) {
  if (stream == Stream::kUpstream) {
    env_.stats->bytes_sent_upstream += bytes;
    bytes_up_ += bytes;
  } else {
    env_.stats->bytes_sent_downstream += bytes;
    bytes_down_ += bytes;
  }
  // A graceful close waits for queued writes; the last one finishes it.
  if (closing_ && !handles_closing_ && up_.writeQueueBytes() == 0 && down_.writeQueueBytes() == 0) {
    closeHandles(CloseMode::kGraceful);
  }
}

void Session::onLinkPaused(Stream) { ++env_.stats->backpressure_pauses; }

void Session::close(CloseReason reason, CloseMode mode, const std::string& detail) {
  if (closing_) {
    if (mode == CloseMode::kReset && !handles_closing_) closeHandles(mode);
    return;
  }
  closing_ = true;
  const bool quiet = reason == CloseReason::kDone || reason == CloseReason::kProxyStopped;
  auto level = reason == CloseReason::kUpstreamFailed ? spdlog::level::warn
               : quiet                                ? spdlog::level::debug
                                                      : spdlog::level::info;
  spdlog::log(level, "session closed proxy={} conn={} client={} up_bytes={} down_bytes={} reason={}{}{}",
              env_.proxy_name, id_, peer_, bytes_up_, bytes_down_, reasonName(reason), detail.empty() ? "" : " ",
              detail);
  if (owner_ != nullptr) {
    SessionOwner* owner = owner_;
    owner_ = nullptr;
    owner->onSessionClosed(this);
  }
  up_.haltReading();
  down_.haltReading();
  if (mode == CloseMode::kGraceful && (up_.writeQueueBytes() > 0 || down_.writeQueueBytes() > 0)) {
    // Let what was already handed to the writers reach the peers (limit_data's last bytes),
    // but never wait on a peer that stopped reading for longer than the drain timeout.
    uv_timer_start(&timer_, &Session::onTimer, static_cast<uint64_t>(kDrainTimeout.count()), 0);
    return;
  }
  closeHandles(mode);
}

void Session::onTimer(uv_timer_t* timer) noexcept {
  auto* self = static_cast<Session*>(timer->data);
  if (self->closing_) {
    if (!self->handles_closing_) self->closeHandles(CloseMode::kReset);
    return;
  }
  ++self->env_.stats->upstream_connect_failures;
  self->close(CloseReason::kUpstreamFailed, CloseMode::kGraceful,
              "connect " + self->env_.upstream.toString() + ": timed out after " +
                  std::to_string(self->env_.connect_timeout.count()) + " ms");
}

void Session::closeHandles(CloseMode mode) {
  if (handles_closing_) return;
  handles_closing_ = true;
  if (resolving_) uv_cancel(reinterpret_cast<uv_req_t*>(&resolve_req_));
  if (mode == CloseMode::kReset) {
    // SO_LINGER with a zero timeout makes close() send RST instead of FIN. Unlike
    // uv_tcp_close_reset it also works on a socket whose write side was already shut down.
    for (uv_tcp_t* tcp : {&client_, &upstream_}) {
      uv_os_fd_t fd;
      if (uv_fileno(reinterpret_cast<uv_handle_t*>(tcp), &fd) == 0) {
        linger lin{1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, sizeof lin);
      }
    }
  }
  up_.close();
  down_.close();
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &Session::onClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&client_), &Session::onClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&upstream_), &Session::onClosed);
}

void Session::onLinkClosed(Stream) {
  --open_handles_;
  onHandleClosed();
}

void Session::onClosed(uv_handle_t* handle) noexcept {
  auto* self = static_cast<Session*>(handle->data);
  --self->open_handles_;
  self->onHandleClosed();
}

// Memory is released only here, once every handle has closed and no request can call back.
void Session::onHandleClosed() {
  if (open_handles_ > 0 || resolving_) return;
  --env_.stats->connections_active;
  delete this;
}

}  // namespace faultline

#include "proxy/session.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <sys/socket.h>

#include "events/event_bus.h"
#include "events/fault_events.h"
#include "net/original_destination.h"
#include "net/uv_error.h"
#include "proxy/buffer_budget.h"
#include "toxics/http/http_layer_stage.h"
#include "toxics/toxic_registry.h"

namespace faultline {

namespace {

constexpr Millis kDrainTimeout{5'000};

std::vector<ToxicSpecPtr> byteToxics(const std::vector<ToxicSpecPtr>& all) {
  std::vector<ToxicSpecPtr> out;
  out.reserve(all.size());
  for (const auto& spec : all) {
    if (spec && !isHttpToxicType(spec->type)) out.push_back(spec);
  }
  return out;
}

const char* reasonName(Session::CloseReason reason) {
  switch (reason) {
    case Session::CloseReason::kDone: return "done";
    case Session::CloseReason::kClientReset: return "client_reset";
    case Session::CloseReason::kUpstreamReset: return "upstream_reset";
    case Session::CloseReason::kUpstreamFailed: return "upstream_failed";
    case Session::CloseReason::kToxic: return "toxic";
    case Session::CloseReason::kProxyStopped: return "proxy_stopped";
    case Session::CloseReason::kError: return "error";
    case Session::CloseReason::kKilled: return "killed";
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
  client_.data = this;
  upstream_.data = this;
  up_.init(env_.loop, reinterpret_cast<uv_stream_t*>(&client_), reinterpret_cast<uv_stream_t*>(&upstream_),
           &Session::onReadCb, env_.link_cap_bytes, env_.budget.get());
  down_.init(env_.loop, reinterpret_cast<uv_stream_t*>(&upstream_), reinterpret_cast<uv_stream_t*>(&client_),
             &Session::onReadCb, env_.link_cap_bytes, env_.budget.get());
  open_handles_ = 4;  // the TCP handles and the two links
  ++env_.stats->connections_accepted;
  ++env_.stats->connections_active;
}

Session::~Session() = default;

void Session::start() {
  peer_ = peerName(&client_);
  opened_at_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
  sockaddr_storage peer{};
  int peer_len = sizeof peer;
  if (uv_tcp_getpeername(&client_, reinterpret_cast<sockaddr*>(&peer), &peer_len) == 0 &&
      (peer.ss_family == AF_INET || peer.ss_family == AF_INET6)) {
    std::memcpy(&peer_address_, &peer, std::min<std::size_t>(static_cast<std::size_t>(peer_len), sizeof peer_address_));
  }
  spdlog::debug("session accepted proxy={} conn={} client={}", env_.proxy_name, id_, peer_);
  // The dial borrows the upstream link's timer queue for its deadline: no handle of its own.
  dialer_ = std::make_unique<Dialer>();
  dialer_->setOnResolveSettled([this] { onHandleClosed(); });
  HostPort target = env_.upstream;
  if (isOriginalDestination(target)) {  // transparent mode: where the client was going
    uv_os_fd_t fd = -1;
    uv_fileno(reinterpret_cast<uv_handle_t*>(&client_), &fd);
    auto original = originalDestination(fd);
    if (!original) {
      ++env_.stats->upstream_connect_failures;
      close(CloseReason::kUpstreamFailed, CloseMode::kGraceful, original.error().message);
      return;
    }
    target = *original;
    spdlog::debug("session original destination proxy={} conn={} upstream={}", env_.proxy_name, id_, target.toString());
  }
  dialer_->start(
      env_.loop, &upstream_, target, [this](const Dialer::Outcome& outcome) { onDialed(outcome); },
      &up_.timerQueue(), env_.connect_timeout);
}

void Session::onDialed(const Dialer::Outcome& outcome) {
  if (closing_) return;
  if (outcome.status != 0) {
    ++env_.stats->upstream_connect_failures;
    std::string detail;
    switch (outcome.stage) {
      case Dialer::Stage::kResolve:
        detail = "resolve " + env_.upstream.toString() + ": " + uvErrorText(outcome.status);
        break;
      case Dialer::Stage::kTimeout:
        detail = "connect " + env_.upstream.toString() + ": timed out after " +
                 std::to_string(env_.connect_timeout.count()) + " ms";
        break;
      case Dialer::Stage::kConnect:
        detail = "connect " + env_.upstream.toString() + ": " + uvErrorText(outcome.status);
        break;
    }
    close(CloseReason::kUpstreamFailed, CloseMode::kGraceful, detail);
    return;
  }
  connected_ = true;
  // The dial is over (the dialer's callback is its last act, and no resolve is outstanding
  // once connected): free it, and the deadline's timer handle with it.
  dialer_.reset();
  up_.timerQueue().releaseIfIdle();
  if (env_.events) {
    env_.events->publish("connection_opened", env_.proxy_name,
                         {{"conn", id_}, {"client", peer_}, {"upstream", env_.upstream.toString()}});
  }
  uv_tcp_nodelay(&client_, 1);
  uv_tcp_nodelay(&upstream_, 1);
  std::vector<ToxicSpecPtr> none;
  const auto up_toxics = owner_ != nullptr ? forThisClient(owner_->toxicsFor(Stream::kUpstream)) : none;
  const auto down_toxics = owner_ != nullptr ? forThisClient(owner_->toxicsFor(Stream::kDownstream)) : none;
  up_.start(byteToxics(up_toxics));
  if (closing_) return;  // a toxic may end the session as it attaches
  down_.start(byteToxics(down_toxics));
  if (closing_) return;
  applyHttpToxics(up_toxics, down_toxics);
  if (closing_) return;
  up_.startReading();
  if (!closing_) down_.startReading();
}

void Session::setToxics(const std::vector<ToxicSpecPtr>& upstream, const std::vector<ToxicSpecPtr>& downstream) {
  if (!connected_ || closing_) return;
  const auto up = forThisClient(upstream);
  const auto down = forThisClient(downstream);
  up_.setToxics(byteToxics(up));
  if (!closing_) down_.setToxics(byteToxics(down));
  if (!closing_) applyHttpToxics(up, down);
}

void Session::setHttpRequestFaults(bool on) {
  env_.http_request_faults = on;
  // Not connected yet: onDialed reads the new value when it builds the chains.
  if (!connected_ || closing_) return;
  if (http_ != nullptr) {
    http_->setClientFaults(on);
    return;
  }
  // Switching on for a session without HTTP layer: make one now (it frames from the next chunk,
  // as for an http_* toxic added live). Switching off without a layer changes nothing.
  if (on && owner_ != nullptr) {
    applyHttpToxics(forThisClient(owner_->toxicsFor(Stream::kUpstream)), forThisClient(owner_->toxicsFor(Stream::kDownstream)));
  }
}

std::vector<ToxicSpecPtr> Session::forThisClient(const std::vector<ToxicSpecPtr>& toxics) const {
  std::vector<ToxicSpecPtr> out;
  out.reserve(toxics.size());
  for (const auto& toxic : toxics) {
    // attributes.client: a toxic for some clients only; this one's address decides, once per
    // change, never per chunk.
    if (toxic->client && !toxic->client->contains(reinterpret_cast<const sockaddr*>(&peer_address_))) continue;
    out.push_back(toxic);
  }
  return out;
}

// The http_* toxics of both streams go to the session's HTTP layer (their stream is accepted
// and ignored); the layer is made, and put at the head of both chains, the first time there is
// one, so a session of a proxy without HTTP toxics never parses a byte. Once made it stays:
// removing the last HTTP toxic lets held messages go on and leaves a framer that changes nothing.
void Session::applyHttpToxics(const std::vector<ToxicSpecPtr>& upstream, const std::vector<ToxicSpecPtr>& downstream) {
  std::vector<ToxicSpecPtr> http;
  for (const auto* list : {&upstream, &downstream}) {
    for (const auto& spec : *list) {
      if (spec && isHttpToxicType(spec->type)) http.push_back(spec);
    }
  }
  // Each http toxic's toxicity roll comes from its own derived generator, like a byte toxic's.
  const auto roll_for = [this](const ToxicSpec& spec) -> Random& { return linkRollRandom(spec.stream, spec); };
  if (http_ != nullptr) {
    http_->setToxics(http, roll_for);
    return;
  }
  if (http.empty() && !env_.http_request_faults) return;
  HttpExchangeLayer::Options options;
  options.proxy = env_.proxy_name;
  options.connection = id_;
  options.client_faults = env_.http_request_faults;
  options.late_start = bytes_up_ > 0 || bytes_down_ > 0;
  options.stats = std::shared_ptr<HttpLayerStats>(env_.stats, &env_.stats->http);
  if (env_.events) {
    options.on_fault = [events = env_.events, proxy = env_.proxy_name, conn = id_](const HttpHead& head,
                                                                                  const HttpPlan& plan) {
      publishHttpFaults(*events, proxy, conn, head, plan);
    };
  }
  http_ = std::make_shared<HttpExchangeLayer>(std::move(options));
  http_->setToxics(http, roll_for);
  static const ToxicSpecPtr kLayerSpec = [] {
    auto spec = std::make_shared<ToxicSpec>();
    spec->name = "http";
    spec->type = "http_layer";
    return spec;
  }();
  up_.chain().addHeadStage(kLayerSpec, std::make_unique<HttpLayerStage>(http_, HttpLayerStage::Side::kRequests));
  if (!closing_) {
    down_.chain().addHeadStage(kLayerSpec, std::make_unique<HttpLayerStage>(http_, HttpLayerStage::Side::kResponses));
  }
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
          std::string(from_client ? "client" : "upstream") + " read: " + uvErrorText(status));
  }
}

void Session::onLinkWriteError(Stream stream, int status, const char* what) {
  if (closing_) return;
  // A failed write means the destination peer is gone.
  close(stream == Stream::kUpstream ? CloseReason::kUpstreamReset : CloseReason::kClientReset, CloseMode::kReset,
        std::string(what) + " " + (stream == Stream::kUpstream ? "upstream" : "client") + ": " + uvErrorText(status));
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

RandomKey Session::randomKey(Stream stream, const ToxicSpec& spec, uint32_t purpose) const {
  RandomKey key{env_.seed, env_.proxy_name, env_.connection_ordinal, stream == Stream::kUpstream ? 0u : 1u, spec.name, 0};
  key.purpose = purpose;
  return key;
}

ToxicCounters* Session::linkCounters(const ToxicSpec& spec) {
  ToxicCounters& counters = env_.stats->toxic_counters[spec.name];
  if (counters.type != spec.type) {  // a new toxic under a name used before starts from zero
    counters = ToxicCounters{};
    counters.type = spec.type;
  }
  return &counters;
}

Random& Session::linkRandom(Stream stream, const ToxicSpec& spec) {
  auto key = std::make_pair(stream, spec.name);
  auto it = randoms_.find(key);
  if (it == randoms_.end()) it = randoms_.emplace(key, Random(randomKey(stream, spec, kRandomDraws))).first;
  return it->second;
}

Random& Session::linkRollRandom(Stream stream, const ToxicSpec& spec) {
  roll_random_ = std::make_unique<Random>(randomKey(stream, spec, kRandomRoll));
  return *roll_random_;
}

void Session::onLinkStageBuilt(Stream stream, const ToxicSpec& spec, bool applied) {
  if (applied) ++env_.stats->toxics_applied[spec.type];
  // Bounded: a scheduled toxic is rebuilt at every activation (with the same outcome).
  if (decisions_.size() < 64) decisions_.push_back({spec.name, stream, applied});
  spdlog::debug("toxicity roll proxy={} conn={} conn_ordinal={} toxic={} stream={} toxicity={} applied={}",
                env_.proxy_name, id_, env_.connection_ordinal, spec.name, streamName(stream), spec.toxicity, applied);
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
  if (reason == CloseReason::kUpstreamFailed) mode = env_.on_upstream_error;
  if (closing_) {
    if (mode == CloseMode::kReset && !handles_closing_) closeHandles(mode);
    return;
  }
  closing_ = true;
  if (env_.events) {
    env_.events->publish("connection_closed", env_.proxy_name,
                         {{"conn", id_}, {"client", peer_}, {"reason", reasonName(reason)}, {"detail", detail},
                          {"bytes", {{"upstream", bytes_up_}, {"downstream", bytes_down_}}}});
  }
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
    up_.timerQueue().after(kDrainTimeout, [this] {
      if (!handles_closing_) closeHandles(CloseMode::kReset);
    });
    return;
  }
  closeHandles(mode);
}

void Session::closeHandles(CloseMode mode) {
  if (handles_closing_) return;
  handles_closing_ = true;
  if (dialer_) dialer_->cancel();
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
  if (open_handles_ > 0 || (dialer_ && dialer_->resolving())) return;
  --env_.stats->connections_active;
  delete this;
}

}  // namespace faultline

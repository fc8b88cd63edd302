#include "proxy/proxy.h"

#include "events/event_bus.h"
#include "events/fault_events.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "net/connect_blackhole.h"
#include "net/fd_reserve.h"
#include "net/uv_error.h"
#include "proxy/toxic_scheduler.h"

namespace faultline {

Proxy::Proxy(ProxyEnv env, std::string name, HostPort listen, HostPort upstream)
    : env_(env), name_(std::move(name)), listen_(std::move(listen)), upstream_(std::move(upstream)) {}

Proxy::~Proxy() {
  stop();
  if (scheduler_ != nullptr) scheduler_->close();
}

Status Proxy::start() { return connectTimeoutWanted() ? holdConnects() : openListener(); }

Result<TcpListener*> Proxy::listenOn(const HostPort& address) {
  // Listen hosts are IP literals or localhost (ProxySpec's rule): never a DNS lookup on the loop.
  auto storage = numericSockaddr(address);
  if (!storage) {
    return Error::invalid("cannot listen on '" + address.toString() +
                          "'; expected a numeric IP address or localhost, e.g. 127.0.0.1:22220");
  }
  TcpListenerOptions options;
  options.label = "proxy=" + name_;
  options.max_connections = env_.max_connections;
  options.fd_reserve = env_.fd_reserve;
  return TcpListener::open(env_.loop, reinterpret_cast<const sockaddr*>(&*storage), *this, std::move(options));
}

Status Proxy::openListener() {
  if (listener_ != nullptr) return {};
  auto listener = listenOn(listen_);
  if (!listener) {
    spdlog::warn("proxy listen failed proxy={} listen={} error=\"{}\"", name_, listen_.toString(),
                 listener.error().message);
    return listener.error();
  }
  listener_ = *listener;
  // Port 0 becomes the real port, kept across disable/enable (Toxiproxy does the same).
  if (auto bound = parseHostPort(listener_->boundAddress())) listen_.port = bound->port;
  enabled_ = true;
  spdlog::info("proxy started proxy={} listen={} upstream={}", name_, listenString(), upstream_.toString());
  return {};
}

void Proxy::stop() {
  closeListener();
  closeSessions();
}

void Proxy::closeListener() {
  if (blackhole_) {
    blackhole_.reset();
    spdlog::info("proxy stopped holding connects proxy={} listen={}", name_, listenString());
  }
  if (listener_ == nullptr) return;
  listener_->close();
  listener_ = nullptr;
  spdlog::info("proxy stopped listening proxy={} listen={}", name_, listenString());
}

void Proxy::closeSessions() {
  auto sessions = std::move(sessions_);
  sessions_.clear();
  for (Session* session : sessions) {
    session->detach();
    session->close(Session::CloseReason::kProxyStopped, CloseMode::kGraceful);
  }
}

Status Proxy::setEnabled(bool enabled) {
  if (enabled == enabled_ && (enabled == (listener_ != nullptr || blackhole_ != nullptr))) return {};
  if (!enabled) {
    stop();
    enabled_ = false;
    return {};
  }
  return start();
}

Status Proxy::setListen(const HostPort& listen) { return moveTo(listen, enabled_); }

Status Proxy::moveTo(const HostPort& listen, bool enabled) {
  if (!enabled) {
    stop();
    enabled_ = false;
    listen_ = listen;
    return {};
  }
  // An equivalent address (localhost vs 127.0.0.1, port 0 vs the bound port) keeps the listener
  // and its live sessions.
  if (listener_ != nullptr && listenSatisfiedBy(listen, listen_)) return {};
  if (listener_ == nullptr) {
    HostPort previous = listen_;
    listen_ = listen;
    if (auto status = start(); !status) {
      listen_ = previous;
      return status;
    }
    return {};
  }
  // Bind the new address before letting go of the old one, so a refused move changes nothing.
  auto fresh = listenOn(listen);
  if (!fresh && collides(listen, listen_)) {
    // The new address overlaps the old one (127.0.0.1:P -> 0.0.0.0:P): only possible after closing.
    HostPort previous = listen_;
    stop();
    listen_ = listen;
    if (auto status = start(); !status) {
      listen_ = previous;
      (void)start();
      return status;
    }
    return {};
  }
  if (!fresh) {
    spdlog::warn("proxy listen failed proxy={} listen={} error=\"{}\"", name_, listen.toString(), fresh.error().message);
    return fresh.error();
  }
  stop();
  listener_ = *fresh;
  listen_ = listen;
  if (auto bound = parseHostPort(listener_->boundAddress())) listen_.port = bound->port;
  enabled_ = true;
  spdlog::info("proxy started proxy={} listen={} upstream={}", name_, listenString(), upstream_.toString());
  return {};
}

void Proxy::setUpstream(const HostPort& upstream) {
  // New connections dial the new upstream; live ones keep theirs (a session is one pair).
  upstream_ = upstream;
}

std::string Proxy::listenString() const { return listen_.toString(); }

ProxyInfo Proxy::info() const {
  ProxyInfo info;
  info.name = name_;
  info.listen = listener_ != nullptr ? listener_->boundAddress() : listenString();
  info.upstream = upstream_.toString();
  info.enabled = enabled_;
  info.reset_on_upstream_error = on_upstream_error_ == CloseMode::kReset;
  info.http_request_faults = http_request_faults_;
  for (Stream stream : {Stream::kUpstream, Stream::kDownstream}) {
    for (const auto& toxic : toxics_) {
      if (toxic->stream == stream) info.toxics.push_back(toxic);
    }
  }
  info.stats = stats_;
  for (const auto& toxic : toxics_) {
    if (auto status = scheduleStatus(toxic->name)) info.schedules[toxic->name] = *status;
  }
  return info;
}

ToxicSpecPtr Proxy::findToxic(const std::string& name) const {
  for (const auto& toxic : toxics_) {
    if (toxic->name == name) return toxic;
  }
  return nullptr;
}

void Proxy::setToxicList(std::vector<ToxicSpecPtr> toxics) {
  toxics_ = std::move(toxics);
  trackSchedules();
  pushToxicsToSessions();
}

void Proxy::pushToxicsToSessions() {
  // The listener follows the (scheduled) toxic list too: connect_timeout acts there.
  syncConnectTimeout();
  const auto up = toxicsFor(Stream::kUpstream);
  const auto down = toxicsFor(Stream::kDownstream);
  // Copy: a toxic may close its session while attaching, which erases it from sessions_.
  std::vector<Session*> sessions(sessions_.begin(), sessions_.end());
  for (Session* session : sessions) {
    if (sessions_.count(session) != 0) session->setToxics(up, down);
  }
}

std::vector<ToxicSpecPtr> Proxy::toxicsFor(Stream stream) const {
  std::vector<ToxicSpecPtr> out;
  for (const auto& toxic : toxics_) {
    if (toxic->stream != stream) continue;
    if (scheduler_ != nullptr && !scheduler_->active(toxic->name)) continue;
    out.push_back(toxic);
  }
  return out;
}

void Proxy::trackSchedules() {
  if (scheduler_ == nullptr) {
    const bool any = std::any_of(toxics_.begin(), toxics_.end(), [](const ToxicSpecPtr& t) { return t->schedule; });
    if (!any) return;
    ToxicScheduler::Hooks hooks;
    hooks.reapply = [this] { pushToxicsToSessions(); };
    hooks.expire = [this](const std::vector<std::string>& names) { removeExpired(names); };
    if (env_.events) {
      hooks.changed = [events = env_.events, name = name_](const std::string& toxic, bool active,
                                                           std::optional<Millis> next) {
        publishScheduleChange(*events, name, toxic, active, next);
      };
    }
    scheduler_ = ToxicScheduler::open(env_.loop, name_, stats_, std::move(hooks));
  }
  scheduler_->track(toxics_);
}

void Proxy::removeExpired(const std::vector<std::string>& names) {
  auto toxics = toxics_;
  std::erase_if(toxics, [&](const ToxicSpecPtr& t) {
    return std::find(names.begin(), names.end(), t->name) != names.end();
  });
  setToxicList(std::move(toxics));
  if (env_.events) {
    for (const auto& name : names) env_.events->publish("toxic_removed", name_, {{"name", name}, {"reason", "schedule_ended"}});
  }
}

std::optional<ScheduleStatus> Proxy::scheduleStatus(const std::string& toxic) const {
  if (scheduler_ == nullptr) return std::nullopt;
  return scheduler_->status(toxic);
}

std::size_t Proxy::bufferedBytes() const {
  std::size_t total = 0;
  for (const Session* session : sessions_) total += session->bufferedBytes();
  return total;
}

bool Proxy::connectTimeoutWanted() const {
  for (const auto& toxic : toxics_) {
    if (toxic->type != "connect_timeout") continue;
    if (scheduler_ != nullptr && !scheduler_->active(toxic->name)) continue;
    return true;
  }
  return false;
}

Status Proxy::holdConnects() {
  if (blackhole_) return {};
  // The listener's socket is closed at once by uv_close, so the address is free for the
  // blackhole; a connect in between is refused, never half-accepted.
  if (listener_ != nullptr) {
    listener_->close();
    listener_ = nullptr;
  }
  auto address = numericSockaddr(listen_);
  if (!address) return Error::invalid("connect_timeout: listen address " + listen_.toString() + " is not numeric");
  auto hole = ConnectBlackhole::open(reinterpret_cast<const sockaddr*>(&*address));
  if (!hole) {
    spdlog::warn("connect_timeout failed proxy={} listen={} error=\"{}\"", name_, listen_.toString(),
                 hole.error().message);
    (void)openListener();
    return hole.error();
  }
  blackhole_ = std::move(*hole);
  if (auto bound = parseHostPort(blackhole_->boundAddress())) listen_.port = bound->port;
  enabled_ = true;
  spdlog::info("proxy holding connects proxy={} listen={} toxic=connect_timeout", name_, listenString());
  return {};
}

void Proxy::syncConnectTimeout() {
  // A disabled proxy answers nothing anyway; enabling it later calls start(), which looks again.
  if (!enabled_ || (listener_ == nullptr && !blackhole_)) return;
  const bool wanted = connectTimeoutWanted();
  if (wanted == (blackhole_ != nullptr)) return;
  if (wanted) {
    (void)holdConnects();
    return;
  }
  blackhole_.reset();
  if (auto status = openListener(); !status) {
    spdlog::warn("proxy could not listen again after connect_timeout proxy={} error=\"{}\"", name_,
                 status.error().message);
  }
}

void Proxy::onSessionClosed(Session* session) { sessions_.erase(session); }

uv_tcp_t* Proxy::newClient() {
  SessionEnv env;
  env.loop = env_.loop;
  env.proxy_name = name_;
  env.upstream = upstream_;
  env.link_cap_bytes = env_.link_cap_bytes;
  env.connect_timeout = env_.connect_timeout;
  env.budget = env_.budget;
  env.events = env_.events;
  env.stats = stats_;
  env.seed = env_.seed;
  env.connection_ordinal = ++connection_ordinal_;
  env.on_upstream_error = on_upstream_error_;
  env.http_request_faults = http_request_faults_;
  auto* session = new Session(std::move(env), ++*env_.next_session_id, this);
  return session->client();
}

void Proxy::acceptFailed(uv_tcp_t* client, int status) {
  static_cast<Session*>(client->data)
      ->close(Session::CloseReason::kError, CloseMode::kGraceful, "accept: " + uvErrorText(status));
}

void Proxy::refused(uv_tcp_t* client, Refusal why) {
  auto* session = static_cast<Session*>(client->data);
  ++stats_->connections_refused;
  if (why == Refusal::kFdReserve) {
    // At the process fd limit: the held-back descriptors are for the control API, so the way to
    // fix things stays open. Refused until enough descriptors are free again.
    spdlog::warn("connection refused proxy={} reason=fd_reserve", name_);
    session->detach();
    session->close(Session::CloseReason::kError, CloseMode::kReset, "fd_reserve");
    return;
  }
  spdlog::warn("connection refused proxy={} reason=max_connections limit={}", name_, env_.max_connections);
  if (env_.events) {
    env_.events->publish("limit_hit", name_, {{"limit", "max_connections"}, {"value", env_.max_connections}});
  }
  session->detach();
  session->close(Session::CloseReason::kError, CloseMode::kReset, "max_connections");
}

void Proxy::accepted(uv_tcp_t* client) {
  auto* session = static_cast<Session*>(client->data);
  sessions_.insert(session);
  session->start();
}

}  // namespace faultline

#include "proxy/proxy_registry.h"

#include "events/event_bus.h"

#include <spdlog/spdlog.h>
#include <uv.h>

#include <set>

#include "core/sigpipe.h"
#include "proxy/buffer_budget.h"
#include "net/fd_reserve.h"
#include "proxy/proxy.h"
#include "proxy/proxy_reconciler.h"
#include "proxy/proxy_spec.h"

namespace faultline {

namespace {

std::vector<ToxicSpecPtr> toSpecPtrs(const std::vector<ToxicSpec>& toxics, const std::vector<ToxicSpecPtr>& current) {
  std::vector<ToxicSpecPtr> out;
  for (const auto& toxic : toxics) {
    // An unchanged toxic keeps its spec object, so live links keep its stage (and its state).
    ToxicSpecPtr same;
    for (const auto& existing : current) {
      if (*existing == toxic) same = existing;
    }
    out.push_back(same ? same : std::make_shared<const ToxicSpec>(toxic));
  }
  return out;
}

}  // namespace

struct ProxyRegistry::Shared {
  uint64_t next_session_id = 0;
};

ProxyRegistry::ProxyRegistry(uv_loop_s* loop, RegistryOptions options)
    : loop_(loop),
      options_(options),
      budget_(std::make_shared<BufferBudget>(options.global_cap_bytes)),
      events_(std::make_shared<EventBus>()),
      shared_(std::make_unique<Shared>(Shared{0})) {
  ignoreSigpipe();
  if (options_.fd_reserve > 0) fd_reserve_ = std::make_shared<FdReserve>(options_.fd_reserve);
  // Without --seed each process picks one and says which, so any run can be replayed.
  if (options_.seed == 0) {
    std::random_device device;
    options_.seed = (static_cast<uint64_t>(device()) << 32 | device()) | 1;
    spdlog::info("random seed={} chosen (replay this run's toxic decisions with --seed {})", options_.seed, options_.seed);
  } else {
    spdlog::info("random seed={} given", options_.seed);
  }
}

ProxyRegistry::~ProxyRegistry() { closeAll(); }

Proxy* ProxyRegistry::find(const std::string& name) const {
  auto it = proxies_.find(name);
  return it == proxies_.end() ? nullptr : it->second.get();
}

Result<ProxyInfo> ProxyRegistry::create(const ProxyConfig& config) {
  auto spec = buildProxySpec(config);
  if (!spec) return spec.error();
  return create(*spec);
}

Status ProxyRegistry::checkUpstream(const std::string& name, const HostPort& listen, const HostPort& upstream) const {
  // A proxy whose upstream is a listener of this process feeds itself: one byte becomes a
  // connection storm that exhausts every fd in seconds.
  auto loops = [&](const HostPort& own) { return own.port != 0 && collides(upstream, own); };
  if (loops(listen)) {
    return Error::invalid("upstream " + upstream.toString() + " is the proxy's own listen address; expected another address");
  }
  for (const auto& [other_name, proxy] : proxies_) {
    if (other_name == name) continue;
    if (loops(proxy->listen())) {
      return Error::invalid("upstream " + upstream.toString() + " is the listen address of proxy '" + other_name +
                            "' in this process; chaining proxies is refused, point at the real service instead");
    }
  }
  if (options_.control_address && collides(upstream, *options_.control_address)) {
    spdlog::warn("proxy forwards to the control API proxy={} upstream={}", name, upstream.toString());
  }
  return {};
}

Status ProxyRegistry::checkToxicCount(const std::string& name, std::size_t count) const {
  if (options_.max_toxics_per_proxy == 0 || count <= options_.max_toxics_per_proxy) return {};
  ++toxic_limit_hits_;
  events_->publish("limit_hit", name, {{"limit", "max_toxics_per_proxy"}, {"value", options_.max_toxics_per_proxy}});
  return Error::invalid("proxy '" + name + "' would have " + std::to_string(count) + " toxics; at most " +
                        std::to_string(options_.max_toxics_per_proxy) +
                        " are allowed (remove some, or raise faultline serve --max-toxics-per-proxy)");
}

Result<ProxyInfo> ProxyRegistry::create(const ProxySpec& spec) {
  if (find(spec.name) != nullptr) return Error::conflict("proxy already exists");
  if (auto s = checkUpstream(spec.name, spec.listen, spec.upstream); !s) return s.error();
  if (auto s = checkToxicCount(spec.name, spec.toxics.size()); !s) return s.error();
  ProxyEnv env;
  env.loop = loop_;
  env.link_cap_bytes = options_.link_cap_bytes;
  env.max_connections = options_.max_connections;
  env.connect_timeout = options_.connect_timeout;
  env.budget = budget_;
  env.events = events_;
  env.seed = options_.seed;
  env.next_session_id = &shared_->next_session_id;
  env.fd_reserve = fd_reserve_;
  auto proxy = std::make_unique<Proxy>(env, spec.name, spec.listen, spec.upstream);
  proxy->setUpstreamErrorMode(spec.reset_on_upstream_error ? CloseMode::kReset : CloseMode::kGraceful);
  if (spec.enabled) {
    if (auto status = proxy->start(); !status) return status.error();
    // Port 0 is known only now: the bound port may not be the upstream either.
    if (auto s = checkUpstream(spec.name, proxy->listen(), spec.upstream); !s) {
      proxy->stop();
      return s.error();
    }
  } else {
    (void)proxy->setEnabled(false);
  }
  proxy->setHttpRequestFaults(spec.http_request_faults);
  proxy->setToxicList(toSpecPtrs(spec.toxics, {}));
  ProxyInfo info = proxy->info();
  proxies_.emplace(spec.name, std::move(proxy));
  return info;
}

Result<ProxyInfo> ProxyRegistry::get(const std::string& name) const {
  Proxy* proxy = find(name);
  if (proxy == nullptr) return Error::notFound("proxy not found");
  return proxy->info();
}

std::vector<ProxyInfo> ProxyRegistry::list() const {
  std::vector<ProxyInfo> out;
  for (const auto& [name, proxy] : proxies_) out.push_back(proxy->info());
  return out;
}

Result<ProxyInfo> ProxyRegistry::update(const std::string& name, const ProxyPatch& patch) {
  Proxy* proxy = find(name);
  if (proxy == nullptr) return Error::notFound("proxy not found");
  // Everything is validated, and the new listener bound, before anything changes: a PATCH that
  // fails leaves the proxy exactly as it was.
  HostPort listen = proxy->listen();
  HostPort upstream = proxy->upstream();
  if (patch.listen) {
    auto parsed = parseListenAddress(*patch.listen);
    if (!parsed) return Error::invalid("invalid listen address: " + parsed.error().message);
    listen = *parsed;
  }
  if (patch.upstream) {
    auto parsed = parseUpstreamAddress(*patch.upstream);
    if (!parsed) return Error::invalid("invalid upstream address: " + parsed.error().message);
    upstream = *parsed;
  }
  if (auto s = checkUpstream(name, listen, upstream); !s) return s.error();
  std::optional<bool> reset_on_error;
  if (patch.on_upstream_error) {
    auto parsed = parseUpstreamErrorMode(*patch.on_upstream_error);
    if (!parsed) return parsed.error();
    reset_on_error = *parsed;
  }
  const bool enabled = patch.enabled.value_or(proxy->enabled());
  // `enabled: true` also re-binds a proxy whose listener failed earlier (the port is free again).
  if (patch.listen || patch.enabled) {
    if (auto status = proxy->moveTo(listen, enabled); !status) return status.error();
  }
  if (patch.upstream) proxy->setUpstream(upstream);
  if (reset_on_error) proxy->setUpstreamErrorMode(*reset_on_error ? CloseMode::kReset : CloseMode::kGraceful);
  if (patch.http_request_faults) proxy->setHttpRequestFaults(*patch.http_request_faults);
  return proxy->info();
}

Status ProxyRegistry::remove(const std::string& name) {
  auto it = proxies_.find(name);
  if (it == proxies_.end()) return Error::notFound("proxy not found");
  it->second->stop();
  proxies_.erase(it);
  spdlog::info("proxy deleted proxy={}", name);
  return {};
}

ProxyRegistry::PopulateResult ProxyRegistry::populate(const std::vector<ProxyConfig>& configs) {
  PopulateResult result;
  // Every entry is checked before anything changes (as Toxiproxy does); unlike Toxiproxy, a
  // failure later on (a port in use) is rolled back too, so a populate applies all or nothing.
  std::set<std::string> names;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    const std::string where = "proxy " + std::to_string(i + 1);
    auto spec = buildProxySpec(configs[i], where);
    if (!spec) {
      result.error = spec.error();
      return result;
    }
    if (!names.insert(configs[i].name).second) {
      result.error = Error::invalid("duplicate proxy name '" + configs[i].name + "' at " + where);
      return result;
    }
    if (auto s = checkToxicCount(spec->name, spec->toxics.size()); !s) {
      result.error = Error{s.error().code, s.error().message + " at " + where};
      return result;
    }
  }
  ReconcilePlan plan;
  plan.wanted = configs;
  plan.changed = ChangedProxy::kReplace;
  plan.label = "populate";
  plan.locate = [](std::size_t index, bool, const std::string&, const std::string& message) {
    return message + " at proxy " + std::to_string(index + 1);
  };
  plan.restored_note = "; nothing was changed";
  auto applied = reconcileProxies(*this, plan);
  if (!applied) {
    result.error = applied.error();
    return result;
  }
  for (const auto& config : configs) {
    if (auto info = get(config.name)) result.proxies.push_back(*info);
  }
  return result;
}

Result<std::vector<ToxicSpecPtr>> ProxyRegistry::toxics(const std::string& proxy_name) const {
  auto info = get(proxy_name);
  if (!info) return info.error();
  return info->toxics;
}

Result<ToxicSpecPtr> ProxyRegistry::toxic(const std::string& proxy_name, const std::string& toxic_name) const {
  Proxy* proxy = find(proxy_name);
  if (proxy == nullptr) return Error::notFound("proxy not found");
  if (auto toxic = proxy->findToxic(toxic_name)) return toxic;
  return Error::notFound("toxic not found");
}

Result<ToxicSpecPtr> ProxyRegistry::addToxic(const std::string& proxy_name, const ToxicSpec& spec) {
  Proxy* proxy = find(proxy_name);
  if (proxy == nullptr) return Error::notFound("proxy not found");
  if (proxy->findToxic(spec.name)) return Error::conflict("toxic already exists");
  if (auto s = checkToxicCount(proxy_name, proxy->toxics().size() + 1); !s) return s.error();
  auto toxics = proxy->toxics();
  auto ptr = std::make_shared<const ToxicSpec>(spec);
  toxics.push_back(ptr);
  proxy->setToxicList(std::move(toxics));
  spdlog::info("toxic added proxy={} toxic={} type={} stream={} toxicity={}{}", proxy_name, spec.name, spec.type,
               streamName(spec.stream), spec.toxicity,
               spec.schedule ? " schedule=\"" + describeSchedule(*spec.schedule) + "\"" : std::string());
  return ToxicSpecPtr(ptr);
}

Result<ToxicSpecPtr> ProxyRegistry::updateToxic(const std::string& proxy_name, const std::string& toxic_name,
                                                const ToxicPatch& patch) {
  Proxy* proxy = find(proxy_name);
  if (proxy == nullptr) return Error::notFound("proxy not found");
  ToxicSpecPtr current = proxy->findToxic(toxic_name);
  if (!current) return Error::notFound("toxic not found");
  ToxicInput input;
  input.name = current->name;
  input.type = current->type;
  input.stream = streamName(current->stream);
  input.toxicity = patch.toxicity && *patch.toxicity != -1.0 ? *patch.toxicity : current->toxicity;
  input.attributes = current->attributes;
  input.text_attributes = current->text_attributes;
  for (const auto& [key, value] : patch.attributes) {
    input.attributes[key] = value;
    input.text_attributes.erase(key);
  }
  for (const auto& [key, value] : patch.text_attributes) {
    input.text_attributes[key] = value;
    input.attributes.erase(key);
  }
  if (current->schedule) input.schedule = scheduleInputOf(*current->schedule);  // keeps its clock
  auto spec = buildToxicSpec(input);
  if (!spec) return spec.error();
  auto ptr = std::make_shared<const ToxicSpec>(std::move(*spec));
  auto toxics = proxy->toxics();
  for (auto& toxic : toxics) {
    if (toxic->name == toxic_name) toxic = ptr;
  }
  proxy->setToxicList(std::move(toxics));
  spdlog::info("toxic updated proxy={} toxic={} toxicity={}", proxy_name, toxic_name, ptr->toxicity);
  return ToxicSpecPtr(ptr);
}

Status ProxyRegistry::removeToxic(const std::string& proxy_name, const std::string& toxic_name) {
  Proxy* proxy = find(proxy_name);
  if (proxy == nullptr) return Error::notFound("proxy not found");
  if (!proxy->findToxic(toxic_name)) return Error::notFound("toxic not found");
  auto toxics = proxy->toxics();
  std::erase_if(toxics, [&](const ToxicSpecPtr& t) { return t->name == toxic_name; });
  proxy->setToxicList(std::move(toxics));
  spdlog::info("toxic removed proxy={} toxic={}", proxy_name, toxic_name);
  return {};
}

std::optional<ScheduleStatus> ProxyRegistry::scheduleStatus(const std::string& proxy_name,
                                                          const std::string& toxic_name) const {
  Proxy* proxy = find(proxy_name);
  return proxy == nullptr ? std::nullopt : proxy->scheduleStatus(toxic_name);
}

Status ProxyRegistry::setToxics(const std::string& proxy_name, const std::vector<ToxicSpec>& toxics) {
  Proxy* proxy = find(proxy_name);
  if (proxy == nullptr) return Error::notFound("proxy not found");
  std::set<std::string> names;
  for (const auto& toxic : toxics) {
    if (!names.insert(toxic.name).second) return Error::conflict("toxic already exists: " + toxic.name);
  }
  if (auto s = checkToxicCount(proxy_name, toxics.size()); !s) return s;
  proxy->setToxicList(toSpecPtrs(toxics, proxy->toxics()));
  return {};
}

void ProxyRegistry::reset() {
  for (auto& [name, proxy] : proxies_) {
    if (auto status = proxy->setEnabled(true); !status) {
      spdlog::warn("reset could not enable proxy={} error=\"{}\"", name, status.error().message);
    }
    proxy->setToxicList({});
  }
  spdlog::info("reset: every proxy enabled, every toxic removed");
}

void ProxyRegistry::closeAll() {
  for (auto& [name, proxy] : proxies_) proxy->stop();
  proxies_.clear();
}

void ProxyRegistry::stopAccepting() {
  for (auto& [name, proxy] : proxies_) proxy->closeListener();
}

std::size_t ProxyRegistry::bufferedBytes() const { return budget_->used(); }
std::size_t ProxyRegistry::globalCapHits() const { return budget_->capHits(); }
std::size_t ProxyRegistry::fdReserveHits() const { return fd_reserve_ ? fd_reserve_->releases() : 0; }
std::size_t ProxyRegistry::sessionCount() const {
  std::size_t total = 0;
  for (const auto& [name, proxy] : proxies_) total += proxy->sessionCount();
  return total;
}

}  // namespace faultline

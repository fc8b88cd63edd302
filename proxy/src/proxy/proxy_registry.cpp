#include "proxy/proxy_registry.h"

#include <spdlog/spdlog.h>
#include <uv.h>

#include <set>

#include "core/sigpipe.h"
#include "proxy/buffer_budget.h"
#include "proxy/proxy.h"

namespace faultline {

namespace {

struct ParsedConfig {
  HostPort listen;
  HostPort upstream;
};

Result<ParsedConfig> parseConfig(const ProxyConfig& config, const std::string& where = "") {
  const std::string suffix = where.empty() ? "" : " at " + where;
  if (config.name.empty()) return Error::invalid("missing required field: name" + suffix);
  if (config.upstream.empty()) return Error::invalid("missing required field: upstream" + suffix);
  auto listen = parseHostPort(config.listen.empty() ? "127.0.0.1:0" : config.listen);
  if (!listen) return Error::invalid("invalid listen address: " + listen.error().message + suffix);
  auto upstream = parseHostPort(config.upstream);
  if (!upstream) return Error::invalid("invalid upstream address: " + upstream.error().message + suffix);
  std::set<std::string> names;
  for (const auto& toxic : config.toxics) {
    if (!names.insert(toxic.name).second) return Error::conflict("toxic already exists: " + toxic.name + suffix);
  }
  return ParsedConfig{*listen, *upstream};
}

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
  std::shared_ptr<Random> random;
  uint64_t next_session_id = 0;
};

ProxyRegistry::ProxyRegistry(uv_loop_s* loop, RegistryOptions options)
    : loop_(loop),
      options_(options),
      budget_(std::make_shared<BufferBudget>(options.global_cap_bytes)),
      shared_(std::make_unique<Shared>(Shared{nullptr, 0})) {
  ignoreSigpipe();
  // Without --seed each process picks one and says which, so any run can be replayed.
  if (options_.seed == 0) {
    std::random_device device;
    options_.seed = (static_cast<uint64_t>(device()) << 32 | device()) | 1;
    spdlog::info("random seed={} chosen (replay this run's toxic decisions with --seed {})", options_.seed, options_.seed);
  } else {
    spdlog::info("random seed={} given", options_.seed);
  }
  shared_->random = std::make_shared<Random>(options_.seed);
}

ProxyRegistry::~ProxyRegistry() { closeAll(); }

Proxy* ProxyRegistry::find(const std::string& name) const {
  auto it = proxies_.find(name);
  return it == proxies_.end() ? nullptr : it->second.get();
}

Result<ProxyInfo> ProxyRegistry::create(const ProxyConfig& config) {
  auto parsed = parseConfig(config);
  if (!parsed) return parsed.error();
  if (find(config.name) != nullptr) return Error::conflict("proxy already exists");
  ProxyEnv env;
  env.loop = loop_;
  env.link_cap_bytes = options_.link_cap_bytes;
  env.max_connections = options_.max_connections;
  env.connect_timeout = options_.connect_timeout;
  env.budget = budget_;
  env.random = shared_->random;
  env.seed = options_.seed;
  env.next_session_id = &shared_->next_session_id;
  auto proxy = std::make_unique<Proxy>(env, config.name, parsed->listen, parsed->upstream);
  if (config.enabled) {
    if (auto status = proxy->start(); !status) return status.error();
  } else {
    (void)proxy->setEnabled(false);
  }
  proxy->setToxicList(toSpecPtrs(config.toxics, {}));
  ProxyInfo info = proxy->info();
  proxies_.emplace(config.name, std::move(proxy));
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
  std::optional<HostPort> listen;
  std::optional<HostPort> upstream;
  if (patch.listen) {
    auto parsed = parseHostPort(*patch.listen);
    if (!parsed) return Error::invalid("invalid listen address: " + parsed.error().message);
    listen = *parsed;
  }
  if (patch.upstream) {
    auto parsed = parseHostPort(*patch.upstream);
    if (!parsed) return Error::invalid("invalid upstream address: " + parsed.error().message);
    upstream = *parsed;
  }
  if (upstream) proxy->setUpstream(*upstream);
  if (patch.enabled && !*patch.enabled) (void)proxy->setEnabled(false);
  if (listen) {
    if (auto status = proxy->setListen(*listen); !status) return status.error();
  }
  if (patch.enabled && *patch.enabled) {
    if (auto status = proxy->setEnabled(true); !status) return status.error();
  }
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
  // Toxiproxy checks every entry before creating any proxy.
  std::set<std::string> names;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    auto parsed = parseConfig(configs[i], "proxy " + std::to_string(i + 1));
    if (!parsed) {
      result.error = parsed.error();
      return result;
    }
    if (!names.insert(configs[i].name).second) {
      result.error = Error::invalid("duplicate proxy name '" + configs[i].name + "' at proxy " + std::to_string(i + 1));
      return result;
    }
  }
  for (const auto& config : configs) {
    Proxy* existing = find(config.name);
    if (existing != nullptr) {
      auto listen = parseHostPort(config.listen.empty() ? "127.0.0.1:0" : config.listen);
      auto upstream = parseHostPort(config.upstream);
      // Port 0 means "any port": the one already bound satisfies it, so no restart.
      const bool same_listen = listen->toString() == existing->listen().toString() ||
                               (listen->port == 0 && listen->host == existing->listen().host);
      const bool same = same_listen && upstream->toString() == existing->upstream().toString();
      if (same) {
        // Unchanged: keep it running, with its connections.
        if (existing->enabled() != config.enabled) (void)existing->setEnabled(config.enabled);
        if (config.toxics_given) existing->setToxicList(toSpecPtrs(config.toxics, existing->toxics()));
        result.proxies.push_back(existing->info());
        continue;
      }
      (void)remove(config.name);
    }
    auto created = create(config);
    if (!created) {
      result.error = created.error();
      return result;
    }
    result.proxies.push_back(*created);
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
  for (const auto& [key, value] : patch.attributes) input.attributes[key] = value;
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
std::size_t ProxyRegistry::sessionCount() const {
  std::size_t total = 0;
  for (const auto& [name, proxy] : proxies_) total += proxy->sessionCount();
  return total;
}

}  // namespace faultline

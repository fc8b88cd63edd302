// Rules loader + reconcile: the fuzzed text is parsed and validated; when it is accepted it is
// reconciled onto a registry that runs a base rules file plus one proxy made through the API.
// Properties: nothing crashes or leaks a handle; a reconcile either succeeds and the registry
// then holds exactly what the file declares, or fails and the registry is exactly as before;
// reconciling back to the base file afterwards succeeds and restores the base state.
#include <spdlog/spdlog.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "net/address.h"
#include "proxy/proxy_registry.h"
#include "rules/rules_parser.h"
#include "rules/rules_reconciler.h"

using namespace faultline;

namespace {

constexpr const char* kBaseRules = R"(version: 1
proxies:
  - name: db
    listen: 127.0.0.1:0
    upstream: 127.0.0.1:5432
    toxics:
      - {type: latency, attributes: {latency: 100, jitter: 10}}
      - {name: cut, type: limit_data, stream: upstream, attributes: {bytes: 1000}}
  - name: cache
    listen: 127.0.0.1:0
    upstream: localhost:6379
    enabled: false
)";

uv_loop_t* fuzzLoop() {
  static uv_loop_t* loop = [] {
    // One log line per proxy started would dominate the run time.
    spdlog::set_level(spdlog::level::off);
    static uv_loop_t storage;
    uv_loop_init(&storage);
    return &storage;
  }();
  return loop;
}

void settle(uv_loop_t* loop) {
  for (int i = 0; i < 1000 && uv_run(loop, UV_RUN_NOWAIT) != 0; ++i) {
  }
}

// Everything a reconcile may change, as text. With ports, a failed reconcile must leave it
// byte-identical; without, a proxy re-created on port 0 compares equal.
std::string snapshot(const ProxyRegistry& registry, bool with_ports) {
  std::string out;
  for (const auto& p : registry.list()) {
    std::string listen = p.listen;
    if (!with_ports) {
      if (auto hp = parseHostPort(listen); hp.ok()) {
        hp->port = 0;
        listen = hp->toString();
      }
    }
    out += p.name + " " + listen + " " + p.upstream + (p.enabled ? " on" : " off");
    for (const auto& t : p.toxics) {
      out += " [" + t->name + " " + t->type + " " + streamName(t->stream) + " " + std::to_string(t->toxicity);
      for (const auto& [k, v] : t->attributes) out += " " + k + "=" + std::to_string(v);
      out += "]";
    }
    out += "\n";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  RulesParseResult parsed = parseRulesText(text, "fuzz.yaml");
  if (!parsed.ok()) {
    for (const auto& e : parsed.errors) {
      FUZZ_CHECK(!e.message.empty(), "an error without a message at %s", e.path.c_str());
      FUZZ_CHECK(e.toString().rfind("fuzz.yaml", 0) == 0, "error does not name the file: %s", e.toString().c_str());
    }
    return 0;
  }
  RulesConfig next = std::move(parsed.config);
  // Fixed ports could collide with other tests on this machine: keep the host, take any port.
  for (auto& proxy : next.proxies) {
    if (auto hp = parseHostPort(proxy.listen); hp.ok() && hp->port != 0) {
      hp->port = 0;
      proxy.listen = hp->toString();
    }
  }

  uv_loop_t* loop = fuzzLoop();
  {
    ProxyRegistry registry(loop, RegistryOptions{});
    auto base = parseRules(kBaseRules, "base.yaml");
    FUZZ_CHECK(base.ok(), "base rules rejected: %s", base.error().message.c_str());
    auto applied = reconcileRules(registry, RulesConfig{}, base.value());
    FUZZ_CHECK(applied.ok(), "base rules not applied: %s", applied.error().message.c_str());
    ProxyConfig api;
    api.name = "api";
    api.listen = "127.0.0.1:0";
    api.upstream = "127.0.0.1:9";
    FUZZ_CHECK(registry.create(api).ok(), "api proxy not created");
    settle(loop);

    const std::string before = snapshot(registry, true);
    const std::string before_no_ports = snapshot(registry, false);
    auto result = reconcileRules(registry, base.value(), next);
    settle(loop);
    if (!result.ok()) {
      const std::string after = snapshot(registry, true);
      FUZZ_CHECK(after == before, "failed reconcile (%s) changed the registry:\n%s---\n%s",
                 result.error().message.c_str(), before.c_str(), after.c_str());
    } else {
      for (const auto& want : next.proxies) {
        auto got = registry.get(want.name);
        FUZZ_CHECK(got.ok(), "declared proxy %s missing after reconcile", want.name.c_str());
        FUZZ_CHECK(got->enabled == want.enabled, "proxy %s enabled=%d, file says %d", want.name.c_str(), got->enabled,
                   want.enabled);
        FUZZ_CHECK(got->toxics.size() == want.toxics.size(), "proxy %s has %zu toxics, file declares %zu",
                   want.name.c_str(), got->toxics.size(), want.toxics.size());
      }
      for (const auto& old : base.value().proxies) {
        bool declared = false;
        for (const auto& want : next.proxies) declared = declared || want.name == old.name;
        FUZZ_CHECK(declared || !registry.get(old.name).ok(), "proxy %s dropped from the file but still running",
                   old.name.c_str());
      }
      // And back: the base file applies again and the state is the base state.
      auto back = reconcileRules(registry, next, base.value());
      settle(loop);
      bool api_declared = false;
      for (const auto& want : next.proxies) api_declared = api_declared || want.name == "api";
      if (!api_declared) {
        FUZZ_CHECK(back.ok(), "reconciling back to the base failed: %s", back.error().message.c_str());
        const std::string restored = snapshot(registry, false);
        FUZZ_CHECK(restored == before_no_ports, "base state not restored:\n%s---\n%s", before_no_ports.c_str(),
                   restored.c_str());
      }
    }
    registry.closeAll();
  }
  settle(loop);
  FUZZ_CHECK(!uv_loop_alive(loop), "a libuv handle outlived the registry");
  return 0;
}

// demo-server: the middleware of the Faultline demo, with an unprotected and a protected path.
#include <uv.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "demo_process.h"
#include "duration_flag.h"
#include "memory_watchdog.h"
#include "middleware_server.h"

using namespace faultline;

namespace {

// Reads a duration flag into `out`, or prints the error and returns false.
bool durationFlag(const std::string& text, const std::string& flag, Duration& out) {
  auto parsed = parseDuration(text, flag);
  if (!parsed.ok()) {
    std::fprintf(stderr, "demo-server: %s\n", parsed.error().message.c_str());
    return false;
  }
  out = *parsed;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"demo-server: /unprotected forwards to the partner as is; /protected adds deadline, retries, "
               "circuit breaker, bulkhead and fallback; /limited is /unprotected behind a token bucket; "
               "/naive-retry retries every failure at once. Durations: 500ms, 1s, 2m; a bare number is seconds."};
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string name = "server";
  std::string partner_url = "http://127.0.0.1:8081";
  std::string partner_path;
  bool forward_path = false;
  std::string memory_interval = "100ms";
  uint32_t request_memory_kib = 64, naive_attempts = 5;
  double rate_limit = 50, rate_limit_burst = 50;
  std::string deadline = "2s", attempt_timeout = "1s", backoff_base = "50ms", backoff_cap = "1s";
  std::string budget_window = "10s", breaker_window_duration = "10s", breaker_open = "5s";
  uint32_t max_attempts = 3, budget_percent = 20, budget_min = 3;
  std::string breaker_window_kind = "count";
  uint32_t breaker_window_size = 20, breaker_failure_rate = 50, breaker_min_calls = 10, breaker_probes = 3;
  uint32_t bulkhead_max = 10, bulkhead_queue = 20;
  std::string memory_limit = std::to_string(MemoryWatchdog::kDefaultLimitMib);
  uint64_t seed = 0;

  auto opt = [&app](const std::string& name, auto& value, const std::string& help, const std::string& env) {
    return app.add_option(name, value, help)->capture_default_str()->envname(env);
  };
  opt("--host", host, "address to listen on", "DEMO_SERVER_HOST");
  opt("--port", port, "port to listen on (0 = any free port)", "DEMO_SERVER_PORT");
  opt("--name", name, "this tier's name in logs and /metrics (edge, middle, ...)", "DEMO_SERVER_NAME");
  opt("--partner-url", partner_url,
      "the partner, normally through the Faultline proxy, or the next tier; used as given: its path "
      "(http://127.0.0.1:8082/unprotected) is what is requested, /data when it has none",
      "PARTNER_URL");
  opt("--partner-path", partner_path, "request this path at the partner instead of the URL's", "PARTNER_PATH");
  app.add_flag("--forward-path", forward_path,
               "request the partner at the path this server was asked for (URL path + /protected, ...): "
               "tiers chain path to path")
      ->envname("DEMO_FORWARD_PATH");
  const std::string units = durationHelpSuffix();
  opt("--deadline", deadline, "/protected: total time for one request" + units, "DEMO_DEADLINE");
  opt("--attempt-timeout", attempt_timeout, "/protected and /naive-retry: timeout of one partner call" + units,
      "DEMO_ATTEMPT_TIMEOUT");
  opt("--max-attempts", max_attempts, "/protected: partner calls per request, first one included", "DEMO_MAX_ATTEMPTS")
      ->check(CLI::Range(1u, 20u));
  opt("--backoff-base", backoff_base, "retry n waits uniform[0, min(cap, base*2^n)]" + units, "DEMO_BACKOFF_BASE");
  opt("--backoff-cap", backoff_cap, "upper bound of one backoff" + units, "DEMO_BACKOFF_CAP");
  opt("--retry-budget-percent", budget_percent, "retries at most this % of requests", "DEMO_RETRY_BUDGET_PERCENT")
      ->check(CLI::Range(0u, 1000u));
  opt("--retry-budget-min", budget_min, "retries always allowed per window", "DEMO_RETRY_BUDGET_MIN");
  opt("--retry-budget-window", budget_window, "window of the retry budget" + units, "DEMO_RETRY_BUDGET_WINDOW");
  opt("--breaker-window", breaker_window_kind, "count (last N calls) or time (last T)", "DEMO_BREAKER_WINDOW")
      ->check(CLI::IsMember({"count", "time"}));
  opt("--breaker-window-size", breaker_window_size, "calls in a count window", "DEMO_BREAKER_WINDOW_SIZE")
      ->check(CLI::Range(1u, 100000u));
  opt("--breaker-window-duration", breaker_window_duration, "length of a time window" + units, "DEMO_BREAKER_WINDOW_DURATION");
  opt("--breaker-failure-rate", breaker_failure_rate, "open at this failure % in the window", "DEMO_BREAKER_FAILURE_RATE")
      ->check(CLI::Range(1u, 100u));
  opt("--breaker-min-calls", breaker_min_calls, "no verdict on fewer calls", "DEMO_BREAKER_MIN_CALLS");
  opt("--breaker-open-duration", breaker_open, "time open before probing" + units, "DEMO_BREAKER_OPEN_DURATION");
  opt("--breaker-probes", breaker_probes, "calls allowed while half-open", "DEMO_BREAKER_PROBES")
      ->check(CLI::Range(1u, 1000u));
  opt("--bulkhead-max", bulkhead_max, "concurrent partner calls of /protected", "DEMO_BULKHEAD_MAX")
      ->check(CLI::Range(1u, 100000u));
  opt("--bulkhead-queue", bulkhead_queue, "requests waiting for a slot before shedding", "DEMO_BULKHEAD_QUEUE");
  opt("--memory-limit", memory_limit, "exit with code 3 above this RSS (MiB)", "APP_MEMORY_LIMIT");
  opt("--memory-check-interval", memory_interval, "how often the watchdog reads RSS" + units,
      "DEMO_MEMORY_CHECK_INTERVAL");
  opt("--request-memory", request_memory_kib,
      "KiB each request holds while it waits (its working set: parsed request, session, answer); 0 = none",
      "DEMO_REQUEST_MEMORY")
      ->check(CLI::Range(0u, 65536u));
  opt("--naive-attempts", naive_attempts, "/naive-retry: partner calls per request, each failure retried at once",
      "DEMO_NAIVE_ATTEMPTS")
      ->check(CLI::Range(1u, 100u));
  opt("--rate-limit", rate_limit, "/limited: requests per second let through (token bucket refill)", "DEMO_RATE_LIMIT")
      ->check(CLI::Range(0.1, 1e6));
  opt("--rate-limit-burst", rate_limit_burst, "/limited: token bucket size", "DEMO_RATE_LIMIT_BURST")
      ->check(CLI::Range(1.0, 1e6));
  app.add_option("--seed", seed, "random seed for backoff jitter (0 = random)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  setupDemoProcess(name);
  MiddlewareConfig config;
  auto url = parseHttpUrl(partner_url);
  if (!url.ok()) {
    std::fprintf(stderr, "demo-server: --partner-url: %s\n", url.error().message.c_str());
    return 2;
  }
  config.name = name;
  config.partner = *url;
  // Used as given: the URL's path is the partner's path (a next tier's /unprotected), /data
  // only when it has none; --partner-path overrides it.
  if (!partner_path.empty()) {
    if (partner_path.front() != '/') {
      std::fprintf(stderr, "demo-server: --partner-path: expected a path starting with '/', got '%s'\n",
                   partner_path.c_str());
      return 2;
    }
    config.partner_path = partner_path;
  } else {
    config.partner_path = url->base_path.empty() ? "/data" : url->base_path;
  }
  config.forward_path = forward_path;
  if (forward_path && !partner_path.empty()) {
    std::fprintf(stderr, "demo-server: --forward-path and --partner-path both choose the partner's path; give one\n");
    return 2;
  }
  auto limit = parseMemoryLimitMib(memory_limit, "APP_MEMORY_LIMIT/--memory-limit");
  if (!limit.ok()) {
    std::fprintf(stderr, "demo-server: %s\n", limit.error().message.c_str());
    return 2;
  }
  config.memory_limit_bytes = *limit * 1024 * 1024;
  Duration base{}, cap{};
  if (!durationFlag(deadline, "--deadline", config.deadline) ||
      !durationFlag(attempt_timeout, "--attempt-timeout", config.attempt_timeout) ||
      !durationFlag(backoff_base, "--backoff-base", base) || !durationFlag(backoff_cap, "--backoff-cap", cap) ||
      !durationFlag(budget_window, "--retry-budget-window", config.retry_budget.window) ||
      !durationFlag(breaker_window_duration, "--breaker-window-duration", config.breaker.window.duration) ||
      !durationFlag(breaker_open, "--breaker-open-duration", config.breaker.open_duration) ||
      !durationFlag(memory_interval, "--memory-check-interval", config.memory_check_interval)) {
    return 2;
  }
  if (config.deadline <= Duration{0} || config.attempt_timeout <= Duration{0}) {
    std::fprintf(stderr, "demo-server: --deadline and --attempt-timeout must be longer than 0\n");
    return 2;
  }
  if (config.memory_check_interval < Millis{1}) {
    std::fprintf(stderr, "demo-server: --memory-check-interval must be at least 1ms (got %s)\n", memory_interval.c_str());
    return 2;
  }
  config.request_memory_bytes = std::size_t{request_memory_kib} * 1024;
  config.naive_attempts = naive_attempts;
  config.rate_limit = {rate_limit, rate_limit_burst};
  config.retry.max_attempts = max_attempts;
  config.retry.backoff = {std::chrono::duration_cast<Millis>(base), std::chrono::duration_cast<Millis>(cap)};
  config.retry_budget.ratio_percent = budget_percent;
  config.retry_budget.min_retries = budget_min;
  config.breaker.window.kind = breaker_window_kind == "time" ? OutcomeWindow::Kind::kTime : OutcomeWindow::Kind::kCount;
  config.breaker.window.size = breaker_window_size;
  config.breaker.failure_rate_percent = breaker_failure_rate;
  config.breaker.minimum_calls = breaker_min_calls;
  config.breaker.half_open_probes = breaker_probes;
  config.bulkhead = {bulkhead_max, bulkhead_queue};
  config.seed = seed;

  uv_loop_t* loop = uv_default_loop();
  auto server = std::make_unique<MiddlewareServer>(loop, config);
  auto bound = server->listen(host, port);
  if (!bound.ok()) {
    std::fprintf(stderr, "demo-server: %s\n", bound.error().message.c_str());
    server->close();
    finishLoop(loop);
    return 1;
  }
  announceListening(*bound);
  spdlog::info("server started name={} address={} partner={} partner_path={} deadline={} attempt_timeout={} max_attempts={} "
               "backoff_base={} backoff_cap={} retry_budget={}%+{}/{} breaker={}:{}/{} failure_rate={}% "
               "min_calls={} open={} probes={} bulkhead={}+{} memory_limit_mib={} memory_check_interval={} "
               "request_memory_kib={} naive_attempts={} rate_limit={}/s burst={}",
               name, *bound, config.partner.toString(), forward_path ? "(forwarded)" : config.partner_path, deadline, attempt_timeout, max_attempts, backoff_base,
               backoff_cap, budget_percent, budget_min, budget_window, breaker_window_kind, breaker_window_size,
               breaker_window_duration, breaker_failure_rate, breaker_min_calls, breaker_open, breaker_probes,
               bulkhead_max, bulkhead_queue, *limit, memory_interval, request_memory_kib, naive_attempts, rate_limit,
               rate_limit_burst);

  ShutdownSignals signals(loop, [&server] { server->close(); });
  uv_run(loop, UV_RUN_DEFAULT);
  const int rc = finishLoop(loop);
  server.reset();
  return rc;
}

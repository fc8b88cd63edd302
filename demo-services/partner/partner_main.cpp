// demo-partner: a slow, flaky HTTP service for the Faultline demo.
#include <uv.h>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <string>

#include "demo_process.h"
#include "duration_flag.h"
#include "flaky_partner.h"

using namespace faultline;

int main(int argc, char** argv) {
  CLI::App app{"demo-partner: answers GET /data with 'Hello from Partner Service' after a random delay"};
  std::string host = "127.0.0.1";
  uint16_t port = 8081;
  std::string min_delay_text = "1s";
  std::string max_delay_text = "10s";
  double error_rate = 0;
  int error_status = 503;
  uint64_t seed = 0;
  int retry_after = -1;
  app.add_option("--host", host, "address to listen on")->capture_default_str()->envname("PARTNER_HOST");
  app.add_option("--port", port, "port to listen on (0 = any free port)")->capture_default_str()->envname("PARTNER_PORT");
  app.add_option("--min-delay", min_delay_text, std::string("shortest delay") + durationHelpSuffix())
      ->capture_default_str()->envname("PARTNER_MIN_DELAY");
  app.add_option("--max-delay", max_delay_text, std::string("longest delay (uniform between min and max)") + durationHelpSuffix())
      ->capture_default_str()->envname("PARTNER_MAX_DELAY");
  app.add_option("--error-rate", error_rate, "share of requests answered with --error-status, 0..1")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0))->envname("PARTNER_ERROR_RATE");
  app.add_option("--error-status", error_status, "status of injected failures")
      ->capture_default_str()->check(CLI::Range(400, 599))->envname("PARTNER_ERROR_STATUS");
  app.add_option("--retry-after", retry_after, "Retry-After (whole seconds) on injected failures; -1 = none")
      ->capture_default_str()->check(CLI::Range(-1, 3600))->envname("PARTNER_RETRY_AFTER");
  app.add_option("--seed", seed, "random seed (0 = random)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  setupDemoProcess("partner");
  auto min_delay = parseDuration(min_delay_text, "--min-delay");
  auto max_delay = parseDuration(max_delay_text, "--max-delay");
  for (const auto* r : {&min_delay, &max_delay}) {
    if (!r->ok()) {
      std::fprintf(stderr, "demo-partner: %s\n", r->error().message.c_str());
      return 2;
    }
  }
  if (*max_delay < *min_delay) {
    std::fprintf(stderr, "demo-partner: --max-delay (%s) must not be shorter than --min-delay (%s)\n",
                 max_delay_text.c_str(), min_delay_text.c_str());
    return 2;
  }

  uv_loop_t* loop = uv_default_loop();
  FlakyPartner::Params params;
  params.min_delay = *min_delay;
  params.max_delay = *max_delay;
  params.error_rate = Probability::fromFraction(error_rate);
  params.error_status = error_status;
  params.retry_after_s = retry_after;
  params.seed = seed;
  FlakyPartner partner(loop, params);
  auto bound = partner.listen(host, port);
  if (!bound.ok()) {
    std::fprintf(stderr, "demo-partner: %s\n", bound.error().message.c_str());
    return 1;
  }
  announceListening(*bound);
  spdlog::info("partner started address={} min_delay={} max_delay={} error_rate={} error_status={}", *bound,
               formatDuration(*min_delay), formatDuration(*max_delay), error_rate, error_status);

  ShutdownSignals signals(loop, [&partner] { partner.close([] {}); });
  uv_run(loop, UV_RUN_DEFAULT);
  return finishLoop(loop);
}

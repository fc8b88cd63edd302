// demo-client: an open-model load generator with a summary of outcomes and latencies.
#include <unistd.h>
#include <uv.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "demo_process.h"
#include "http/http_server.h"
#include "duration_flag.h"
#include "load_generator.h"

using namespace faultline;

int main(int argc, char** argv) {
  CLI::App app{"demo-client: sends --rate requests per second for --duration, whatever the answers, then "
               "prints a summary"};
  std::string url_text;
  double rate = 10;
  std::string duration_text = "10s";
  std::string timeout_text = "15s";
  bool json = false;
  int metrics_port = -1;
  app.add_option("--url", url_text, "e.g. http://127.0.0.1:8080/protected")->required();
  app.add_option("--rate", rate, "requests per second")->capture_default_str()->check(CLI::Range(0.1, 100000.0));
  app.add_option("--duration", duration_text, std::string("how long to send") + durationHelpSuffix())
      ->capture_default_str();
  app.add_option("--timeout", timeout_text,
                 std::string("per request, and the most to wait for stragglers") + durationHelpSuffix())
      ->capture_default_str();
  app.add_flag("--json", json, "print the summary as one JSON object on stdout");
  app.add_option("--metrics-port", metrics_port,
                 "serve GET /metrics (outcomes, latency, in flight) on 127.0.0.1:PORT while running; 0 = any free port")
      ->check(CLI::Range(0, 65535));
  CLI11_PARSE(app, argc, argv);

  setupDemoProcess("client");
  auto url = parseHttpUrl(url_text);
  if (!url.ok()) {
    std::fprintf(stderr, "demo-client: --url: %s\n", url.error().message.c_str());
    return 2;
  }
  auto duration = parseDuration(duration_text, "--duration");
  auto timeout = parseDuration(timeout_text, "--timeout");
  for (const auto* r : {&duration, &timeout}) {
    if (!r->ok()) {
      std::fprintf(stderr, "demo-client: %s\n", r->error().message.c_str());
      return 2;
    }
  }
  if (*timeout < Millis{1}) {
    std::fprintf(stderr, "demo-client: --timeout must be at least 1ms\n");
    return 2;
  }
  // The n-th request leaves at n / rate: a run shorter than one interval would send nothing.
  if (std::chrono::duration<double>(*duration).count() * rate < 1.0) {
    std::fprintf(stderr,
                 "demo-client: --duration %s at --rate %g/s sends no request (the first leaves after %s); "
                 "give a longer duration (a bare number is seconds: --duration 4) or a higher rate\n",
                 formatDuration(*duration).c_str(), rate,
                 formatDuration(Micros(static_cast<int64_t>(1e6 / rate))).c_str());
    return 2;
  }

  LoadGenerator::Params params;
  params.url = *url;
  params.path = url->base_path.empty() ? "/" : url->base_path;
  params.rate = rate;
  params.duration = *duration;
  params.timeout = *timeout;
  params.progress = isatty(STDERR_FILENO) != 0;

  uv_loop_t* loop = uv_default_loop();
  LoadGenerator generator(loop, params);
  std::unique_ptr<HttpServer> metrics;
  if (metrics_port >= 0) {
    HttpServerOptions options;
    options.name = "client-metrics";
    metrics = std::make_unique<HttpServer>(loop, options, [&generator](HttpRequest&& request, HttpResponder responder) {
      if (request.path != "/metrics") {
        responder.respond(HttpResponse::json(404, R"({"error":"not found: try GET /metrics","status":404})"));
        return;
      }
      responder.respond(HttpResponse::text(200, generator.report().renderMetrics(generator.inFlight()),
                                           "text/plain; version=0.0.4; charset=utf-8"));
    });
    auto bound = metrics->listen("127.0.0.1", static_cast<uint16_t>(metrics_port));
    if (!bound.ok()) {
      std::fprintf(stderr, "demo-client: --metrics-port: %s\n", bound.error().message.c_str());
      metrics->close();
      finishLoop(loop);
      return 2;
    }
    std::fprintf(stderr, "metrics listening on %s\n", bound->c_str());
  }
  ShutdownSignals signals(loop, [&generator] { generator.stopSending(); });
  generator.start([&signals, &metrics] {
    signals.close();
    if (metrics) metrics->close();
  });
  uv_run(loop, UV_RUN_DEFAULT);
  const int rc = finishLoop(loop);

  const LoadSummary summary = generator.report().summarize(generator.elapsed(), generator.sendingTime());
  std::printf("%s\n", json ? summary.toJson().c_str() : summary.toText().c_str());
  return rc;
}

#include "phase_runner.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <optional>
#include <thread>

#include "load_runner.h"

namespace faultline::sim {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
constexpr milliseconds kReadyTimeout{15'000};
constexpr milliseconds kSampleInterval{500};

double rssMib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
  }
  return 0;
}

std::optional<double> metric(const std::string& text, const std::string& name) {
  std::size_t pos = 0;
  while ((pos = text.find(name + " ", pos)) != std::string::npos) {
    if (pos == 0 || text[pos - 1] == '\n') return std::stod(text.substr(pos + name.size() + 1));
    pos += name.size();
  }
  return std::nullopt;
}

uint16_t portOf(const std::string& address) {
  return static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

std::vector<std::string> serverArgs(const SimOptions& o, const std::string& partner_url) {
  const int deadline = o.deadline_ms;
  // With retries, each attempt gets a share of the deadline so a retry still fits in it.
  const int attempt = o.retries ? std::max(deadline / 3, 20) : deadline;
  std::vector<std::string> args = {"--port", "0", "--partner-url", partner_url,
                                   "--deadline", std::to_string(deadline) + "ms", "--attempt-timeout", std::to_string(attempt) + "ms",
                                   "--max-attempts", o.retries ? "3" : "1", "--seed", "42",
                                   "--breaker-open-duration", "2s", "--breaker-min-calls", o.breaker ? "10" : "4000000000"};
  if (o.memory_limit_mib > 0) {
    args.push_back("--memory-limit");
    args.push_back(std::to_string(o.memory_limit_mib));
  }
  return args;
}

}  // namespace

PhaseResult runPhase(const Scenario& scenario, const FaultPlan& plan, const SimOptions& options,
                     const std::string& path, const std::atomic<bool>& interrupted) {
  auto log = [&](const std::string& name) { return options.log_dir + "/" + path + "-" + name + ".log"; };
  auto partner = testing::ChildProcess::spawn(
      {options.bin_dir + "/demo-partner",
       {"--port", "0", "--min-delay", options.partner_min_delay, "--max-delay", options.partner_max_delay, "--seed", "7"},
       {},
       log("partner")});
  const std::string partner_address = partner.waitForLine("listening on ", kReadyTimeout);
  auto faultline = testing::Faultline::start(options.bin_dir + "/faultline", {"--log-level", "warn"}, kReadyTimeout,
                                             log("faultline"));
  auto proxy = faultline.createProxy("partner", partner_address);
  auto server = testing::ChildProcess::spawn(
      {options.bin_dir + "/demo-server", serverArgs(options, proxy.url()), {}, log("server")});
  const uint16_t server_port = portOf(server.waitForLine("listening on ", kReadyTimeout));

  PhaseResult result;
  result.path = path;
  result.duration_s = options.duration_s;
  const FaultWindow window{scenario.window_start * options.duration_s, scenario.window_end * options.duration_s,
                           plan.label};
  result.windows.push_back(window);

  const auto t0 = Clock::now();
  LoadRunner load({server_port, "/" + path, options.rate, options.duration_s, milliseconds(options.client_timeout_ms)},
                  t0);
  bool fault_on = false, fault_done = false;
  std::vector<std::string> added;
  auto since = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  auto next_sample = t0;
  try {
    while (!load.finished()) {
      if (interrupted) {
        load.stop();
        break;
      }
      const double t = since();
      if (!fault_on && !fault_done && t >= window.start_s) {
        fault_on = true;
        if (plan.disable_proxy) proxy.setEnabled(false);
        for (const auto& toxic : plan.toxics) added.push_back(proxy.addToxic(toxic));
        spdlog::debug("fault on t={:.1f}s", t);
      }
      if (fault_on && t >= window.end_s) {
        fault_on = false;
        fault_done = true;
        if (plan.disable_proxy) proxy.setEnabled(true);
        for (const auto& name : added) proxy.removeToxic(name);
        spdlog::debug("fault off t={:.1f}s", t);
      }
      if (Clock::now() >= next_sample) {
        next_sample += kSampleInterval;
        ServerSample sample;
        sample.t_s = t;
        if (server.running()) {
          sample.rss_mib = rssMib(server.pid());
          HttpClientRequest request;
          request.port = server_port;
          request.path = "/metrics";
          request.timeout = milliseconds(400);
          auto metrics = httpRequestSync(request);
          if (metrics.ok() && metrics->status == 200) {
            sample.breaker_state = static_cast<int>(metric(metrics->body, "demo_circuit_breaker_state").value_or(-1));
            sample.breaker_transitions = metric(metrics->body, "demo_circuit_breaker_transitions_total").value_or(0);
          }
          if (!result.samples.empty() && sample.breaker_state < 0) {
            // A busy server: keep the last known breaker numbers rather than a gap.
            sample.breaker_state = result.samples.back().breaker_state;
            sample.breaker_transitions = result.samples.back().breaker_transitions;
          }
        } else if (!result.server_exit_code) {
          result.server_exit_code = server.exitCode();
          result.server_exit_s = t;
        }
        result.samples.push_back(sample);
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
  } catch (...) {
    load.stop();
    load.join();
    throw;
  }
  result.requests = load.join();
  if (!result.server_exit_code && !server.running()) {
    result.server_exit_code = server.exitCode();
    result.server_exit_s = since();
  }
  // Destructors stop the server, Faultline and the partner (SIGTERM, then SIGKILL).
  return result;
}

}  // namespace faultline::sim

// faultline-sim: runs a failure scenario against the demo stack (partner <- faultline <- server)
// on free loopback ports, once per path, and prints a side-by-side table; --report writes the
// same run as a self-contained HTML page with charts over time.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "html_report.h"
#include "phase_runner.h"
#include "scenario.h"
#include "summary_table.h"

using namespace faultline;
using namespace faultline::sim;

namespace {

std::atomic<bool> g_interrupted{false};

void onSignal(int) { g_interrupted = true; }

std::string selfDir() {
  char buffer[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) return ".";
  std::string path(buffer, static_cast<std::size_t>(n));
  return path.substr(0, path.find_last_of('/'));
}

// Thousands of pending requests need thousands of sockets: use the hard limit.
void raiseFdLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

std::string scenarioList() {
  std::string text = "Scenarios (default: " + std::string(kDefaultScenario) + "):\n";
  for (const auto& s : scenarios()) text += fmt::format("  {:<12} {}\n", s.name, s.summary);
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"faultline-sim: start partner, faultline and demo server on free loopback ports, inject a scenario's "
               "fault for a window, load /unprotected then /protected, compare"};
  std::string scenario_name = kDefaultScenario;
  SimOptions options;
  double duration = 0, rate = 0;
  bool only_retries = false, only_breaker = false;
  std::string report_path, path_choice = "both";
  std::string scenarios_dir = FAULTLINE_SCENARIOS_DIR;
  options.bin_dir = selfDir();
  options.log_dir = "";
  uint32_t memory_limit = 0;
  app.add_option("scenario", scenario_name, "which scenario (see below)")->capture_default_str();
  app.add_option("--duration", duration, "seconds of load per path (default: the scenario's, 25 s)");
  app.add_option("--rate", rate, "requests per second (default: the scenario's)")->check(CLI::Range(0.1, 5000.0));
  app.add_option("--timeout", options.deadline_ms, "deadline of /protected, ms")->capture_default_str()
      ->check(CLI::Range(10, 600000));
  app.add_flag("--retries", only_retries, "protect /protected with retries (only the named patterns when given)");
  app.add_flag("--circuit-breakers", only_breaker, "protect /protected with a circuit breaker (only the named patterns)");
  app.add_option("--report", report_path, "write an HTML report with charts to this file");
  app.add_option("--path", path_choice, "which path to load")->check(CLI::IsMember({"unprotected", "protected", "both"}))
      ->capture_default_str();
  app.add_option("--client-timeout", options.client_timeout_ms, "the load client's patience per request, ms")
      ->capture_default_str()->check(CLI::Range(100, 600000));
  app.add_option("--memory-limit", memory_limit, "server memory watchdog, MiB (memory scenario default: 24)");
  app.add_option("--bin-dir", options.bin_dir, "where faultline, demo-partner and demo-server are")->capture_default_str();
  app.add_option("--scenarios-dir", scenarios_dir, "rules files of the scenarios")->capture_default_str();
  app.add_option("--log-dir", options.log_dir, "keep the children's logs here (default: a temporary directory)");
  app.footer(scenarioList());
  CLI11_PARSE(app, argc, argv);

  spdlog::set_level(spdlog::level::warn);
  const Scenario* scenario = findScenario(scenario_name);
  if (scenario == nullptr) {
    std::fprintf(stderr, "faultline-sim: unknown scenario '%s'\n%s", scenario_name.c_str(), scenarioList().c_str());
    return 2;
  }
  auto plan = loadFaultPlan(scenarios_dir + "/" + scenario->name + ".yaml");
  if (!plan.ok()) {
    std::fprintf(stderr, "faultline-sim: %s\n", plan.error().message.c_str());
    return 2;
  }
  options.duration_s = duration > 0 ? duration : scenario->duration_s;
  options.rate = rate > 0 ? rate : scenario->rate;
  if (only_retries || only_breaker) {
    options.retries = only_retries;
    options.breaker = only_breaker;
  }
  options.memory_limit_mib = memory_limit > 0 ? memory_limit : (scenario->name == "memory" ? 24 : 0);
  options.partner_min_delay = scenario->partner_min_delay;
  options.partner_max_delay = scenario->partner_max_delay;
  bool own_log_dir = false;
  if (options.log_dir.empty()) {
    char tmpl[] = "/tmp/faultline-sim-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      std::perror("faultline-sim: mkdtemp");
      return 1;
    }
    options.log_dir = tmpl;
    own_log_dir = true;
  }

  struct sigaction action{};
  action.sa_handler = onSignal;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  raiseFdLimit();

  SimRun run;
  run.scenario = scenario->name;
  run.description = scenario->summary;
  run.settings = fmt::format("rate {}/s, {} s per path, /protected deadline {} ms, retries {}, circuit breaker {}, "
                             "partner {}-{}, client timeout {} ms{}",
                             options.rate, options.duration_s, options.deadline_ms, options.retries ? "on" : "off",
                             options.breaker ? "on" : "off", options.partner_min_delay, options.partner_max_delay,
                             options.client_timeout_ms,
                             options.memory_limit_mib ? fmt::format(", server memory limit {} MiB", options.memory_limit_mib) : "");
  std::vector<std::string> paths;
  if (path_choice != "protected") paths.push_back("unprotected");
  if (path_choice != "unprotected") paths.push_back("protected");

  std::printf("scenario %s: %s\n", scenario->name.c_str(), scenario->summary.c_str());
  int rc = 0;
  for (const auto& path : paths) {
    std::printf("running /%s for %.0f s at %.0f req/s (fault from %.1f s to %.1f s: %s)...\n", path.c_str(),
                options.duration_s, options.rate, scenario->window_start * options.duration_s,
                scenario->window_end * options.duration_s, plan->label.c_str());
    std::fflush(stdout);
    try {
      run.phases.push_back(runPhase(*scenario, *plan, options, path, g_interrupted));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "faultline-sim: /%s phase failed: %s (logs in %s)\n", path.c_str(), e.what(),
                   options.log_dir.c_str());
      rc = 1;
      break;
    }
    if (g_interrupted) {
      std::fprintf(stderr, "faultline-sim: interrupted; everything started was stopped\n");
      rc = 130;
      break;
    }
  }
  if (!run.phases.empty()) {
    std::printf("\n%s", summaryTable(run).c_str());
    if (!report_path.empty()) {
      std::ofstream out(report_path);
      out << renderHtmlReport(run);
      if (!out) {
        std::fprintf(stderr, "faultline-sim: cannot write report %s\n", report_path.c_str());
        rc = rc ? rc : 1;
      } else {
        std::printf("\nreport written to %s\n", report_path.c_str());
      }
    }
  }
  if (rc == 0 && own_log_dir) {
    std::error_code ignored;
    std::filesystem::remove_all(options.log_dir, ignored);
  } else if (rc != 0) {
    std::fprintf(stderr, "faultline-sim: children's logs kept in %s\n", options.log_dir.c_str());
  }
  return rc;
}

#include "scenario/scenario_command.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "rules/validate_command.h"
#include "scenario/expectations.h"
#include "scenario/html_report.h"
#include "scenario/scenario_parser.h"
#include "scenario/scenario_runner.h"
#include "scenario/summary_table.h"

namespace faultline {

namespace {

namespace fs = std::filesystem;
using namespace faultline::scenario;

constexpr int kExitFailed = 1, kExitSetup = 2, kExitInterrupted = 130;

std::string selfDir() {
  char buffer[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) return ".";
  std::string path(buffer, static_cast<std::size_t>(n));
  return path.substr(0, path.find_last_of('/'));
}

std::string dirOf(const std::string& file) {
  std::error_code ec;
  auto absolute = fs::absolute(file, ec);
  return ec ? std::string(".") : absolute.parent_path().string();
}

PlaceholderValues fixedValues(const std::string& file, uint64_t seed, const std::string& log_dir) {
  return {{"bin", selfDir()}, {"dir", dirOf(file)}, {"seed", std::to_string(seed)}, {"log_dir", log_dir}};
}

// Thousands of pending requests need thousands of sockets: use the hard limit.
void raiseFdLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// Fails at once, naming the path, rather than after a run whose logs went nowhere.
std::optional<std::string> checkWritableDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fmt::format("--log-dir {}: cannot create it: {}; expected a directory you can write", dir, ec.message());
  const std::string probe = dir + "/.faultline-write-check";
  {
    std::ofstream out(probe);
    if (!out) return fmt::format("--log-dir {}: not writable; expected a directory you can write", dir);
  }
  fs::remove(probe, ec);
  return std::nullopt;
}

std::optional<std::string> checkWritableFile(const std::string& flag, const std::string& path) {
  if (path.empty()) return std::nullopt;
  const std::string parent = dirOf(path);
  if (::access(parent.c_str(), W_OK) != 0) {
    return fmt::format("{} {}: directory {} is not writable; expected a path you can write", flag, path, parent);
  }
  return std::nullopt;
}

bool writeFile(const std::string& path, const std::string& content) {
  std::ofstream out(path);
  out << content;
  return static_cast<bool>(out);
}

}  // namespace

int runScenarioCommand(int argc, char** argv) {
  CLI::App app{"faultline scenario: run a fault scenario (load, proxies with faults, processes to start, expectations) "
               "from a YAML file"};
  app.require_subcommand(1);
  auto* run = app.add_subcommand("run", "run FILE.yaml; exit 0 when every expectation holds, 1 when one fails, 2 when "
                                        "the file or the set-up is wrong, 130 when interrupted");
  std::string file, junit, report, log_dir;
  uint64_t seed = 0;
  run->add_option("file", file, "the scenario file (see configs/scenarios/)")->required();
  run->add_option("--junit", junit, "write a JUnit XML file: one test case per expectation");
  run->add_option("--report", report, "write an HTML report with charts");
  run->add_option("--log-dir", log_dir, "keep the started commands' logs and faultline.log here (default: a temporary "
                                        "directory, removed when every expectation holds)");
  run->add_option("--seed", seed, "seed of the proxies' random choices (default: random, printed)");
  std::string duration_text;
  double rate = 0;
  run->add_option("--duration", duration_text, "override load.duration (500ms, 30s, 2m; a bare number is seconds)");
  run->add_option("--rate", rate, "override load.rate (requests per second)")->check(CLI::Range(0.01, 10000.0));
  CLI11_PARSE(app, argc, argv);

  auto setupError = [](const std::string& message) {
    std::fprintf(stderr, "faultline scenario: %s\n", message.c_str());
    return kExitSetup;
  };
  for (const auto& [flag, path] : {std::pair<std::string, std::string>{"--junit", junit}, {"--report", report}}) {
    if (auto problem = checkWritableFile(flag, path)) return setupError(*problem);
  }
  bool own_log_dir = false;
  if (log_dir.empty()) {
    char tmpl[] = "/tmp/faultline-scenario-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return setupError(std::string("cannot create a log directory in /tmp: ") + std::strerror(errno));
    log_dir = tmpl;
    own_log_dir = true;
  } else if (auto problem = checkWritableDir(log_dir)) {
    return setupError(*problem);
  }
  if (seed == 0) seed = std::random_device{}() | 1u;

  auto parsed = loadScenarioFile(file, fixedValues(file, seed, log_dir));
  if (!parsed.ok()) {
    std::string all;
    for (const auto& e : parsed.errors) all += e.toString() + "\n";
    std::fprintf(stderr, "%s", all.c_str());
    if (!junit.empty()) writeFile(junit, junitSetupErrorXml(file, all));
    if (own_log_dir) fs::remove_all(log_dir);
    return kExitSetup;
  }
  ScenarioSpec& spec = parsed.spec;
  if (!duration_text.empty()) {
    auto d = parseScenarioDuration(duration_text);
    if (!d || d->count() <= 0) return setupError("--duration " + duration_text + ": not a duration; expected 500ms, 30s, 2m or seconds");
    spec.load.duration = *d;
  }
  if (rate > 0) spec.load.rate = rate;
  if (spec.load.rate * std::chrono::duration<double>(spec.load.duration).count() < 1) {
    return setupError("--duration/--rate: sends nothing (less than one request); expected a longer duration or a higher rate");
  }

  // The proxies run in this process: their log lines go to the log directory, not the terminal.
  try {
    auto logger = spdlog::basic_logger_mt("faultline", log_dir + "/faultline.log");
    logger->set_level(spdlog::level::info);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
  } catch (const spdlog::spdlog_ex& e) {
    return setupError(std::string("cannot write ") + log_dir + "/faultline.log: " + e.what());
  }
  ::signal(SIGPIPE, SIG_IGN);
  raiseFdLimit();

  std::printf("scenario %s%s (seed %llu, logs in %s)\n", spec.name.c_str(),
              spec.description.empty() ? "" : (": " + spec.description).c_str(), static_cast<unsigned long long>(seed),
              log_dir.c_str());
  std::fflush(stdout);
  RunOptions options;
  options.log_dir = log_dir;
  options.seed = seed;
  options.fixed = fixedValues(file, seed, log_dir);
  options.progress = [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  RunOutcome outcome = runScenario(spec, options);
  if (outcome.setup_error) {
    if (!junit.empty()) writeFile(junit, junitSetupErrorXml(spec.name, *outcome.setup_error));
    std::fprintf(stderr, "faultline scenario: %s\nfaultline scenario: logs kept in %s\n", outcome.setup_error->c_str(), log_dir.c_str());
    return kExitSetup;
  }
  int rc = 0;
  for (const auto& v : outcome.result.variants) {
    for (const auto& verdict : v.verdicts) rc = verdict.holds ? rc : kExitFailed;
  }
  if (outcome.interrupted) rc = kExitInterrupted;
  if (!outcome.result.variants.empty()) std::printf("\n%s", summaryTable(outcome.result).c_str());
  if (!junit.empty() && !writeFile(junit, junitXml(outcome.result))) return setupError("cannot write --junit " + junit);
  if (!junit.empty()) std::printf("junit written to %s\n", junit.c_str());
  if (!report.empty() && !writeFile(report, renderHtmlReport(outcome.result))) return setupError("cannot write --report " + report);
  if (!report.empty()) std::printf("report written to %s\n", report.c_str());
  std::fflush(stdout);
  spdlog::default_logger()->flush();
  if (rc == 0 && own_log_dir) {
    spdlog::drop_all();
    std::error_code ignored;
    fs::remove_all(log_dir, ignored);
  } else {
    std::fprintf(stderr, "faultline scenario: logs in %s\n", log_dir.c_str());
  }
  if (outcome.interrupted) std::fprintf(stderr, "faultline scenario: interrupted; everything started was stopped\n");
  return rc;
}

int runValidateFiles(const std::vector<std::string>& files) {
  if (files.empty()) return runValidate(files);
  int status = 0;
  for (const auto& file : files) {
    if (!isScenarioFile(file)) {
      status = std::max(status, runValidate({file}));
      continue;
    }
    auto parsed = loadScenarioFile(file, fixedValues(file, 1, "/tmp"));
    if (!parsed.ok()) {
      for (const auto& e : parsed.errors) std::fprintf(stderr, "%s\n", e.toString().c_str());
      status = 1;
      continue;
    }
    const auto& spec = parsed.spec;
    std::printf("%s: ok (scenario %s: %zu variants, %zu proxies, %zu toxics, %zu expectations)\n", file.c_str(), spec.name.c_str(),
                spec.variants.size(), spec.proxies.proxies.size(), spec.proxies.toxicCount(), spec.expectationCount());
  }
  return status;
}

}  // namespace faultline

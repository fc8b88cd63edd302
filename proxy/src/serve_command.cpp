#include "serve_command.h"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "app.h"
#include "core/log_escape.h"

namespace faultline {

namespace {

// Go's flag package takes -name and --name alike; CLI11 wants --name for long options.
std::vector<std::string> normalizeArgs(int argc, char** argv) {
  static const std::vector<std::string> kLong = {"host",  "port", "config", "seed", "proxy-metrics", "runtime-metrics",
                                                 "version", "proxy", "api-token", "max-toxics-per-proxy"};
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.size() > 2 && arg[0] == '-' && arg[1] != '-') {
      const std::string name = arg.substr(1, arg.find('=') == std::string::npos ? std::string::npos : arg.find('=') - 1);
      for (const auto& known : kLong) {
        if (name == known) {
          arg = "-" + arg;
          break;
        }
      }
    }
    args.push_back(arg);
  }
  return args;
}

Result<ProxyConfig> parseProxyFlag(const std::string& text) {
  auto first = text.find('=');
  auto second = first == std::string::npos ? std::string::npos : text.find('=', first + 1);
  if (second == std::string::npos) {
    return Error::invalid("--proxy '" + text + "': expected NAME=LISTEN=UPSTREAM, e.g. redis=127.0.0.1:26379=127.0.0.1:6379");
  }
  ProxyConfig config;
  config.name = text.substr(0, first);
  config.listen = text.substr(first + 1, second - first - 1);
  config.upstream = text.substr(second + 1);
  return config;
}

void setUpLogging(const std::string& level_name) {
  auto logger = spdlog::stderr_color_mt("faultline");
  spdlog::set_default_logger(logger);
  // %*: the message with control characters escaped (core/log_escape.h).
  spdlog::set_formatter(escapingLogFormatter("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %*"));
  auto level = spdlog::level::from_str(level_name);
  // from_str maps unknown names to "off"; a typo must not silence the logs.
  if (level == spdlog::level::off && level_name != "off") {
    level = spdlog::level::info;
    spdlog::warn("unknown log level '{}', using info (trace, debug, info, warn, error, off)", level_name);
  }
  spdlog::set_level(level);
}

}  // namespace

int runServe(int argc, char** argv) {
  CLI::App cli{"Run the Faultline proxy server and its control API (Toxiproxy v2 compatible)", "faultline serve"};
  AppOptions options;
  std::vector<std::string> proxy_flags;
  uint64_t link_cap_mib = options.registry.link_cap_bytes >> 20;
  uint64_t global_cap_mib = options.registry.global_cap_bytes >> 20;
  int64_t connect_timeout_ms = options.registry.connect_timeout.count();
  int64_t drain_timeout_ms = options.drain_timeout.count();
  uint64_t api_max_header_kib = options.api_max_header_bytes >> 10;
  uint64_t api_max_body_kib = options.api_max_body_bytes >> 10;
  uint64_t rules_max_kib = options.rules_limits.max_bytes >> 10;
  const char* env_level = std::getenv("LOG_LEVEL");
  std::string log_level = env_level != nullptr ? env_level : "info";
  const char* env_token = std::getenv("FAULTLINE_API_TOKEN");
  if (env_token != nullptr) options.api_token = env_token;
  // An empty token would silently mean "no authentication": refused, whichever way it came.
  if (env_token != nullptr && options.api_token.empty()) {
    std::fprintf(stderr, "faultline serve: FAULTLINE_API_TOKEN is set but empty; set a token, or unset the "
                         "variable to run without authentication\n");
    return 2;
  }
  bool show_version = false;
  bool ignored = false;

  // Unsigned options refuse a leading '-' (CLI11 would wrap -1 to the largest value).
  const auto non_negative = CLI::NonNegativeNumber;
  cli.add_option("--host", options.host, "Address the control API binds to")->capture_default_str();
  cli.add_option("--port", options.port, "Port of the control API (0 = any free port)")
      ->capture_default_str()->check(non_negative);
  cli.add_option("--config", options.config_path, "Rules file (YAML, or Toxiproxy's JSON list), reloaded on change");
  cli.add_option("--proxy", proxy_flags, "A proxy NAME=LISTEN=UPSTREAM (repeatable)");
  cli.add_option("--api-token", options.api_token, "Require 'Authorization: Bearer TOKEN' (env FAULTLINE_API_TOKEN)");
  cli.add_option("--seed", options.registry.seed, "Seed for toxicity rolls (0 = random)")->check(non_negative);
  cli.add_option("--link-cap-mib", link_cap_mib, "Bytes one link may buffer before reading pauses, MiB")
      ->capture_default_str()->check(CLI::Range(1, 4096));
  cli.add_option("--global-cap-mib", global_cap_mib, "Bytes all links together may buffer, MiB")
      ->capture_default_str()->check(CLI::Range(1, 1 << 20));
  cli.add_option("--max-connections", options.registry.max_connections, "Sessions per proxy (0 = unlimited)")
      ->capture_default_str()->check(non_negative);
  cli.add_option("--max-toxics-per-proxy", options.registry.max_toxics_per_proxy,
                 "Toxics one proxy may have (0 = unlimited); each is a stage on every live link")
      ->capture_default_str()->check(CLI::Range(std::size_t{0}, std::size_t{100'000}));
  cli.add_option("--api-max-connections", options.api_max_connections,
                 "Control API connections open at once; more are closed at once")
      ->capture_default_str()->check(CLI::Range(1, 65'535));
  cli.add_option("--api-max-header-kib", api_max_header_kib, "Request headers the API accepts (431 over it), KiB")
      ->capture_default_str()->check(CLI::Range(1, 1024));
  cli.add_option("--api-max-body-kib", api_max_body_kib, "Request body the API accepts (413 over it), KiB")
      ->capture_default_str()->check(CLI::Range(1, 64 * 1024));
  cli.add_option("--rules-max-kib", rules_max_kib, "Largest rules file accepted, KiB")
      ->capture_default_str()->check(CLI::Range(1, 64 * 1024));
  cli.add_option("--rules-max-nodes", options.rules_limits.max_nodes, "Most YAML nodes a rules file may have")
      ->capture_default_str()->check(CLI::Range(10, 10'000'000));
  cli.add_option("--connect-timeout-ms", connect_timeout_ms, "Timeout for dialling an upstream")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{600'000}));
  cli.add_option("--drain-timeout-ms", drain_timeout_ms, "On SIGTERM, how long live sessions may finish")
      ->capture_default_str()->check(CLI::Range(int64_t{0}, int64_t{600'000}));
  cli.add_option("--log-level", log_level, "trace, debug, info, warn, error (env LOG_LEVEL)")->capture_default_str();
  cli.add_flag("--version", show_version, "Print the version and exit");
  cli.add_flag("--proxy-metrics,--runtime-metrics", ignored, "Accepted for toxiproxy-server compatibility; metrics are always on");

  auto args = normalizeArgs(argc, argv);
  std::reverse(args.begin(), args.end());
  try {
    cli.parse(args);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  if (cli.count("--config") > 0 && options.config_path.empty()) {
    std::fprintf(stderr, "faultline serve: --config is empty; give the rules file's path, or leave the flag out\n");
    return 2;
  }
  if (cli.count("--api-token") > 0 && options.api_token.empty()) {
    std::fprintf(stderr, "faultline serve: --api-token is empty; give a token, or leave the flag out to run "
                         "without authentication\n");
    return 2;
  }
  if (show_version) {
    std::printf("faultline %s\n", FAULTLINE_VERSION);
    return 0;
  }
  setUpLogging(log_level);
  options.registry.link_cap_bytes = static_cast<std::size_t>(link_cap_mib) << 20;
  options.registry.global_cap_bytes = static_cast<std::size_t>(global_cap_mib) << 20;
  options.registry.connect_timeout = Millis(connect_timeout_ms);
  options.drain_timeout = Millis(drain_timeout_ms);
  options.api_max_header_bytes = static_cast<std::size_t>(api_max_header_kib) << 10;
  options.api_max_body_bytes = static_cast<std::size_t>(api_max_body_kib) << 10;
  options.rules_limits.max_bytes = static_cast<std::size_t>(rules_max_kib) << 10;
  for (const auto& flag : proxy_flags) {
    auto config = parseProxyFlag(flag);
    if (!config) {
      std::fprintf(stderr, "faultline serve: %s\n", config.error().message.c_str());
      return 2;
    }
    options.proxies.push_back(std::move(*config));
  }
  App app(std::move(options));
  return app.run();
}

}  // namespace faultline

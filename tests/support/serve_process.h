#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "http/http_message.h"
#include "support/child_process.h"
#include "support/sockets.h"

namespace faultline::testing {

// A `faultline serve` child process on an ephemeral API port, driven through its HTTP API: the
// hardening properties are about the real binary (its loop, its limits, its fds), not a library.
class ServeProcess {
 public:
  // `extra` is appended to `faultline serve --port 0 --log-level warn` (without the log level
  // when `extra` sets its own). `shell_prefix` (e.g. "ulimit -n 64;")
  // runs the binary through /bin/sh so limits apply to it alone; the pid stays the binary's.
  // `env` entries ("NAME=value") are added to the child's environment.
  explicit ServeProcess(std::vector<std::string> extra = {}, const std::string& shell_prefix = "",
                        std::vector<std::string> env = {});

  bool ready() const { return api_port_ > 0; }
  uint16_t apiPort() const { return api_port_; }
  ChildProcess& child() { return *child_; }

  Result<HttpResponse> api(const std::string& method, const std::string& path, const std::string& body = "");
  // POST /proxies on 127.0.0.1:0; returns the bound port, 0 on failure.
  uint16_t createProxy(const std::string& name, uint16_t upstream_port);
  bool addToxic(const std::string& proxy, const nlohmann::json& toxic);
  // GET /proxies as parsed JSON (null on failure).
  nlohmann::json proxies();

  // Open file descriptors of the child (/proc/PID/fd), -1 if unreadable.
  int openFds() const;
  // utime + stime of the child in clock ticks (/proc/PID/stat), -1 if unreadable.
  long cpuTicks() const;

 private:
  std::unique_ptr<ChildProcess> child_;
  uint16_t api_port_ = 0;
};

// One call to the control API on 127.0.0.1:api_port: the body parsed as JSON (null when the call
// failed or the body is not JSON), or the raw body text ("" on failure).
nlohmann::json apiJson(uint16_t api_port, const std::string& method, const std::string& path,
                       const std::string& body = "");
std::string apiText(uint16_t api_port, const std::string& path);

// The faultline binary next to the test's build output.
std::string faultlineBinary();

// Sends `raw` on a fresh connection to 127.0.0.1:port, half-closes, and returns everything the
// server wrote before closing (or what arrived by the deadline).
std::string rawExchange(uint16_t port, const std::string& raw, milliseconds deadline);

// A faultline subcommand run to its end, stdout and stderr together.
struct FinishedRun {
  int code = -1;  // exit code, 128 + signal, or -1 when killed at the deadline
  std::string output;
};
FinishedRun runFaultline(const std::vector<std::string>& args, milliseconds deadline,
                         std::vector<std::string> env = {});

// The status codes of every "HTTP/1.1 NNN" status line in a response stream, in order.
std::vector<int> statusCodes(const std::string& stream);

}  // namespace faultline::testing

#pragma once
// faultline/testing.hpp -- drive Faultline from a GoogleTest (or any C++) test suite.
//
// In the spirit of Testcontainers' Toxiproxy module: start a Faultline instance (or connect to a
// running one), put a proxy in front of the dependency your code talks to, and switch faults on
// for a scope. Every fault is an RAII object: when the scope ends the toxic is removed (or the
// proxy re-enabled), so a failing assertion never leaks a fault into the next test.
//
//   #include <faultline/testing.hpp>
//   namespace ft = faultline::testing;
//
//   TEST(Checkout, AnswersFromCacheWhenPaymentsIsSlow) {
//     auto faultline = ft::Faultline::start(FAULTLINE_BIN);              // serve --port 0
//     auto payments = faultline.createProxy("payments", "127.0.0.1:" + std::to_string(payments_port));
//     Checkout checkout(payments.url());                                // talk through the proxy
//     {
//       auto slow = payments.withToxic(ft::latency(2000));              // removed at '}'
//       EXPECT_TRUE(checkout.run().from_cache);
//     }
//     {
//       auto down = payments.disabled();                                // refused until '}'
//       EXPECT_EQ(checkout.run().status, 503);
//     }
//   }
//
// Errors (the binary missing, the API refusing a toxic) throw FaultlineError: in a test a fault
// that could not be set up must stop the test, and GoogleTest reports an uncaught exception
// with its message. Destructors never throw; a failed cleanup is printed to stderr instead.
// All calls are blocking (httpRequestSync on a private loop): never call them from a libuv
// callback.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "http/http_client.h"
#include "http/http_url.h"

namespace faultline::testing {

class FaultlineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------------------------------------
// ChildProcess: a program started for a test, its stdout read line by line until it says it is
// ready. Killed (SIGTERM, then SIGKILL) when the object goes away, and also when the test
// process dies (PR_SET_PDEATHSIG), so a crashed suite leaves no servers behind.
class ChildProcess {
 public:
  struct Options {
    std::string binary;
    std::vector<std::string> args;
    std::vector<std::string> env;  // extra "KEY=VALUE" entries on top of the parent's environment
    std::string stderr_path;       // "" = inherit the parent's stderr
  };

  ChildProcess() = default;
  ChildProcess(ChildProcess&& other) noexcept { *this = std::move(other); }
  ChildProcess& operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
      stop();
      pid_ = std::exchange(other.pid_, -1);
      stdout_fd_ = std::exchange(other.stdout_fd_, -1);
      exit_code_ = std::exchange(other.exit_code_, std::nullopt);
      buffer_ = std::move(other.buffer_);
      name_ = std::move(other.name_);
    }
    return *this;
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { stop(); }

  static ChildProcess spawn(const Options& options) {
    if (::access(options.binary.c_str(), X_OK) != 0) {
      throw FaultlineError("cannot run '" + options.binary + "': " + std::strerror(errno) +
                           "; expected the path of a built executable");
    }
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw FaultlineError(std::string("pipe: ") + std::strerror(errno));
    // Everything the child needs is prepared before fork(): after it, only async-signal-safe calls.
    std::vector<std::string> argv_text{options.binary};
    argv_text.insert(argv_text.end(), options.args.begin(), options.args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_text;
    for (char** e = environ; *e != nullptr; ++e) env_text.emplace_back(*e);
    env_text.insert(env_text.end(), options.env.begin(), options.env.end());
    std::vector<char*> envp;
    for (auto& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);
    const pid_t parent = ::getpid();

    const pid_t pid = ::fork();
    if (pid < 0) throw FaultlineError(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(126);  // the parent died before prctl took effect
      ::dup2(pipe_fds[1], STDOUT_FILENO);
      if (!options.stderr_path.empty()) {
        const int fd = ::open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) ::dup2(fd, STDERR_FILENO);
      }
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(pipe_fds[1]);
    ChildProcess child;
    child.pid_ = pid;
    child.stdout_fd_ = pipe_fds[0];
    const auto slash = options.binary.find_last_of('/');
    child.name_ = slash == std::string::npos ? options.binary : options.binary.substr(slash + 1);
    return child;
  }

  // Reads stdout until a line starting with `prefix` and returns the rest of that line. Throws
  // when the process exits or `timeout` passes first.
  std::string waitForLine(std::string_view prefix, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      for (auto eol = buffer_.find('\n'); eol != std::string::npos; eol = buffer_.find('\n')) {
        std::string line = buffer_.substr(0, eol);
        buffer_.erase(0, eol + 1);
        if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        throw FaultlineError(name_ + " did not print '" + std::string(prefix) + "' within " +
                             std::to_string(timeout.count()) + " ms");
      }
      pollfd pfd{stdout_fd_, POLLIN, 0};
      const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) continue;
      char chunk[4096];
      const ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
      if (n > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(n));
      } else if (n == 0) {
        const auto code = waitExit(std::chrono::milliseconds(2000));
        throw FaultlineError(name_ + " exited (" + describeExit(code) + ") before printing '" +
                             std::string(prefix) + "'");
      }
    }
  }

  // The exit code (128 + signal for a signal) once the process has ended; nullopt while it runs.
  std::optional<int> exitCode() {
    if (exit_code_ || pid_ <= 0) return exit_code_;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) exit_code_ = decode(status);
    return exit_code_;
  }
  bool running() { return pid_ > 0 && !exitCode().has_value(); }
  pid_t pid() const { return pid_; }

  // Sends `sig` if the process still runs.
  void signal(int sig) {
    if (running()) ::kill(pid_, sig);
  }

  // SIGTERM, then SIGKILL after `grace`; returns the exit code (-1 when there was no process).
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000)) {
    if (pid_ <= 0) return -1;
    if (running()) {
      ::kill(pid_, SIGTERM);
      if (!waitExit(grace)) {
        ::kill(pid_, SIGKILL);
        waitExit(std::chrono::milliseconds(5000));
      }
    }
    if (stdout_fd_ >= 0) ::close(std::exchange(stdout_fd_, -1));
    const int code = exit_code_.value_or(-1);
    pid_ = -1;
    return code;
  }

  static std::string describeExit(std::optional<int> code) {
    if (!code) return "still running";
    if (*code > 128) return "killed by signal " + std::to_string(*code - 128);
    return "exit code " + std::to_string(*code);
  }

 private:
  static int decode(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
  }
  std::optional<int> waitExit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exitCode() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return exit_code_;
  }

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::optional<int> exit_code_;
  std::string buffer_;
  std::string name_;
};

// ---------------------------------------------------------------------------------------------
// Toxics: what a fault looks like on the wire. Attributes are Toxiproxy's (integers; latency in
// ms, slicer delay in us, bandwidth rate in KB/s).
struct Toxic {
  std::string type;
  std::string name;                  // "" = Faultline's default, "<type>_<stream>"
  std::string stream = "downstream";  // "upstream" = client -> server bytes
  double toxicity = 1.0;             // share of connections affected
  std::map<std::string, int64_t> attributes;
  // String-valued attributes (cut's mode, latency's distribution, any toxic's client CIDR).
  std::map<std::string, std::string> text_attributes = {};

  Toxic named(std::string n) const { Toxic t = *this; t.name = std::move(n); return t; }
  Toxic upstream() const { Toxic t = *this; t.stream = "upstream"; return t; }
  Toxic withToxicity(double p) const { Toxic t = *this; t.toxicity = p; return t; }
  // Both directions in one request: the server makes <name>_upstream and <name>_downstream.
  Toxic bothStreams() const { Toxic t = *this; t.stream = "both"; return t; }
  Toxic with(const std::string& key, const std::string& value) const {
    Toxic t = *this;
    t.text_attributes[key] = value;
    return t;
  }
  // Only connections from this client block ("127.0.0.2/32", "::1/128") get the toxic.
  Toxic forClients(const std::string& cidr) const { return with("client", cidr); }
  nlohmann::json attributesJson() const {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, value] : attributes) out[key] = value;
    for (const auto& [key, value] : text_attributes) out[key] = value;
    return out;
  }
};

inline Toxic latency(int64_t latency_ms, int64_t jitter_ms = 0) {
  return {"latency", "", "downstream", 1.0, {{"latency", latency_ms}, {"jitter", jitter_ms}}};
}
// Resets connections (RST) `timeout_ms` after they open; 0 = at once.
inline Toxic resetPeer(int64_t timeout_ms = 0) { return {"reset_peer", "", "downstream", 1.0, {{"timeout", timeout_ms}}}; }
// Swallows data and closes after `timeout_ms`; 0 = holds the connection forever (a blackhole).
inline Toxic timeout(int64_t timeout_ms = 0) { return {"timeout", "", "downstream", 1.0, {{"timeout", timeout_ms}}}; }
inline Toxic bandwidth(int64_t rate_kbps) { return {"bandwidth", "", "downstream", 1.0, {{"rate", rate_kbps}}}; }
inline Toxic slicer(int64_t average_size, int64_t size_variation, int64_t delay_us) {
  return {"slicer", "", "downstream", 1.0,
          {{"average_size", average_size}, {"size_variation", size_variation}, {"delay", delay_us}}};
}
inline Toxic limitData(int64_t bytes) { return {"limit_data", "", "downstream", 1.0, {{"bytes", bytes}}}; }

// ---------------------------------------------------------------------------------------------
// The REST client the handles below share (Toxiproxy v2 API).
class ApiClient {
 public:
  explicit ApiClient(HttpUrl url, std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000))
      : url_(std::move(url)), timeout_(timeout) {}

  // Sends a request; returns the parsed JSON body (null for an empty body). Throws on transport
  // errors and on any status outside 2xx, with the API's own error text.
  nlohmann::json call(const std::string& method, const std::string& path,
                      const std::optional<nlohmann::json>& body = std::nullopt) const {
    HttpClientRequest request;
    request.method = method;
    request.host = url_.host;
    request.port = url_.port;
    request.path = url_.base_path + path;
    request.timeout = timeout_;
    request.headers.emplace_back("Host", url_.hostHeader());
    request.headers.emplace_back("User-Agent", "faultline-testing");
    if (body) {
      request.body = body->dump();
      request.headers.emplace_back("Content-Type", "application/json");
    }
    auto response = httpRequestSync(request);
    const std::string what = method + " " + url_.toString() + path;
    if (!response.ok()) throw FaultlineError(what + ": " + response.error().message);
    if (response->status < 200 || response->status > 299) {
      throw FaultlineError(what + ": HTTP " + std::to_string(response->status) + ": " + response->body);
    }
    if (response->body.empty()) return nullptr;
    auto parsed = nlohmann::json::parse(response->body, nullptr, false);
    if (parsed.is_discarded()) throw FaultlineError(what + ": answer is not JSON: " + response->body);
    return parsed;
  }
  const HttpUrl& url() const { return url_; }

 private:
  HttpUrl url_;
  std::chrono::milliseconds timeout_;
};

namespace detail {
inline void warnCleanupFailed(const std::string& what, const std::exception& e) {
  std::fprintf(stderr, "faultline::testing: %s failed during cleanup: %s\n", what.c_str(), e.what());
}
}  // namespace detail

// A toxic that exists until this object goes away (or remove() is called).
class [[nodiscard]] ToxicScope {
 public:
  ToxicScope(std::shared_ptr<const ApiClient> api, std::string proxy, std::string toxic)
      : api_(std::move(api)), proxy_(std::move(proxy)), toxic_(std::move(toxic)) {}
  ToxicScope(ToxicScope&& other) noexcept
      : api_(std::move(other.api_)), proxy_(std::move(other.proxy_)), toxic_(std::move(other.toxic_)) {}
  ToxicScope& operator=(ToxicScope&&) = delete;
  ToxicScope(const ToxicScope&) = delete;
  ToxicScope& operator=(const ToxicScope&) = delete;
  ~ToxicScope() {
    try {
      remove();
    } catch (const std::exception& e) {
      detail::warnCleanupFailed("removing toxic " + toxic_ + " of proxy " + proxy_, e);
    }
  }

  const std::string& name() const { return toxic_; }
  // Changes attributes (merged with the current ones) while the scope lasts.
  void update(const std::map<std::string, int64_t>& attributes) {
    if (api_) api_->call("POST", "/proxies/" + proxy_ + "/toxics/" + toxic_, nlohmann::json{{"attributes", attributes}});
  }
  // Ends the fault now; the destructor then does nothing.
  void remove() {
    if (auto api = std::move(api_)) api->call("DELETE", "/proxies/" + proxy_ + "/toxics/" + toxic_);
  }

 private:
  std::shared_ptr<const ApiClient> api_;
  std::string proxy_;
  std::string toxic_;
};

// A proxy disabled (listener closed, its connections cut) until this object goes away.
class [[nodiscard]] DisabledScope {
 public:
  DisabledScope(std::shared_ptr<const ApiClient> api, std::string proxy) : api_(std::move(api)), proxy_(std::move(proxy)) {}
  DisabledScope(DisabledScope&& other) noexcept : api_(std::move(other.api_)), proxy_(std::move(other.proxy_)) {}
  DisabledScope& operator=(DisabledScope&&) = delete;
  DisabledScope(const DisabledScope&) = delete;
  DisabledScope& operator=(const DisabledScope&) = delete;
  ~DisabledScope() {
    try {
      restore();
    } catch (const std::exception& e) {
      detail::warnCleanupFailed("re-enabling proxy " + proxy_, e);
    }
  }
  // Re-enables the proxy now; the destructor then does nothing.
  void restore() {
    if (auto api = std::move(api_)) api->call("POST", "/proxies/" + proxy_, nlohmann::json{{"enabled", true}});
  }

 private:
  std::shared_ptr<const ApiClient> api_;
  std::string proxy_;
};

// One proxy of a Faultline instance. Cheap to copy; stays usable after the Faultline object
// that made it has moved.
class Proxy {
 public:
  Proxy(std::shared_ptr<const ApiClient> api, std::string name, std::string listen)
      : api_(std::move(api)), name_(std::move(name)), listen_(std::move(listen)) {}

  const std::string& name() const { return name_; }
  // The address actually bound: "127.0.0.1:40123" (port 0 was replaced by the chosen one).
  const std::string& listen() const { return listen_; }
  std::string host() const {
    const auto colon = listen_.rfind(':');
    std::string h = listen_.substr(0, colon);
    if (h.size() >= 2 && h.front() == '[') h = h.substr(1, h.size() - 2);
    return h;
  }
  uint16_t port() const { return static_cast<uint16_t>(std::stoi(listen_.substr(listen_.rfind(':') + 1))); }
  // "http://127.0.0.1:40123" + path: for HTTP dependencies.
  std::string url(const std::string& path = "") const { return "http://" + listen_ + path; }

  // Adds a toxic for as long as the returned scope lives.
  ToxicScope withToxic(const Toxic& toxic) const {
    std::string added = addToxic(toxic);
    // A "both" toxic is a pair; deleting its base name removes both halves.
    if (toxic.stream == "both") added = toxic.name.empty() ? toxic.type : toxic.name;
    return ToxicScope(api_, name_, added);
  }
  // Adds a toxic that stays until removeToxic() or Faultline::reset(); returns its name.
  std::string addToxic(const Toxic& toxic) const {
    nlohmann::json body{{"type", toxic.type}, {"stream", toxic.stream}, {"toxicity", toxic.toxicity},
                        {"attributes", toxic.attributesJson()}};
    if (!toxic.name.empty()) body["name"] = toxic.name;
    auto created = api_->call("POST", "/proxies/" + name_ + "/toxics", body);
    return created.value("name", toxic.name);
  }
  void removeToxic(const std::string& toxic) const { api_->call("DELETE", "/proxies/" + name_ + "/toxics/" + toxic); }

  // Disables the proxy for as long as the returned scope lives: new connections are refused
  // and the open ones are closed, as if the dependency went down.
  DisabledScope disabled() const {
    setEnabled(false);
    return DisabledScope(api_, name_);
  }
  void setEnabled(bool enabled) const { api_->call("POST", "/proxies/" + name_, nlohmann::json{{"enabled", enabled}}); }

 private:
  std::shared_ptr<const ApiClient> api_;
  std::string name_;
  std::string listen_;
};

// A Faultline instance: one this test started (stopped when the object goes away), or one that
// was already running.
class Faultline {
 public:
  // Starts `binary serve --port 0 [extra_args...]` and waits for its control API.
  static Faultline start(const std::string& binary, const std::vector<std::string>& extra_args = {},
                         std::chrono::milliseconds ready_timeout = std::chrono::milliseconds(15'000),
                         const std::string& stderr_path = "") {
    ChildProcess::Options options;
    options.binary = binary;
    options.args = {"serve", "--host", "127.0.0.1", "--port", "0"};
    options.args.insert(options.args.end(), extra_args.begin(), extra_args.end());
    options.stderr_path = stderr_path;
    auto process = ChildProcess::spawn(options);
    const std::string url = process.waitForLine("control API listening on ", ready_timeout);
    Faultline faultline = connect(url);
    faultline.process_ = std::move(process);
    return faultline;
  }

  // Uses a Faultline (or Toxiproxy) server that is already running: "http://127.0.0.1:8474".
  static Faultline connect(const std::string& api_url) {
    auto url = parseHttpUrl(api_url);
    if (!url.ok()) throw FaultlineError("Faultline API URL: " + url.error().message);
    Faultline faultline;
    faultline.api_ = std::make_shared<const ApiClient>(*url);
    return faultline;
  }

  std::string apiUrl() const { return api_->url().toString(); }
  const ApiClient& api() const { return *api_; }
  // The server process when start() launched it (nullptr for connect()).
  ChildProcess* process() { return process_.pid() > 0 ? &process_ : nullptr; }

  // Creates a proxy (listen defaults to a free loopback port) and returns it with its bound
  // address. A proxy of that name left over from an earlier test is replaced.
  Proxy createProxy(const std::string& name, const std::string& upstream, const std::string& listen = "127.0.0.1:0") {
    try {
      api_->call("DELETE", "/proxies/" + name);
    } catch (const FaultlineError&) {
      // Not there: the usual case.
    }
    auto created = api_->call("POST", "/proxies", nlohmann::json{{"name", name}, {"listen", listen}, {"upstream", upstream}});
    return Proxy(api_, name, created.value("listen", listen));
  }
  // A proxy that exists already (from --proxy, a rules file or another client).
  Proxy proxy(const std::string& name) const {
    auto info = api_->call("GET", "/proxies/" + name);
    return Proxy(api_, name, info.value("listen", ""));
  }
  // Enables every proxy and removes every toxic.
  void reset() const { api_->call("POST", "/reset"); }

 private:
  Faultline() = default;
  std::shared_ptr<const ApiClient> api_;
  ChildProcess process_;
};

}  // namespace faultline::testing

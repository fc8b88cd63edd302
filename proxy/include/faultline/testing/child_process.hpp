#pragma once
// faultline/testing/child_process.hpp -- a program started for a test (the one ChildProcess:
// faultline::testing::Faultline, the repo's own e2e, hardening and chaos suites and the
// simulator all use this class).
//
// Its stdout is read line by line (every byte read is kept in output()). It is stopped when the
// object goes away, and also when the test process dies (PR_SET_PDEATHSIG), so a crashed suite
// leaves no servers behind.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "faultline/testing/error.hpp"

namespace faultline::testing {

class ChildProcess {
 public:
  struct Options {
    std::string binary;
    std::vector<std::string> args;
    std::vector<std::string> env;  // extra "KEY=VALUE" entries on top of the parent's environment
    std::string stderr_path;       // "" = inherit the parent's stderr
  };

  ChildProcess() = default;
  // Starts argv[0] with argv[1..] without throwing (started() says whether it ran); the
  // destructor kills it at once. The form the repo's own suites use.
  explicit ChildProcess(std::vector<std::string> argv, std::vector<std::string> env = {}) {
    if (argv.empty()) return;
    Options options;
    options.binary = argv.front();
    options.args.assign(argv.begin() + 1, argv.end());
    options.env = std::move(env);
    start(options);
    grace_ = std::chrono::milliseconds(0);
  }
  ChildProcess(ChildProcess&& other) noexcept { *this = std::move(other); }
  ChildProcess& operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
      stop(grace_);
      pid_ = std::exchange(other.pid_, -1);
      stdout_fd_ = std::exchange(other.stdout_fd_, -1);
      exit_code_ = std::exchange(other.exit_code_, std::nullopt);
      buffer_ = std::move(other.buffer_);
      output_ = std::move(other.output_);
      name_ = std::move(other.name_);
      grace_ = other.grace_;
    }
    return *this;
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { stop(grace_); }

  // Starts the program or throws FaultlineError saying why it could not.
  static ChildProcess spawn(const Options& options) {
    if (::access(options.binary.c_str(), X_OK) != 0) {
      throw FaultlineError("cannot run '" + options.binary + "': " + std::strerror(errno) +
                           "; expected the path of a built executable");
    }
    ChildProcess child;
    if (const std::string error = child.start(options); !error.empty()) throw FaultlineError(error);
    return child;
  }

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Every byte of stdout read so far.
  const std::string& output() const { return output_; }

  // Reads stdout until a line starting with `prefix` and returns the rest of that line. Throws
  // when the process exits or `timeout` passes first.
  std::string waitForLine(std::string_view prefix, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (auto line = nextLine([&](const std::string& l) { return l.rfind(prefix, 0) == 0; })) {
        return line->substr(prefix.size());
      }
      switch (readSome(deadline)) {
        case Read::kData: break;
        case Read::kTimeout:
          throw FaultlineError(name_ + " did not print '" + std::string(prefix) + "' within " +
                               std::to_string(timeout.count()) + " ms");
        case Read::kEnd:
          throw FaultlineError(name_ + " exited (" + describeExit(waitExit(std::chrono::milliseconds(2000))) +
                               ") before printing '" + std::string(prefix) + "'");
      }
    }
  }

  // The next whole stdout line that contains `needle`, or "" at the deadline or end of output.
  std::string lineContaining(std::string_view needle, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (auto line = nextLine([&](const std::string& l) { return l.find(needle) != std::string::npos; })) return *line;
      if (readSome(deadline) != Read::kData) return "";
    }
  }

  // Reads stdout until it ends or the deadline; returns what no line search consumed.
  std::string readAll(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (readSome(deadline) == Read::kData) {
    }
    return std::exchange(buffer_, std::string());
  }

  // The exit code (128 + signal for a signal) once the process has ended; nullopt while it runs.
  std::optional<int> exitCode() {
    if (exit_code_ || pid_ <= 0) return exit_code_;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) exit_code_ = decode(status);
    return exit_code_;
  }
  bool running() { return pid_ > 0 && !exitCode().has_value(); }

  // Sends `sig` if the process still runs.
  void signal(int sig) {
    if (running()) ::kill(pid_, sig);
  }

  // Waits for the exit: its code, or -1 when it did not end within `timeout`.
  int wait(std::chrono::milliseconds timeout) { return waitExit(timeout).value_or(-1); }

  // SIGTERM, then SIGKILL after `grace` (at once when 0); returns the exit code (-1 when there
  // was no process).
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000)) {
    if (pid_ <= 0) return -1;
    if (running()) {
      ::kill(pid_, grace.count() > 0 ? SIGTERM : SIGKILL);
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
  enum class Read { kData, kTimeout, kEnd };

  // Forks and execs; "" on success, else why not. Everything the child needs is prepared
  // before fork(): after it, only async-signal-safe calls.
  std::string start(const Options& options) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
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
    if (pid < 0) {
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
      return std::string("fork: ") + std::strerror(errno);
    }
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
    pid_ = pid;
    stdout_fd_ = pipe_fds[0];
    const auto slash = options.binary.find_last_of('/');
    name_ = slash == std::string::npos ? options.binary : options.binary.substr(slash + 1);
    return "";
  }

  // Takes complete lines off the unread buffer until one matches.
  template <typename Match>
  std::optional<std::string> nextLine(Match match) {
    for (auto eol = buffer_.find('\n'); eol != std::string::npos; eol = buffer_.find('\n')) {
      std::string line = buffer_.substr(0, eol);
      buffer_.erase(0, eol + 1);
      if (match(line)) return line;
    }
    return std::nullopt;
  }

  Read readSome(std::chrono::steady_clock::time_point deadline) {
    if (stdout_fd_ < 0) return Read::kEnd;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Read::kTimeout;
      pollfd pfd{stdout_fd_, POLLIN, 0};
      const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) continue;
      char chunk[4096];
      const ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) return Read::kEnd;
      buffer_.append(chunk, static_cast<std::size_t>(n));
      output_.append(chunk, static_cast<std::size_t>(n));
      return Read::kData;
    }
  }

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
    return exitCode();
  }

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::optional<int> exit_code_;
  std::string buffer_;
  std::string output_;
  std::string name_;
  // The destructor's SIGTERM grace before SIGKILL: 5 s for spawn(), none (SIGKILL at once) for
  // the argv constructor, whose suites want a crashed test's servers gone immediately.
  std::chrono::milliseconds grace_{5000};
};

}  // namespace faultline::testing

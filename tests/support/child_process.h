#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace faultline::testing {

// A child process with its stdout captured line by line, for e2e tests of the real binaries.
// The destructor kills it (SIGKILL) if it is still running, so a failing test leaves nothing.
class ChildProcess {
 public:
  explicit ChildProcess(std::vector<std::string> argv, std::vector<std::string> env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // The next stdout line that contains `needle` (earlier lines are kept in output()), or "" at
  // the deadline or EOF.
  std::string waitForLine(const std::string& needle, std::chrono::milliseconds deadline);
  // Reads stdout until EOF or the deadline.
  std::string readAll(std::chrono::milliseconds deadline);
  void signal(int signum);
  // Exit code (or 128 + signal), or -1 if it did not exit within the deadline.
  int wait(std::chrono::milliseconds deadline);
  const std::string& output() const { return output_; }

 private:
  bool readSome(std::chrono::steady_clock::time_point until);

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  std::string output_;
  int exit_code_ = -1;
};

// The API port from "control API listening on http://127.0.0.1:PORT".
int apiPortFromLine(const std::string& line);

}  // namespace faultline::testing

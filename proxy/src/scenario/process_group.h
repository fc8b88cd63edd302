#pragma once
// A command a scenario starts (`start:`): `sh -c` in a process group of its own, stdout and
// stderr to a log file. Stopping signals the whole group, so a shell's children go too; the
// leader also gets SIGTERM should the runner itself die (PR_SET_PDEATHSIG). Owned by the
// scenario's loop thread; exits are noticed by polling (poll()), never by blocking.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "core/result.h"

namespace faultline::scenario {

class ProcessGroup {
 public:
  // The log is opened (appended) before forking, so an unwritable path is an error here.
  static Result<std::unique_ptr<ProcessGroup>> start(const std::string& name, const std::string& command,
                                                     const std::string& log_path);
  ~ProcessGroup();  // SIGKILL to the group and reap, if still running
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  const std::string& name() const { return name_; }
  const std::string& logPath() const { return log_path_; }
  pid_t pid() const { return pid_; }
  // Reaps the leader if it has exited: its exit status, or 128 + signal.
  std::optional<int> poll();
  bool running() { return !poll().has_value(); }
  void signalGroup(int signal) const;

 private:
  ProcessGroup() = default;

  std::string name_;
  std::string log_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// The last `max_bytes` of a log, for error messages.
std::string logTail(const std::string& path, std::size_t max_bytes = 600);

}  // namespace faultline::scenario

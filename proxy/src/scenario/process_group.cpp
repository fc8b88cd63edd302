#include "scenario/process_group.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace faultline::scenario {

namespace {

// A plain command is exec'd by the shell, so the pid we hold is the program's own (its RSS is
// what `observe: process:` reads); a compound one keeps its shell.
bool compound(const std::string& command) {
  return command.find_first_of(";&|\n`") != std::string::npos || command.find("$(") != std::string::npos;
}

}  // namespace

Result<std::unique_ptr<ProcessGroup>> ProcessGroup::start(const std::string& name, const std::string& command,
                                                          const std::string& log_path) {
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return Error::io("cannot open log " + log_path + ": " + std::strerror(errno) + "; expected a writable --log-dir");
  }
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  // Everything the child needs is prepared before fork(): after it, only async-signal-safe calls.
  std::string script = compound(command) ? command : "exec " + command;
  std::vector<std::string> argv_text = {"/bin/sh", "-c", script};
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    return Error::io(std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(126);  // the runner died before prctl took effect
    // The runner ignores SIGPIPE and handles SIGINT/SIGTERM; the command gets the defaults.
    ::signal(SIGPIPE, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: signals sent before the child ran setpgid must reach it
  ::close(log_fd);
  if (null_fd >= 0) ::close(null_fd);
  std::unique_ptr<ProcessGroup> group(new ProcessGroup());
  group->name_ = name;
  group->log_path_ = log_path;
  group->pid_ = pid;
  return group;
}

ProcessGroup::~ProcessGroup() {
  if (pid_ <= 0) return;
  signalGroup(SIGKILL);  // also what the leader left behind
  if (!exit_code_) {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

std::optional<int> ProcessGroup::poll() {
  if (exit_code_ || pid_ <= 0) return exit_code_;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
  } else if (r < 0 && errno == ECHILD) {
    exit_code_ = 255;
  }
  return exit_code_;
}

void ProcessGroup::signalGroup(int signal) const {
  if (pid_ > 0) ::kill(-pid_, signal);
}

std::string logTail(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  if (s.size() > max_bytes) s = "..." + s.substr(s.size() - max_bytes);
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace faultline::scenario

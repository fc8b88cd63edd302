#include "rules/rules_loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace faultline {

namespace {

std::string systemError(int err) { return std::strerror(err); }

const char* fileKind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "a special file";
}

}  // namespace

Result<std::string> readRulesFile(const std::string& path, std::size_t max_bytes) {
  // Non-blocking: open() on a FIFO without a writer would otherwise block the loop (and with it
  // the API and every proxy) until someone writes. Whatever it is, fstat then refuses it.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Error::notFound(path + ": rules file not found");
    return Error::io(path + ": cannot open rules file: " + systemError(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Error::io(path + ": cannot stat rules file: " + systemError(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error::invalid(path + ": is " + std::string(fileKind(st.st_mode)) +
                          ", not a regular file; expected a YAML or JSON rules file");
  }
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return Error{ErrorCode::kTooLarge,
                 path + ": " + rulesTooLargeMessage(std::to_string(st.st_size) + " bytes", max_bytes)};
  }
  // Read up to one byte past the limit: the file may be growing while we read it.
  std::string content;
  char buf[64 * 1024];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Error::io(path + ": cannot read rules file: " + systemError(err));
    }
    if (n == 0) break;
    content.append(buf, static_cast<std::size_t>(n));
    if (content.size() > max_bytes) {
      ::close(fd);
      return Error{ErrorCode::kTooLarge,
                   path + ": " + rulesTooLargeMessage("over " + std::to_string(max_bytes) + " bytes", max_bytes)};
    }
  }
  ::close(fd);
  return content;
}

RulesParseResult loadRulesFile(const std::string& path, const RulesLimits& limits) {
  auto content = readRulesFile(path, limits.max_bytes);
  if (!content) {
    RulesParseResult result;
    result.config.file = path;
    // readRulesFile's messages already start with the path.
    std::string message = content.error().message;
    if (message.rfind(path + ": ", 0) == 0) message = message.substr(path.size() + 2);
    result.errors.push_back({path, {}, "", message});
    if (content.error().code == ErrorCode::kTooLarge) result.limit_hit = RulesLimit::kFileBytes;
    return result;
  }
  return parseRulesText(*content, path, limits);
}

}  // namespace faultline

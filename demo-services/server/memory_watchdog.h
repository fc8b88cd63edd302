#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace faultline {

// Guards against the failure the demo's unprotected path invites: unbounded pending partner calls
// grow memory until the OOM killer ends the process without a word. The watchdog reads RSS every
// second and, above the limit, the server logs the figure and exits with kExitCode.
class MemoryWatchdog {
 public:
  static constexpr int kExitCode = 3;
  static constexpr uint64_t kDefaultLimitMib = 512;

  explicit MemoryWatchdog(uint64_t limit_bytes) : limit_bytes_(limit_bytes) {}

  bool overLimit(uint64_t rss_bytes) const { return rss_bytes > limit_bytes_; }
  uint64_t limitBytes() const { return limit_bytes_; }

 private:
  uint64_t limit_bytes_;
};

// APP_MEMORY_LIMIT / --memory-limit: a positive whole number of MiB.
// "APP_MEMORY_LIMIT: expected a positive whole number of MiB (e.g. 512), got '1.5G'".
Result<uint64_t> parseMemoryLimitMib(std::string_view text, std::string_view source);

// The resident set in bytes from the text of /proc/self/statm ("size resident shared ...", pages).
Result<uint64_t> parseStatmRssBytes(std::string_view statm, uint64_t page_size);

// Reads /proc/self/statm (a small blocking read of a kernel file: microseconds, never the disk).
Result<uint64_t> readProcessRssBytes();

}  // namespace faultline

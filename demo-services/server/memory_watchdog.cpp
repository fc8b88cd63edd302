#include "memory_watchdog.h"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace faultline {

Result<uint64_t> parseMemoryLimitMib(std::string_view text, std::string_view source) {
  uint64_t mib = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, mib);
  if (text.empty() || ec != std::errc{} || ptr != last || mib == 0 || mib > (uint64_t{1} << 30)) {
    return Error::invalid(
        fmt::format("{}: expected a positive whole number of MiB (e.g. 512), got '{}'", source, text));
  }
  return mib;
}

Result<uint64_t> parseStatmRssBytes(std::string_view statm, uint64_t page_size) {
  // Fields: size resident shared text lib data dt; we need the second.
  std::size_t pos = 0;
  auto skipSpaces = [&] {
    while (pos < statm.size() && (statm[pos] == ' ' || statm[pos] == '\t')) ++pos;
  };
  auto readNumber = [&](uint64_t& out) {
    skipSpaces();
    const char* first = statm.data() + pos;
    auto [ptr, ec] = std::from_chars(first, statm.data() + statm.size(), out);
    if (ec != std::errc{} || ptr == first) return false;
    pos += static_cast<std::size_t>(ptr - first);
    return true;
  };
  uint64_t size_pages = 0;
  uint64_t resident_pages = 0;
  if (!readNumber(size_pages) || !readNumber(resident_pages)) {
    return Error::invalid(fmt::format("/proc/self/statm: expected 'size resident ...' in pages, got '{}'", statm));
  }
  return resident_pages * page_size;
}

Result<uint64_t> readProcessRssBytes() {
  std::ifstream in("/proc/self/statm");
  if (!in) return Error::io("cannot open /proc/self/statm (is /proc mounted?)");
  std::string line;
  std::getline(in, line);
  const long page = sysconf(_SC_PAGESIZE);
  return parseStatmRssBytes(line, page > 0 ? static_cast<uint64_t>(page) : 4096);
}

}  // namespace faultline

#include <cstdint>
#include <cstdio>
#include <string>

#include "rules/rules_parser.h"

namespace faultline {

std::string rulesContentHash(std::string_view content) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : content) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace faultline

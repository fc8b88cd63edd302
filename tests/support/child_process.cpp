#include "support/child_process.h"

#include <cstdlib>

namespace faultline::testing {

int apiPortFromLine(const std::string& line) {
  auto colon = line.rfind(':');
  if (colon == std::string::npos) return 0;
  return std::atoi(line.c_str() + colon + 1);
}

}  // namespace faultline::testing

#pragma once

#include <string>
#include <string_view>

namespace faultline {

// What this platform can do that some toxic types need. connect_timeout holds the listen address
// unanswered (net/connect_blackhole.h), which works only where the kernel drops SYNs to a full
// accept queue: Linux.
struct PlatformSupport {
  std::string connect_timeout_unsupported;  // why connect_timeout cannot work here; "" when it can
};

// This platform's answer (or the one a test put in its place).
const PlatformSupport& platformSupport();
// Tests: answer as another platform would until called again with nullptr. Loop thread only.
void overridePlatformSupportForTesting(const PlatformSupport* support);

// Why toxic `type` cannot be created on a platform with `support`, and what to use instead;
// "" when it can. Every way a toxic is created (API, rules files, validate) asks this.
std::string toxicTypeUnsupported(std::string_view type, const PlatformSupport& support = platformSupport());

}  // namespace faultline

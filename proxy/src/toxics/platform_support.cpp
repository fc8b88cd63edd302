#include "toxics/platform_support.h"

#include "net/connect_blackhole.h"

namespace faultline {

namespace {
const PlatformSupport* override_ = nullptr;
}  // namespace

const PlatformSupport& platformSupport() {
  if (override_ != nullptr) return *override_;
  static const PlatformSupport real{ConnectBlackhole::unsupportedReason()};
  return real;
}

void overridePlatformSupportForTesting(const PlatformSupport* support) { override_ = support; }

std::string toxicTypeUnsupported(std::string_view type, const PlatformSupport& support) {
  if (type == "connect_timeout" && !support.connect_timeout_unsupported.empty()) {
    return support.connect_timeout_unsupported +
           "; on this platform use the timeout toxic (connections open, then nothing moves) instead";
  }
  return "";
}

}  // namespace faultline

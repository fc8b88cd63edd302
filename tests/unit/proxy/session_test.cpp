#include "proxy/session.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

// An idle session's memory is mostly the Session object: at 1,408 bytes the bench measures
// about 1.5 KiB of RSS per idle session (2.9 KiB when the dialer, three timer handles and two
// shutdown requests lived inside it). The two TCP handles are 496 bytes of it; what only a dial,
// a toxic's deadline, a drain or a half-close needs is made then and freed after.
TEST(Session, AnIdleSessionHoldsOnlyWhatItNeedsWhileIdle) {
  RecordProperty("sizeof_session", std::to_string(sizeof(Session)));
  EXPECT_LE(sizeof(Session), 1700u) << "something made per session now lives inside it";
  EXPECT_LE(sizeof(Link), 320u) << "a link without toxics needs no timer handle or shutdown request inline";
}

}  // namespace
}  // namespace faultline

#include "memory_watchdog.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

TEST(MemoryWatchdog, TripsOnlyAboveTheLimit) {
  MemoryWatchdog w(100 * 1024 * 1024);
  EXPECT_FALSE(w.overLimit(50 * 1024 * 1024));
  EXPECT_FALSE(w.overLimit(100 * 1024 * 1024));
  EXPECT_TRUE(w.overLimit(100 * 1024 * 1024 + 1));
}

TEST(MemoryWatchdog, ExitCodeIsThree) { EXPECT_EQ(MemoryWatchdog::kExitCode, 3); }

TEST(MemoryWatchdog, ParsesALimitInMib) {
  auto r = parseMemoryLimitMib("512", "APP_MEMORY_LIMIT");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 512u);
}

TEST(MemoryWatchdog, RejectsInvalidLimitsWithAMessageNamingTheSource) {
  for (const char* bad : {"", "0", "-1", "1.5", "512M", "abc", "99999999999999999999999"}) {
    auto r = parseMemoryLimitMib(bad, "APP_MEMORY_LIMIT");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("APP_MEMORY_LIMIT"), std::string::npos);
    EXPECT_NE(r.error().message.find("MiB"), std::string::npos);
  }
}

TEST(MemoryWatchdog, ReadsResidentPagesFromStatm) {
  auto r = parseStatmRssBytes("10240 2560 512 100 0 3000 0\n", 4096);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 2560u * 4096u);
}

TEST(MemoryWatchdog, RejectsMalformedStatm) {
  EXPECT_FALSE(parseStatmRssBytes("", 4096).ok());
  EXPECT_FALSE(parseStatmRssBytes("10240", 4096).ok());
  EXPECT_FALSE(parseStatmRssBytes("abc def", 4096).ok());
}

TEST(MemoryWatchdog, ReadsThisProcessRss) {
  auto r = readProcessRssBytes();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GT(*r, 0u);
}

}  // namespace
}  // namespace faultline

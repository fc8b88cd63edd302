// --after/--for/--every/--times -> the REST schedule object, and how inspect shows it.
#include "cli/schedule_args.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

TEST(ScheduleArgs, FlagsBecomeTheRestScheduleInMilliseconds) {
  ScheduleFlags flags{"5s", "30s", "2m", 3};
  auto json = scheduleJsonFromFlags(flags);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->dump(), R"({"duration_ms":30000,"every_ms":120000,"start_ms":5000,"times":3})");
  ScheduleFlags dead_man{"", "30s", "", std::nullopt};
  EXPECT_EQ(scheduleJsonFromFlags(dead_man)->dump(), R"({"duration_ms":30000})");
}

TEST(ScheduleArgs, ABadDurationNamesItsFlag) {
  auto json = scheduleJsonFromFlags({"", "30", "", std::nullopt});
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().message.rfind("--for: invalid duration '30': no unit", 0), 0u) << json.error().message;
}

TEST(ScheduleArgs, InspectShowsScheduleStateAndCountdown) {
  auto toxic = nlohmann::json::parse(
      R"({"name":"t","schedule":{"start_ms":5000,"duration_ms":30000,"every_ms":null,"times":null},"active":true,"next_change_ms":12400})");
  EXPECT_EQ(formatScheduleCell(toxic), "after 5s for 30s, active, changes in 12s");
  toxic["active"] = false;
  toxic["next_change_ms"] = nullptr;
  EXPECT_EQ(formatScheduleCell(toxic), "after 5s for 30s, inactive, done");
  EXPECT_EQ(formatScheduleCell(nlohmann::json::parse(R"({"name":"plain"})")), "");
}

}  // namespace
}  // namespace faultline

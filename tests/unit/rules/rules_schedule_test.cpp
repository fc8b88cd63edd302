// A toxic's `schedule:` in rules files: both spellings, line:col errors, declared after the last window.
#include <gtest/gtest.h>

#include <string>

#include "rules/rules_parser.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;

std::string withSchedule(const std::string& schedule) {
  return "version: 1\n"
         "proxies:\n"
         "  - name: partner\n"
         "    listen: 127.0.0.1:0\n"
         "    upstream: 127.0.0.1:9\n"
         "    toxics:\n"
         "      - name: slow\n"
         "        type: latency\n"
         "        attributes: {latency: 500}\n"
         "        schedule: " + schedule + "\n";
}

TEST(RulesSchedule, ReadsDurationsWithUnits) {
  auto result = parseRulesText(withSchedule("{start: 2s, duration: 3s, every: 10s, times: 3}"), "rules.yaml");
  ASSERT_TRUE(result.ok()) << joinRulesErrors(result.errors);
  const auto& schedule = result.config.proxies.at(0).toxics.at(0).schedule;
  ASSERT_TRUE(schedule.has_value());
  EXPECT_EQ(schedule->start, 2000ms);
  EXPECT_EQ(schedule->duration, Millis(3000));
  EXPECT_EQ(schedule->every, Millis(10000));
  EXPECT_EQ(schedule->times, 3u);
  EXPECT_TRUE(schedule->keep_after_last);  // a declared toxic stays declared after its last window
}

TEST(RulesSchedule, ReadsTheMillisecondSpellingToo) {
  auto ms = parseRulesText(withSchedule("{start_ms: 2000, duration_ms: 3000}"), "rules.yaml");
  auto units = parseRulesText(withSchedule("{start: 2s, duration: 3000ms}"), "rules.yaml");
  ASSERT_TRUE(ms.ok() && units.ok());
  EXPECT_EQ(ms.config.proxies[0].toxics[0], units.config.proxies[0].toxics[0]);
}

TEST(RulesSchedule, ABareNumberIsRefusedWithTheFixAtItsLine) {
  auto result = parseRulesText(withSchedule("\n          start: 5\n          duration: 1s"), "rules.yaml");
  ASSERT_EQ(result.errors.size(), 1u) << joinRulesErrors(result.errors);
  const auto& e = result.errors[0];
  EXPECT_EQ(e.path, "proxies[0].toxics[0].schedule.start");
  EXPECT_EQ(e.where.line, 11);
  EXPECT_EQ(e.where.column, 18);
  EXPECT_NE(e.message.find("no unit"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("start_ms"), std::string::npos) << e.message;
}

TEST(RulesSchedule, RuleViolationsPointAtTheFieldWhicheverSpelling) {
  auto result = parseRulesText(withSchedule("\n          duration: 20s\n          every: 10s"), "rules.yaml");
  ASSERT_EQ(result.errors.size(), 1u) << joinRulesErrors(result.errors);
  EXPECT_EQ(result.errors[0].path, "proxies[0].toxics[0].schedule.duration_ms");
  EXPECT_EQ(result.errors[0].where.line, 11);
  EXPECT_NE(result.errors[0].message.find("expected at most every_ms (10000), got 20000"), std::string::npos);
}

TEST(RulesSchedule, UnknownKeysAndBothSpellingsAreErrors) {
  auto typo = parseRulesText(withSchedule("{strat: 1s}"), "rules.yaml");
  ASSERT_EQ(typo.errors.size(), 1u);
  EXPECT_NE(typo.errors[0].message.find("unknown key 'strat'"), std::string::npos) << typo.errors[0].message;
  auto both = parseRulesText(withSchedule("{start: 1s, start_ms: 1000}"), "rules.yaml");
  ASSERT_EQ(both.errors.size(), 1u);
  EXPECT_NE(both.errors[0].message.find("both start and start_ms"), std::string::npos);
  auto scalar = parseRulesText(withSchedule("5s"), "rules.yaml");
  ASSERT_EQ(scalar.errors.size(), 1u);
  EXPECT_NE(scalar.errors[0].message.find("expected a map like"), std::string::npos);
}

}  // namespace
}  // namespace faultline

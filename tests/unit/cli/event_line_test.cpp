// `faultline top`'s event lines: each event type shows the fields that say what happened.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/event_line.h"

namespace faultline {
namespace {

using nlohmann::json;

TEST(EventLine, HttpFaultShowsToxicRequestAndAction) {
  json e = json::parse(R"({"seq":4,"type":"fault_injected","proxy":"shop","kind":"http","toxic":"boom","conn":1,
                           "method":"GET","path":"/pay","action":"answer","status":503})");
  EXPECT_EQ(eventLine(e), "4  fault_injected  shop http toxic=boom conn=1 GET /pay -> action=answer status=503");
}

// A request path is the client's to choose: an escape sequence in it must not reach the terminal.
TEST(EventLine, ControlBytesFromTheWireAreEscaped) {
  json e = {{"seq", 5}, {"type", "fault_injected"}, {"proxy", "shop"}, {"kind", "http"}, {"toxic", "boom"},
            {"method", "GET"}, {"path", "/\x1b[2J\nforged"}, {"action", "answer"}};
  const std::string line = eventLine(e);
  EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_NE(line.find("\\x1b[2J\\nforged"), std::string::npos) << line;
}

TEST(EventLine, ScheduleChangeShowsOnOffAndNextChange) {
  json on = json::parse(R"({"seq":9,"type":"fault_injected","proxy":"shop","kind":"schedule","toxic":"w",
                            "active":true,"next_change_ms":497})");
  EXPECT_EQ(eventLine(on), "9  fault_injected  shop schedule toxic=w on next_change_ms=497");
  json off = json::parse(R"({"seq":10,"type":"fault_injected","proxy":"shop","kind":"schedule","toxic":"w",
                             "active":false,"next_change_ms":null})");
  EXPECT_EQ(eventLine(off), "10  fault_injected  shop schedule toxic=w off next_change_ms=never");
}

TEST(EventLine, RulesReloadedShowsOutcomeAndTrigger) {
  json failed = json::parse(R"({"seq":8,"type":"rules_reloaded","ok":false,"via":"watch","error":"r.yaml:7:58: bad"})");
  EXPECT_EQ(eventLine(failed), "8  rules_reloaded  - FAILED via=watch error=r.yaml:7:58: bad");
  json ok = json::parse(R"({"seq":2,"type":"rules_reloaded","ok":true,"via":"signal","changed":false})");
  EXPECT_EQ(eventLine(ok), "2  rules_reloaded  - ok via=signal changed=false");
}

TEST(EventLine, ConnectionAndToxicEvents) {
  json closed = json::parse(R"({"seq":5,"type":"connection_closed","proxy":"p","conn":3,"reason":"killed","detail":"",
                                "bytes":{"upstream":10,"downstream":20}})");
  EXPECT_EQ(eventLine(closed), "5  connection_closed  p conn=3 reason=killed up=10 down=20");
  json added = json::parse(R"({"seq":1,"type":"toxic_added","proxy":"p","toxic":{"name":"lat","type":"latency",
                               "stream":"downstream","toxicity":1.0}})");
  EXPECT_EQ(eventLine(added), "1  toxic_added  p name=lat type=latency stream=downstream toxicity=1.0");
}

}  // namespace
}  // namespace faultline

// fault_injected events (events/fault_events): what each toxic of a request's plan did, and the
// schedule changes; and the event bus cutting off a subscriber whose queue is full.
#include <gtest/gtest.h>

#include <vector>

#include <nlohmann/json.hpp>

#include "events/event_bus.h"
#include "events/fault_events.h"
#include "toxics/http/http_head.h"
#include "toxics/http/http_plan.h"

namespace faultline {
namespace {

using nlohmann::json;

std::vector<json> collect(EventBus& bus) {
  std::vector<json> out;
  for (const auto& e : bus.recent()) out.push_back(json::parse(e.json));
  return out;
}

TEST(FaultEvents, EachAppliedToxicGetsOneEventSayingWhatItDid) {
  EventBus bus;
  HttpHead head;
  head.method = "POST";
  head.target = "/orders?id=3";
  HttpPlan plan;
  plan.request_delay = Millis(250);
  plan.request_delay_toxic = "slow";
  plan.cut = HttpPlan::Cut{HttpCutPoint::kBody, CutMode::kClose, 10, "cutter"};
  plan.rewrite = HttpPlan::Rewrite{502, std::nullopt, "bad_gateway"};
  plan.applied = {"slow", "cutter", "bad_gateway"};
  publishHttpFaults(bus, "shop", 7, head, plan);
  const auto events = collect(bus);
  ASSERT_EQ(events.size(), 3u);
  for (const auto& e : events) {
    EXPECT_EQ(e["type"], "fault_injected");
    EXPECT_EQ(e["proxy"], "shop");
    EXPECT_EQ(e["kind"], "http");
    EXPECT_EQ(e["conn"], 7);
    EXPECT_EQ(e["method"], "POST");
    EXPECT_EQ(e["path"], "/orders") << "the path without its query";
  }
  EXPECT_EQ(events[0]["toxic"], "slow");
  EXPECT_EQ(events[0]["action"], "delay");
  EXPECT_EQ(events[0]["delay_ms"], 250);
  EXPECT_EQ(events[1]["toxic"], "cutter");
  EXPECT_EQ(events[1]["action"], "close");
  EXPECT_EQ(events[1]["cut_at"], "body");
  EXPECT_EQ(events[2]["toxic"], "bad_gateway");
  EXPECT_EQ(events[2]["action"], "status");
  EXPECT_EQ(events[2]["status"], 502);
  EXPECT_EQ(events[1]["seq"].get<uint64_t>(), events[0]["seq"].get<uint64_t>() + 1);
}

TEST(FaultEvents, ScheduleChangeCarriesActiveAndNextChange) {
  EventBus bus;
  publishScheduleChange(bus, "p", "window", true, Millis(500));
  publishScheduleChange(bus, "p", "window", false, std::nullopt);
  const auto events = collect(bus);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["kind"], "schedule");
  EXPECT_TRUE(events[0]["active"].get<bool>());
  EXPECT_EQ(events[0]["next_change_ms"], 500);
  EXPECT_FALSE(events[1]["active"].get<bool>());
  EXPECT_TRUE(events[1]["next_change_ms"].is_null());
}

TEST(FaultEvents, ASubscriberWhoseQueueIsFullIsCutAndCounted) {
  EventBus bus;
  int delivered = 0;
  bus.subscribe([&](const Event&) { return ++delivered < 3; });  // full at the third
  for (int i = 0; i < 5; ++i) publishScheduleChange(bus, "p", "t", i % 2 == 0, std::nullopt);
  EXPECT_EQ(delivered, 3);
  EXPECT_EQ(bus.subscribers(), 0u);
  EXPECT_EQ(bus.subscribersCut(), 1u);
  EXPECT_EQ(bus.eventsDropped(), 1u);
  EXPECT_EQ(bus.published(), 5u);
}

}  // namespace
}  // namespace faultline

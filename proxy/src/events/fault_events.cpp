#include "events/fault_events.h"

#include <nlohmann/json.hpp>

#include "events/event_bus.h"
#include "toxics/http/http_head.h"
#include "toxics/http/http_plan.h"

namespace faultline {

namespace {

// What `toxic` did to the request, from the plan it contributed to.
void describe(const HttpPlan& plan, const std::string& toxic, nlohmann::ordered_json& out) {
  if (plan.answer && plan.answer->toxic == toxic) {
    out["action"] = "answer";
    out["status"] = plan.answer->status;
  } else if (plan.cut && plan.cut->toxic == toxic) {
    out["action"] = cutModeName(plan.cut->mode);
    out["cut_at"] = httpCutPointName(plan.cut->when);
  } else if (plan.rewrite && plan.rewrite->toxic == toxic) {
    out["action"] = "status";
    if (plan.rewrite->status != 0) out["status"] = plan.rewrite->status;
  } else if (plan.request_delay_toxic == toxic) {
    out["action"] = "delay";
    out["delay_ms"] = std::chrono::duration_cast<Millis>(plan.request_delay).count();
  } else if (plan.response_delay_toxic == toxic) {
    out["action"] = "delay_response";
    out["delay_ms"] = std::chrono::duration_cast<Millis>(plan.response_delay).count();
  } else {
    // A delay that another delay toxic's name stands for in the plan (they add up).
    out["action"] = "delay";
  }
}

}  // namespace

void publishHttpFaults(EventBus& bus, const std::string& proxy, uint64_t conn, const HttpHead& head,
                       const HttpPlan& plan) {
  for (const auto& toxic : plan.applied) {
    nlohmann::ordered_json fields;
    fields["kind"] = "http";
    fields["toxic"] = toxic;
    fields["conn"] = conn;
    fields["method"] = head.method;
    fields["path"] = head.path();
    describe(plan, toxic, fields);
    bus.publish("fault_injected", proxy, std::move(fields));
  }
}

void publishScheduleChange(EventBus& bus, const std::string& proxy, const std::string& toxic, bool active,
                           std::optional<Millis> next_change) {
  nlohmann::ordered_json fields;
  fields["kind"] = "schedule";
  fields["toxic"] = toxic;
  fields["active"] = active;
  fields["next_change_ms"] = next_change ? nlohmann::ordered_json(next_change->count()) : nlohmann::ordered_json(nullptr);
  bus.publish("fault_injected", proxy, std::move(fields));
}

}  // namespace faultline

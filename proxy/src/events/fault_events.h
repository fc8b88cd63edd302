#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"

namespace faultline {

class EventBus;
struct HttpHead;
struct HttpPlan;

// fault_injected events (issue 15). kind "http": one per http_* toxic (or X-Faultline-* header)
// that acted on a request: {toxic, conn, method, path, action, status | delay_ms | cut_at}.
// kind "schedule": a scheduled toxic switched on or off: {toxic, active, next_change_ms}.
void publishHttpFaults(EventBus& bus, const std::string& proxy, uint64_t conn, const HttpHead& head,
                       const HttpPlan& plan);
void publishScheduleChange(EventBus& bus, const std::string& proxy, const std::string& toxic, bool active,
                           std::optional<Millis> next_change);

}  // namespace faultline

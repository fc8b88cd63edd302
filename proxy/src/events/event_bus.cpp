#include "events/event_bus.h"

#include <chrono>
#include <vector>

#include <spdlog/spdlog.h>

namespace faultline {

namespace {

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void EventBus::publish(const std::string& type, const std::string& proxy, nlohmann::ordered_json fields) {
  Event event;
  event.seq = ++seq_;
  event.type = type;
  event.proxy = proxy;
  nlohmann::ordered_json body;
  body["seq"] = event.seq;
  body["type"] = type;
  body["time_ms"] = nowMs();
  if (!proxy.empty()) body["proxy"] = proxy;
  if (fields.is_object()) {
    for (auto& [key, value] : fields.items()) body[key] = std::move(value);
  }
  event.json = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  recent_.push_back(event);
  if (recent_.size() > kRecent) recent_.pop_front();
  // A delivery may publish or unsubscribe (a cut connection closing): iterate over a snapshot
  // of ids and never re-enter.
  if (delivering_) return;
  delivering_ = true;
  std::vector<uint64_t> ids;
  ids.reserve(subscribers_.size());
  for (const auto& entry : subscribers_) ids.push_back(entry.first);
  for (uint64_t id : ids) {
    auto it = subscribers_.find(id);
    if (it == subscribers_.end()) continue;
    Delivery delivery = it->second;  // a copy: the delivery may unsubscribe itself
    if (!delivery(recent_.back())) {
      ++subscribers_cut_;
      ++events_dropped_;
      subscribers_.erase(id);
      spdlog::warn("event subscriber cut off subscriber={} seq={} reason=queue_full", id, event.seq);
    }
  }
  delivering_ = false;
}

uint64_t EventBus::subscribe(Delivery delivery) {
  uint64_t id = ++next_subscriber_;
  subscribers_.emplace(id, std::move(delivery));
  return id;
}

void EventBus::unsubscribe(uint64_t id) { subscribers_.erase(id); }

}  // namespace faultline

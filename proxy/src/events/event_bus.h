#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace faultline {

// One event as subscribers see it: {"seq":N,"type":...,"time":...,"proxy":...,...}.
struct Event {
  uint64_t seq = 0;
  std::string type;
  std::string proxy;  // "" for events about no proxy (rules_reloaded of a whole file)
  std::string json;   // the serialized object, built once for every subscriber
};

// Components publish what happened; subscribers (the SSE route) receive every event on the loop
// thread. Events are a by-product, never a brake: publish() never waits and never grows memory
// without bound. A subscriber's delivery returns false when its own bounded queue is full; the
// bus then cuts it off (counted) instead of holding events for it. Loop thread only.
class EventBus {
 public:
  static constexpr std::size_t kRecent = 64;  // kept for `faultline top` and late subscribers

  // Returns false to be cut off (its queue is full or it has gone).
  using Delivery = std::function<bool(const Event&)>;

  void publish(const std::string& type, const std::string& proxy, nlohmann::ordered_json fields = {});

  uint64_t subscribe(Delivery delivery);
  void unsubscribe(uint64_t id);

  std::size_t subscribers() const { return subscribers_.size(); }
  uint64_t published() const { return seq_; }
  uint64_t subscribersCut() const { return subscribers_cut_; }
  // Events a cut subscriber did not get: the one that found its queue full.
  uint64_t eventsDropped() const { return events_dropped_; }
  const std::deque<Event>& recent() const { return recent_; }

 private:
  uint64_t seq_ = 0;
  uint64_t next_subscriber_ = 0;
  uint64_t subscribers_cut_ = 0;
  uint64_t events_dropped_ = 0;
  bool delivering_ = false;
  std::map<uint64_t, Delivery> subscribers_;
  std::deque<Event> recent_;
};

}  // namespace faultline

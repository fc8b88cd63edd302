#include "support/fake_toxic_context.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace faultline {

FakeToxicContext::FakeToxicContext(uint64_t seed) : now_(epoch()), random_(seed) {}

void FakeToxicContext::forward(Chunk chunk) {
  forwarded_size_ += chunk.size();
  forwarded_at_.push_back(now_);
  forwarded_.push_back(std::move(chunk));
  if (on_forward_) on_forward_(forwarded_.back());
}

void FakeToxicContext::forwardEnd() {
  ++end_count_;
  if (!ended_at_) ended_at_ = now_;
  if (on_end_) on_end_();
}

void FakeToxicContext::closeLink(CloseMode mode) {
  ++close_count_;
  if (!close_mode_) {
    close_mode_ = mode;
    closed_at_ = now_;
  }
}

TimerId FakeToxicContext::after(Duration delay, std::function<void()> fn) {
  const TimerId id = next_id_++;
  const TimePoint deadline = now_ + std::max(delay, Duration::zero());
  const uint64_t seq = next_seq_++;
  order_.emplace(std::make_pair(deadline, seq), id);
  timers_.emplace(id, Timer{deadline, seq, std::move(fn)});
  return id;
}

void FakeToxicContext::cancel(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  order_.erase(std::make_pair(it->second.deadline, it->second.seq));
  timers_.erase(it);
}

std::optional<TimePoint> FakeToxicContext::nextDeadline() const {
  if (order_.empty()) return std::nullopt;
  return order_.begin()->first.first;
}

bool FakeToxicContext::fireNext(TimePoint limit) {
  if (order_.empty() || order_.begin()->first.first > limit) return false;
  const TimerId id = order_.begin()->second;
  order_.erase(order_.begin());
  auto node = timers_.extract(id);
  now_ = std::max(now_, node.mapped().deadline);
  // The callback may schedule or cancel timers, so it runs after the timer left the tables.
  node.mapped().fn();
  return true;
}

void FakeToxicContext::advance(Duration by) { advanceTo(now_ + std::max(by, Duration::zero())); }

void FakeToxicContext::advanceTo(TimePoint when) {
  std::size_t fires = 0;
  while (fireNext(when)) {
    if (++fires >= kMaxFires) {
      ADD_FAILURE() << "FakeToxicContext: more than " << kMaxFires << " timers fired in one advance";
      break;
    }
  }
  now_ = std::max(now_, when);
}

void FakeToxicContext::runAllTimers() {
  std::size_t fires = 0;
  while (fireNext(TimePoint::max())) {
    if (++fires >= kMaxFires) {
      ADD_FAILURE() << "FakeToxicContext: more than " << kMaxFires << " timers fired in runAllTimers";
      break;
    }
  }
}

void FakeToxicContext::cancelAllTimers() {
  order_.clear();
  timers_.clear();
}

Chunk FakeToxicContext::makeChunk(std::string_view bytes) const {
  return Chunk::copyOf(bytes.data(), bytes.size(), now_);
}

void FakeToxicContext::push(Toxic& toxic, std::string_view bytes) { toxic.onChunk(makeChunk(bytes), *this); }

void FakeToxicContext::push(Toxic& toxic, Chunk chunk) {
  chunk.setArrivedAt(now_);
  toxic.onChunk(std::move(chunk), *this);
}

std::string FakeToxicContext::forwardedBytes() const {
  std::string out;
  out.reserve(forwarded_size_);
  for (const auto& chunk : forwarded_) {
    if (!chunk.empty()) out.append(chunk.data(), chunk.size());
  }
  return out;
}

void FakeToxicContext::clearForwarded() {
  forwarded_.clear();
  forwarded_at_.clear();
  forwarded_size_ = 0;
}

}  // namespace faultline

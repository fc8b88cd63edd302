#pragma once

#include <cstddef>
#include <cstring>
#include <memory>

#include "core/clock.h"

namespace faultline {

// A view of reference-counted bytes plus the time it entered the current stage of a link.
// Slicing never copies, so slicer, bandwidth and limit_data pass bytes on zero-copy.
class Chunk {
 public:
  Chunk() = default;
  Chunk(std::shared_ptr<char[]> storage, std::size_t offset, std::size_t size, TimePoint arrived_at)
      : storage_(std::move(storage)), offset_(offset), size_(size), arrived_at_(arrived_at) {}

  static Chunk copyOf(const void* data, std::size_t size, TimePoint arrived_at = Clock::now()) {
    auto storage = std::make_shared_for_overwrite<char[]>(size == 0 ? 1 : size);
    if (size > 0) std::memcpy(storage.get(), data, size);
    return Chunk(std::move(storage), 0, size, arrived_at);
  }

  const char* data() const { return storage_ ? storage_.get() + offset_ : nullptr; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // When the chunk entered the stage now holding it; a latency stage delays from here.
  TimePoint arrivedAt() const { return arrived_at_; }
  void setArrivedAt(TimePoint t) { arrived_at_ = t; }

  // The bytes [pos, pos + len) as a new view on the same storage.
  Chunk slice(std::size_t pos, std::size_t len) const {
    if (pos > size_) pos = size_;
    if (len > size_ - pos) len = size_ - pos;
    return Chunk(storage_, offset_ + pos, len, arrived_at_);
  }
  // Removes and returns the first n bytes (all of them when n >= size()).
  Chunk takeFront(std::size_t n) {
    Chunk front = slice(0, n);
    offset_ += front.size_;
    size_ -= front.size_;
    return front;
  }

 private:
  std::shared_ptr<char[]> storage_;
  std::size_t offset_ = 0;
  std::size_t size_ = 0;
  TimePoint arrived_at_{};
};

}  // namespace faultline

#pragma once

#include <cstddef>
#include <cstring>
#include <memory>

namespace faultline {

// The memory a request holds while it waits (a real handler holds its parsed request, session and
// the partner's answer): --request-memory KiB, written once so it is resident, not just reserved.
// It is what makes a pile of waiting requests show up in RSS the way it does in a real service.
class WorkingMemory {
 public:
  explicit WorkingMemory(std::size_t bytes) : bytes_(bytes) {
    if (bytes_ == 0) return;
    data_ = std::make_unique<char[]>(bytes_);
    std::memset(data_.get(), 0x5a, bytes_);
  }
  std::size_t bytes() const { return bytes_; }

 private:
  std::size_t bytes_;
  std::unique_ptr<char[]> data_;
};

}  // namespace faultline

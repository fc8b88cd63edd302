#pragma once

#include <cstddef>
#include <vector>

namespace faultline {

// File descriptors held back from the data path so that the control API (the way to fix things)
// stays reachable when proxied connections have used every other descriptor of the process.
//
// The data path asks ensure() before it takes a connection. While the reserve is held, ensure()
// probes for one free descriptor; when there is none, the reserve is given back (the API can now
// accept) and the connection is refused. It is taken again only once twice its size is free, so
// the data path cannot take the API's descriptors straight back.
class FdReserve {
 public:
  explicit FdReserve(std::size_t count);
  ~FdReserve();
  FdReserve(const FdReserve&) = delete;
  FdReserve& operator=(const FdReserve&) = delete;

  // True when the data path may use another descriptor.
  bool ensure();
  bool held() const { return !fds_.empty() || count_ == 0; }
  std::size_t releases() const { return releases_; }

 private:
  void release();
  bool refill();

  std::size_t count_;
  std::vector<int> fds_;
  std::size_t releases_ = 0;
};

}  // namespace faultline

#pragma once

#include <sys/socket.h>

#include <memory>
#include <string>

#include "core/result.h"

namespace faultline {

// A listening address that answers no connection attempt at all: a client's SYN gets no
// SYN-ACK, so its *connect* timeout fires (not a reset, not a read timeout), as behind a
// firewall that drops packets. Linux only, and no root needed: the socket listens with a
// backlog of 0, which lets the kernel queue exactly one connection, and a connection this object
// makes to itself fills that slot and is never accepted. Linux drops SYNs while a listener's
// accept queue is full.
//
// Owns two plain sockets (no libuv handles: nothing is ever read from them); the destructor
// closes both, and the address is free again at once.
class ConnectBlackhole {
 public:
  // `address` is the numeric address to hold (port resolved). An unspecified address (0.0.0.0,
  // ::) is filled through its loopback.
  static Result<std::unique_ptr<ConnectBlackhole>> open(const sockaddr* address);
  // Why open() can never work on this platform, or "" when it can.
  static std::string unsupportedReason();

  // The address held, "127.0.0.1:4000" (the real port when 0 was asked for).
  const std::string& boundAddress() const { return bound_; }

  ~ConnectBlackhole();
  ConnectBlackhole(const ConnectBlackhole&) = delete;
  ConnectBlackhole& operator=(const ConnectBlackhole&) = delete;

 private:
  ConnectBlackhole(int listen_fd, int filler_fd, std::string bound)
      : listen_fd_(listen_fd), filler_fd_(filler_fd), bound_(std::move(bound)) {}
  int listen_fd_ = -1;
  int filler_fd_ = -1;
  std::string bound_;
};

}  // namespace faultline

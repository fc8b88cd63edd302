#pragma once

#include <csignal>

namespace faultline {

// libuv does not ignore SIGPIPE: a write to a peer that has reset would kill the process instead
// of failing with EPIPE. Every component that writes to sockets calls this once.
inline void ignoreSigpipe() {
  static const bool done = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)done;
}

}  // namespace faultline

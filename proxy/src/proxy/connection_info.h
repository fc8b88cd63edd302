#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proxy/session.h"

namespace faultline {

// A live connection as GET /proxies/{p}/connections lists it: a copy taken on the loop thread,
// so the control path never holds a pointer into a session that may close.
struct ConnectionInfo {
  uint64_t id = 0;
  std::string client;    // address:port of the accepted peer
  std::string upstream;  // what the proxy dials
  int64_t opened_at_ms = 0;  // Unix epoch milliseconds
  uint64_t bytes_up = 0;     // client -> upstream, written
  uint64_t bytes_down = 0;   // upstream -> client, written
  std::string state;         // connecting | open | half-closed | closing
  std::vector<ToxicDecision> decisions;
};

// What one toxic stage (or the HTTP layer, toxic "http") holds right now in one direction,
// summed over the proxy's live connections: the faultline_toxic_held_bytes gauge. Every toxic
// configured on the proxy has a row, 0 when nothing is held.
struct ToxicHeldBytes {
  std::string proxy;
  std::string toxic;
  std::string type;
  Stream stream = Stream::kDownstream;
  std::size_t bytes = 0;
};

}  // namespace faultline

#pragma once
// The ports of a scenario run. "Is anything listening on host:port yet?": one TCP connect
// attempt on the scenario's loop, the answer delivered from the loop. A started command is ready
// when every port it was given ({port.NAME}), or its `ready:` address, accepts a connection.

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>

#include "core/result.h"

namespace faultline::scenario {

// `done(true)` when the connection was accepted. The socket is closed at once; its memory is
// freed in the close callback. Numeric IPv4/IPv6 addresses only (no resolver on this path).
void probeTcpPort(uv_loop_t* loop, const std::string& host, uint16_t port, std::function<void(bool)> done);

// A free loopback port for {port.NAME}: bound, read back, released. Another process could take
// it in between; on a test machine that is rare, and the command then fails to start (exit 2,
// with its log).
Result<uint16_t> freeLoopbackPort();

}  // namespace faultline::scenario

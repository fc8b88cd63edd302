#pragma once
// "Is anything listening on host:port yet?": one TCP connect attempt on the scenario's loop,
// the answer delivered from the loop. A started command is ready when every port it was given
// ({port.NAME}), or its `ready:` address, accepts a connection.

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>

namespace faultline::scenario {

// `done(true)` when the connection was accepted. The socket is closed at once; its memory is
// freed in the close callback. Numeric IPv4/IPv6 addresses only (no resolver on this path).
void probeTcpPort(uv_loop_t* loop, const std::string& host, uint16_t port, std::function<void(bool)> done);

}  // namespace faultline::scenario

#include "proxy/connection_info.h"

namespace faultline {

ConnectionInfo Session::snapshot() const {
  ConnectionInfo info;
  info.id = id_;
  info.client = peer_;
  info.upstream = env_.upstream.toString();
  info.opened_at_ms = opened_at_ms_;
  info.bytes_up = bytes_up_;
  info.bytes_down = bytes_down_;
  if (closing_) {
    info.state = "closing";
  } else if (!connected_) {
    info.state = "connecting";
  } else if (up_.ended() || down_.ended()) {
    // One direction has sent its FIN; the other still carries data.
    info.state = "half-closed";
  } else {
    info.state = "open";
  }
  info.decisions = decisions_;
  return info;
}

}  // namespace faultline

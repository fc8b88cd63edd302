#pragma once

#include "http/http_message.h"
#include "http/http_server.h"

namespace faultline {

class ControlRouter;

// GET /events: Server-Sent Events from the registry's event bus, `?proxy=NAME` filters;
// `?recent=1` answers the last events as a JSON array instead of streaming. Each subscriber may
// have at most kMaxQueuedEventBytes unsent; past that it is cut off (closed), never waited for.
inline constexpr std::size_t kMaxQueuedEventBytes = 256 * 1024;

void serveEvents(ControlRouter& router, const HttpRequest& request, HttpResponder responder);

}  // namespace faultline

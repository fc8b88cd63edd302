#include "control/events_route.h"

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "control/control_router.h"
#include "core/clock.h"  // proxy_registry.h uses Millis
#include "http/http_wire.h"
#include "events/event_bus.h"
#include "proxy/proxy_registry.h"

namespace faultline {

namespace {

struct Subscriber {
  HttpEventStream stream;
  std::string proxy;  // filter; "" = every event
  uint64_t id = 0;
};

std::string sseFrame(const Event& event) {
  return "id: " + std::to_string(event.seq) + "\nevent: " + event.type + "\ndata: " + event.json + "\n\n";
}

}  // namespace

void serveEvents(ControlRouter& router, const HttpRequest& request, HttpResponder responder) {
  HttpResponse denied = router.checkAccess(request);
  if (denied.status != 0) {
    router.stamp(denied);
    responder.respond(std::move(denied));
    return;
  }
  if (request.method != "GET") {
    HttpResponse response = errorResponse(405, "method " + request.method + " not allowed on /events; allowed: GET");
    response.setHeader("Allow", "GET");
    router.stamp(response);
    responder.respond(std::move(response));
    return;
  }
  EventBus& bus = router.registry().events();
  const std::string proxy = queryParam(request.query, "proxy").value_or("");
  if (const auto recent = queryParam(request.query, "recent"); recent && (recent->empty() || *recent == "1")) {
    std::string body = "[";
    for (const auto& event : bus.recent()) {
      if (!proxy.empty() && event.proxy != proxy) continue;
      if (body.size() > 1) body += ',';
      body += event.json;
    }
    body += "]";
    HttpResponse response = HttpResponse::json(200, body);
    router.stamp(response);
    responder.respond(std::move(response));
    return;
  }
  HttpResponse head = HttpResponse::empty(200);
  head.setHeader("Content-Type", "text/event-stream");
  head.setHeader("Cache-Control", "no-cache");
  router.stamp(head);
  auto subscriber = std::make_shared<Subscriber>();
  subscriber->proxy = proxy;
  subscriber->stream = responder.startStream(std::move(head));
  if (!subscriber->stream.open()) return;
  // The first line tells the reader where the stream starts (events after this sequence number).
  subscriber->stream.send(": faultline events after seq " + std::to_string(bus.published()) + "\n\n");
  subscriber->id = bus.subscribe([subscriber, &bus](const Event& event) {
    if (!subscriber->stream.open()) {
      bus.unsubscribe(subscriber->id);  // the reader went away: not a cut
      return true;
    }
    if (!subscriber->proxy.empty() && event.proxy != subscriber->proxy) return true;
    std::string frame = sseFrame(event);
    if (subscriber->stream.queuedBytes() + frame.size() > kMaxQueuedEventBytes) {
      subscriber->stream.close();  // a reader that does not read is cut off, never waited for
      return false;
    }
    subscriber->stream.send(std::move(frame));
    return true;
  });
}

}  // namespace faultline

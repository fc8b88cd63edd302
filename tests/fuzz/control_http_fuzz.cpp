// The control API's connection handling fed raw bytes: the bytes go through HttpParser in pieces
// whose sizes the input chooses (its last byte is the largest piece; 0 = all at once), and each
// request is answered by a ControlRouter over a real ProxyRegistry on a libuv loop. Properties:
// nothing crashes or leaks a handle, parsing in pieces gives exactly what parsing the whole gives,
// every response has a valid status and a request id, and every error body is JSON.
#include <spdlog/spdlog.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "control/control_router.h"
#include "control/json_mapping.h"
#include "fuzz_check.h"
#include "http/http_parser.h"
#include "net/address.h"
#include "proxy/proxy_registry.h"

using namespace faultline;

namespace {

uv_loop_t* fuzzLoop() {
  static uv_loop_t* loop = [] {
    // One log line per proxy started would dominate the run time.
    spdlog::set_level(spdlog::level::off);
    static uv_loop_t storage;
    uv_loop_init(&storage);
    return &storage;
  }();
  return loop;
}

// Proxies really bind. A fixed port from the input could take a port another test on this
// machine is about to use, so every listen address keeps its host and gets port 0.
void ephemeralListen(nlohmann::json& value, int depth) {
  if (depth > kMaxJsonDepth) return;
  if (value.is_object()) {
    for (auto& [key, item] : value.items()) {
      if (key == "listen" && item.is_string()) {
        auto hp = parseHostPort(item.get<std::string>());
        if (hp.ok() && hp->port != 0) {
          hp->port = 0;
          item = hp->toString();
        }
      } else {
        ephemeralListen(item, depth + 1);
      }
    }
  } else if (value.is_array()) {
    for (auto& item : value) ephemeralListen(item, depth + 1);
  }
}

struct Parsed {
  std::vector<HttpParsedMessage> messages;
  bool failed = false;
  int status = 0;
};

// Feeds `stream` in pieces of 1..max_piece bytes (a deterministic pattern drawn from max_piece),
// taking every message as it completes, then signals EOF.
Parsed parseInPieces(std::string_view stream, std::size_t max_piece, const std::function<void(HttpParsedMessage&)>& on) {
  HttpParser parser(HttpParser::Mode::kRequest);
  Parsed out;
  uint32_t state = static_cast<uint32_t>(max_piece) * 2654435761u + 1;
  auto drain = [&] {
    while (parser.hasMessage()) {
      out.messages.push_back(parser.take());
      if (on) on(out.messages.back());
    }
  };
  std::size_t pos = 0;
  while (pos < stream.size()) {
    std::size_t piece = stream.size() - pos;
    if (max_piece > 0) {
      state = state * 1103515245u + 12345u;
      piece = std::min<std::size_t>(piece, 1 + (state >> 16) % max_piece);
    }
    parser.feed(stream.substr(pos, piece));
    pos += piece;
    drain();
  }
  parser.finish();
  drain();
  out.failed = parser.failed();
  if (out.failed) out.status = parser.error().status;
  return out;
}

bool sameRequest(const HttpParsedMessage& a, const HttpParsedMessage& b) {
  return a.request.method == b.request.method && a.request.target == b.request.target &&
         a.request.path == b.request.path && a.request.query == b.request.query &&
         a.request.headers == b.request.headers && a.request.body == b.request.body && a.keep_alive == b.keep_alive;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t max_piece = data[size - 1];
  const std::string_view stream(reinterpret_cast<const char*>(data), size - 1);

  uv_loop_t* loop = fuzzLoop();
  auto registry = std::make_unique<ProxyRegistry>(loop, RegistryOptions{});
  auto router = std::make_unique<ControlRouter>(*registry, nullptr);

  Parsed pieces = parseInPieces(stream, max_piece, [&](HttpParsedMessage& message) {
    HttpRequest request = message.request;
    if (request.body.find("listen") != std::string::npos) {
      if (auto body = parseJsonBody(request.body); body.ok()) {
        ephemeralListen(body.value(), 0);
        request.body = body.value().dump();
      }
    }
    HttpResponse response = router->handle(request);
    uv_run(loop, UV_RUN_NOWAIT);
    FUZZ_CHECK(response.status >= 100 && response.status <= 599, "status %d", response.status);
    FUZZ_CHECK(!response.header("X-Toxiproxy-Request-Id").empty(), "%s %s answered without a request id",
               request.method.c_str(), request.target.c_str());
    FUZZ_CHECK(response.header("Access-Control-Allow-Origin").empty(), "a CORS header was sent");
    if (response.status >= 400 && !response.body.empty() && response.header("Content-Type").find("json") != std::string::npos) {
      auto parsed = nlohmann::json::parse(response.body, nullptr, false);
      FUZZ_CHECK(!parsed.is_discarded() && parsed.contains("error"), "error body is not {\"error\":...}: %s",
                 response.body.c_str());
    }
  });

  // Pieces parse exactly like the whole: same requests, same final error.
  Parsed whole = parseInPieces(stream, 0, nullptr);
  FUZZ_CHECK(whole.messages.size() == pieces.messages.size(), "%zu requests whole, %zu in pieces of <= %zu",
             whole.messages.size(), pieces.messages.size(), max_piece);
  for (std::size_t i = 0; i < whole.messages.size(); ++i) {
    FUZZ_CHECK(sameRequest(whole.messages[i], pieces.messages[i]), "request %zu differs in pieces of <= %zu", i,
               max_piece);
  }
  FUZZ_CHECK(whole.failed == pieces.failed && whole.status == pieces.status,
             "whole: failed=%d status=%d; pieces of <= %zu: failed=%d status=%d", whole.failed, whole.status,
             max_piece, pieces.failed, pieces.status);

  router.reset();
  registry->closeAll();
  registry.reset();
  for (int i = 0; i < 1000 && uv_run(loop, UV_RUN_NOWAIT) != 0; ++i) {
  }
  FUZZ_CHECK(!uv_loop_alive(loop), "a libuv handle outlived the registry");
  return 0;
}

// The HTTP framer and the exchange layer on arbitrary bytes. Input: byte 0 picks the piece size,
// the rest is split in two at byte 1's position: a client stream and a server stream.
// Properties:
//  - the framer gives the same events at the same offsets whatever the piece size (the whole
//    input at once versus pieces), and never consumes more than it was given;
//  - through an HTTP layer whose toxic matches nothing, both streams come out byte-identical:
//    no byte lost, reordered or invented, HTTP or not, pipelined or broken.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "support/fake_toxic_context.h"
#include "toxics/http/http_exchange_layer.h"
#include "toxics/http/http_framer.h"
#include "toxics/toxic_spec.h"

using namespace faultline;

namespace {

std::vector<std::pair<int, std::size_t>> frame(const std::string& bytes, std::size_t piece) {
  HttpFramer framer(HttpFramer::Mode::kRequest);
  std::vector<std::pair<int, std::size_t>> events;
  for (std::size_t base = 0; base < bytes.size(); base += piece) {
    const std::size_t len = std::min(piece, bytes.size() - base);
    std::size_t off = 0;
    bool after_head = false;
    for (int guard = 0; (off < len || after_head) && guard < 100000; ++guard) {
      after_head = false;
      auto step = framer.step(bytes.data() + base + off, len - off);
      FUZZ_CHECK(step.consumed <= len - off, "consumed %zu of %zu", step.consumed, len - off);
      off += step.consumed;
      if (step.event == HttpFramer::Event::kNeedMore) break;
      after_head = step.event == HttpFramer::Event::kHead;
      events.emplace_back(static_cast<int>(step.event), base + off);
      if (step.event == HttpFramer::Event::kError || step.event == HttpFramer::Event::kUpgrade) return events;
    }
  }
  return events;
}

ToxicSpecPtr neverMatching() {
  ToxicInput input;
  input.type = "http_abort";
  input.name = "never";
  input.text_attributes = {{"path", "/never-matches-anything-*"}};
  auto spec = buildToxicSpec(input);
  FUZZ_CHECK(spec.ok(), "spec");
  return std::make_shared<const ToxicSpec>(std::move(*spec));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::size_t piece = 1 + data[0] % 64;
  std::string rest(reinterpret_cast<const char*>(data + 2), size - 2);
  const std::size_t split = rest.empty() ? 0 : data[1] % (rest.size() + 1);
  const std::string client = rest.substr(0, split);
  const std::string server = rest.substr(split);

  auto whole = frame(client, client.size() + 1);
  auto pieces = frame(client, piece);
  FUZZ_CHECK(whole == pieces, "framing differs with %zu-byte pieces", piece);

  static const ToxicSpecPtr kNever = neverMatching();
  FakeToxicContext up(1), down(2);
  HttpExchangeLayer layer(HttpExchangeLayer::Options{"fuzz", 1, false, false, nullptr});
  layer.setToxics({kNever}, up.random());
  layer.requestStage().onAttach(up);
  layer.responseStage().onAttach(down);
  // Interleave the two streams piece by piece, as two sockets would.
  std::size_t c = 0, s = 0;
  while (c < client.size() || s < server.size()) {
    if (c < client.size()) {
      up.push(layer.requestStage(), client.substr(c, piece));
      c += piece;
    }
    if (s < server.size()) {
      down.push(layer.responseStage(), server.substr(s, piece));
      s += piece;
    }
  }
  layer.requestStage().onEnd(up);
  layer.responseStage().onEnd(down);
  up.runAllTimers();
  down.runAllTimers();
  FUZZ_CHECK(up.forwardedBytes() == client, "client stream changed (%zu in, %zu out)", client.size(),
             up.forwardedSize());
  FUZZ_CHECK(down.forwardedBytes() == server, "server stream changed (%zu in, %zu out)", server.size(),
             down.forwardedSize());
  FUZZ_CHECK(up.ended() && down.ended(), "end of stream lost");
  FUZZ_CHECK(!up.closeMode() && !down.closeMode(), "a toxic that matches nothing closed the connection");
  return 0;
}

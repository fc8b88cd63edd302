// The real ToxicChain (the class every Link runs) on a virtual clock. The input is an op
// sequence (push a chunk of N bytes, advance time, add / update / remove a toxic, end the
// stream); add, update and remove go through ToxicChain::setToxics exactly as the API's live
// changes do. Properties:
//  - no toxic reorders or invents bytes: the output is always a prefix of the input (unless a
//    timeout or reset_peer toxic, which swallow data, was ever applied);
//  - lossless chains (latency, bandwidth, slicer, slow_close, noop, spared stages) deliver
//    exactly the input, then one end of stream, once every timer has run;
//  - limit_data applied from the first byte delivers no more than its limit;
//  - every lossless stage reports bufferedBytes() == bytes in - bytes out, so the link's
//    backpressure counts what is really held, and with the link's cap emulated (no reads while
//    the chain holds more than the cap) the chain never holds more than cap + one chunk.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "support/fake_chain_sink.h"
#include "toxics/toxic_chain.h"
#include "toxics/toxic_registry.h"
#include "toxics/toxic_spec.h"

using namespace faultline;

namespace {

constexpr std::size_t kCapBytes = 64 * 1024;
constexpr std::size_t kMaxStages = 6;

class Bytes {
 public:
  Bytes(const uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  uint8_t next() { return pos_ < size_ ? data_[pos_++] : 0; }

 private:
  const uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

bool losslessType(const std::string& type) {
  return type == "latency" || type == "bandwidth" || type == "slicer" || type == "slow_close" || type == "noop";
}

class Harness {
 public:
  explicit Harness(uint64_t seed) : sink_(seed), chain_(sink_) {
    sink_.setOnWrite([this](const Chunk& chunk) {
      FUZZ_CHECK(sink_.ends() == 0, "%zu bytes arrived after the end of stream", chunk.size());
    });
    chain_.start({});
  }

  const std::string& input() const { return input_; }
  const std::string& output() const { return sink_.written(); }
  int ends() const { return sink_.ends(); }
  bool closed() const { return sink_.closes() > 0; }
  bool everSwallow() const { return ever_swallow_; }
  bool everLimit() const { return ever_limit_; }
  // SIZE_MAX when no limit_data bounds the whole output.
  std::size_t limit() const { return limit_unknown_ ? SIZE_MAX : limit_; }
  std::size_t size() const { return specs_.size(); }
  std::size_t buffered() const { return chain_.bufferedBytes(); }
  TimePoint now() const { return sink_.now(); }

  void push(std::size_t n) {
    std::string bytes(n, '\0');
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t k = input_.size() + i;
      bytes[i] = static_cast<char>((k * 131) ^ (k >> 8) ^ (k >> 16));
    }
    input_ += bytes;
    chain_.push(Chunk::copyOf(bytes.data(), n, sink_.now()));
    afterOp();
  }

  void end() {
    chain_.end();
    afterOp();
  }

  void advance(Duration by) {
    sink_.advance(by);
    afterOp();
  }

  void runAll() {
    if (closed()) return;
    sink_.runAllTimers();
    afterOp();
  }

  void add(std::size_t pos, ToxicSpec spec) {
    pos = std::min(pos, specs_.size());
    specs_.insert(specs_.begin() + static_cast<std::ptrdiff_t>(pos), std::make_shared<const ToxicSpec>(std::move(spec)));
    apply();
  }

  void remove(std::size_t index) {
    if (specs_.empty()) return;
    index %= specs_.size();
    noteGone(*specs_[index]);
    specs_.erase(specs_.begin() + static_cast<std::ptrdiff_t>(index));
    apply();
  }

  // An update: same name and type, new attributes; the new stage takes the old one's chunks.
  void replace(std::size_t index, ToxicSpec spec) {
    if (specs_.empty()) return;
    index %= specs_.size();
    spec.name = specs_[index]->name;
    spec.type = specs_[index]->type;
    noteGone(*specs_[index]);
    specs_[index] = std::make_shared<const ToxicSpec>(std::move(spec));
    apply();
  }

  void checkAccounting() const {
    for (std::size_t i = 0; i < chain_.size(); ++i) {
      const auto info = chain_.stageInfo(i);
      if (info.applied && !losslessType(info.type)) continue;
      FUZZ_CHECK(info.bytes_out <= info.bytes_in, "stage %zu (%s) forwarded %llu bytes of %llu", i, info.type.c_str(),
                 static_cast<unsigned long long>(info.bytes_out), static_cast<unsigned long long>(info.bytes_in));
      FUZZ_CHECK(info.buffered == info.bytes_in - info.bytes_out, "stage %zu (%s%s) reports %zu bytes buffered, holds %llu",
                 i, info.type.c_str(), info.applied ? "" : ", spared", info.buffered,
                 static_cast<unsigned long long>(info.bytes_in - info.bytes_out));
    }
  }

 private:
  void apply() {
    const std::size_t before = sink_.built().size();
    // The roll happens as stages are built: note what was applied before data moves on.
    chain_.setToxics(specs_);
    for (std::size_t i = before; i < sink_.built().size(); ++i) {
      const auto& built = sink_.built()[i];
      if (!built.applied) continue;
      if (built.type == "timeout" || built.type == "reset_peer") ever_swallow_ = true;
      if (built.type == "limit_data") {
        ever_limit_ = true;
        const ToxicSpec* spec = find(built.name);
        // Its limit bounds the output only when it saw the stream from the first byte.
        if (input_.empty() && spec != nullptr && !limit_unknown_) {
          limit_ = std::min<std::size_t>(limit_, static_cast<std::size_t>(spec->attr("bytes")));
        } else {
          limit_unknown_ = true;
        }
      }
    }
    afterOp();
  }

  // A limit_data stage taken out (removed or replaced) no longer bounds the whole output.
  void noteGone(const ToxicSpec& spec) {
    if (spec.type == "limit_data") limit_unknown_ = true;
  }

  const ToxicSpec* find(const std::string& name) const {
    for (const auto& spec : specs_) {
      if (spec->name == name) return spec.get();
    }
    return nullptr;
  }

  // A session closes at once when a stage says so: the chain stops.
  void afterOp() {
    if (closed()) chain_.stop();
  }

  FakeChainSink sink_;
  ToxicChain chain_;
  std::vector<ToxicSpecPtr> specs_;
  std::string input_;
  bool ever_swallow_ = false;
  bool ever_limit_ = false;
  bool limit_unknown_ = false;
  std::size_t limit_ = SIZE_MAX;
};

// Small attribute values, so time and sizes stay within what a fuzz run can explore.
ToxicSpec randomSpec(Bytes& in, int serial) {
  static const char* kTypes[] = {"latency", "bandwidth", "slicer", "slow_close", "limit_data", "timeout", "reset_peer"};
  ToxicInput input;
  const uint8_t t = in.next();
  input.type = kTypes[t % 7];
  input.name = "t" + std::to_string(serial);
  const uint8_t roll = in.next();
  input.toxicity = roll < 16 ? 0.0 : roll < 32 ? 0.5 : 1.0;
  const int64_t a = in.next();
  const int64_t b = in.next();
  const int64_t c = in.next();
  if (*input.type == "latency") input.attributes = {{"latency", a * 10}, {"jitter", b}};
  if (*input.type == "bandwidth") input.attributes = {{"rate", a}};
  if (*input.type == "slicer") input.attributes = {{"average_size", a}, {"size_variation", b * 2}, {"delay", c * 100}};
  if (*input.type == "slow_close") input.attributes = {{"delay", a * 10}};
  if (*input.type == "limit_data") input.attributes = {{"bytes", a * 16 + b}};
  if (*input.type == "timeout") input.attributes = {{"timeout", a * 10}};
  if (*input.type == "reset_peer") input.attributes = {{"timeout", a * 10}};
  auto spec = buildToxicSpec(input);
  FUZZ_CHECK(spec.ok(), "fuzzer built an invalid %s: %s", input.type->c_str(), spec.error().message.c_str());
  return spec.value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  Harness chain(in.next());
  bool ended = false;
  int serial = 0;
  std::size_t ops = 0;
  while (!in.empty() && !chain.closed() && ++ops < 2000) {
    const uint8_t op = in.next();
    switch (op % 8) {
      case 0:
      case 1: {
        const std::size_t base = in.next();
        const std::size_t n = base * (1 + in.next() % 16);
        // The link stops reading above its cap; the chain sees nothing until it drains.
        if (!ended && chain.buffered() <= kCapBytes) chain.push(n);
        break;
      }
      case 2: {
        const uint8_t v = in.next();
        chain.advance(v < 200 ? Duration(Millis(v)) : Duration(Millis((v - 199) * 1000)));
        break;
      }
      case 3:
        if (chain.size() < kMaxStages) {
          const std::size_t pos = in.next();
          chain.add(pos, randomSpec(in, serial++));
        }
        break;
      case 4:
        chain.remove(in.next());
        break;
      case 5:
        if (!ended) {
          ended = true;
          chain.end();
        }
        break;
      case 6: {
        const std::size_t index = in.next();
        chain.replace(index, randomSpec(in, serial++));
        break;
      }
      default:
        chain.advance(Duration::zero());
        break;
    }
    chain.checkAccounting();
    FUZZ_CHECK(chain.buffered() <= kCapBytes + 255 * 16, "the chain holds %zu bytes, cap %zu", chain.buffered(),
               kCapBytes);
  }
  if (!chain.closed() && !ended) chain.end();
  chain.runAll();
  chain.checkAccounting();

  const std::string& input = chain.input();
  const std::string& output = chain.output();
  if (!chain.everSwallow()) {
    FUZZ_CHECK(output.size() <= input.size() && input.compare(0, output.size(), output) == 0,
               "output (%zu bytes) is not a prefix of the input (%zu bytes)", output.size(), input.size());
  }
  FUZZ_CHECK(output.size() <= chain.limit(), "limit_data let %zu bytes through, limit %zu", output.size(),
             chain.limit());
  if (!chain.closed() && !chain.everSwallow() && !chain.everLimit()) {
    FUZZ_CHECK(output == input, "lossless chain delivered %zu of %zu bytes", output.size(), input.size());
    FUZZ_CHECK(chain.ends() == 1, "lossless chain delivered the end %d times", chain.ends());
  }
  return 0;
}

// The toxic chain on a virtual clock. The input is an op sequence (push a chunk of N bytes,
// advance time, add / update / remove a toxic, end the stream) applied to a chain of stages,
// each with its own FakeToxicContext, wired stage to stage with setOnForward the way a Link
// wires them, and re-chained on add/remove the way Link::setToxics hands chunks over.
// Properties:
//  - no toxic reorders or invents bytes: the output is always a prefix of the input (unless a
//    timeout or reset_peer toxic, which swallow data, was ever attached);
//  - lossless chains (latency, bandwidth, slicer, slow_close, spared stages) deliver exactly the
//    input, then one end of stream, once every timer has run;
//  - limit_data attached from the first byte delivers no more than its limit;
//  - every lossless stage reports bufferedBytes() == bytes in - bytes out, so the link's
//    backpressure counts what is really held, and with the link's cap emulated (no reads while
//    the chain holds more than the cap) the chain never holds more than cap + one chunk.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "support/fake_toxic_context.h"
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

struct Stage {
  ToxicSpec spec;
  std::unique_ptr<Toxic> toxic;
  std::unique_ptr<FakeToxicContext> ctx;
  bool spared = false;   // lost the toxicity roll: a pass-through
  bool removed = false;
  std::size_t in_bytes = 0;
  std::size_t out_bytes = 0;
  bool lossless() const {
    return spared || spec.type == "latency" || spec.type == "bandwidth" || spec.type == "slicer" ||
           spec.type == "slow_close";
  }
};

class Chain {
 public:
  explicit Chain(uint64_t seed) : random_(seed) {}

  TimePoint now() const { return now_; }
  const std::string& input() const { return input_; }
  const std::string& output() const { return output_; }
  int ends() const { return ends_; }
  bool closed() const { return closed_; }
  bool everSwallow() const { return ever_swallow_; }
  bool everLimit() const { return ever_limit_; }
  // SIZE_MAX when no limit_data bounds the whole output.
  std::size_t limit() const { return limit_unknown_ ? SIZE_MAX : limit_; }
  std::size_t size() const { return stages_.size(); }

  std::size_t buffered() const {
    std::size_t total = 0;
    for (const auto& s : stages_) total += s->toxic->bufferedBytes();
    return total;
  }

  void push(std::size_t n) {
    std::string bytes(n, '\0');
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t k = input_.size() + i;
      bytes[i] = static_cast<char>((k * 131) ^ (k >> 8) ^ (k >> 16));
    }
    input_ += bytes;
    deliver(0, Chunk::copyOf(bytes.data(), n, now_));
  }

  void end() { deliverEnd(0); }

  // Every stage's clock moves to `to` in chain order, so chunks a stage forwards reach the next
  // stage before that one's clock moves past them.
  void advanceTo(TimePoint to) {
    now_ = to;
    for (std::size_t i = 0; i < stages_.size(); ++i) stages_[i]->ctx->advanceTo(to);
  }

  // Runs every pending timer of every stage, however far away (the link after the end): the
  // clocks move together to the earliest deadline of any stage, one deadline at a time.
  void runAll() {
    for (std::size_t round = 0; round < 10'000'000; ++round) {
      if (closed_) return;
      std::optional<TimePoint> next;
      for (const auto& s : stages_) {
        auto deadline = s->ctx->nextDeadline();
        if (deadline && (!next || *deadline < *next)) next = deadline;
      }
      if (!next) return;
      advanceTo(std::max(now_, *next));
    }
    FUZZ_CHECK(false, "timers still pending after 10,000,000 deadlines: a stage re-arms forever");
  }

  void add(std::size_t pos, ToxicSpec spec) {
    pos = std::min(pos, stages_.size());
    auto stage = makeStage(std::move(spec));
    Stage* raw = stage.get();
    stages_.insert(stages_.begin() + static_cast<std::ptrdiff_t>(pos), std::move(stage));
    raw->toxic->onAttach(*raw->ctx);
  }

  // Link::setToxics for one removed stage: its chunks go to the stage that followed it.
  void remove(std::size_t index) {
    if (stages_.empty()) return;
    index %= stages_.size();
    std::unique_ptr<Stage> old = std::move(stages_[index]);
    stages_.erase(stages_.begin() + static_cast<std::ptrdiff_t>(index));
    DrainedStage drained = old->toxic->drain();
    old->ctx->cancelAllTimers();
    old->removed = true;
    if (old->spec.type == "limit_data") limit_unknown_ = true;
    for (auto& chunk : drained.chunks) {
      old->out_bytes += chunk.size();
      chunk.setArrivedAt(now_);
      deliver(index, std::move(chunk));
    }
    if (drained.ended) deliverEnd(index);
    old->toxic->onRemove(*old->ctx);
    retired_.push_back(std::move(old));
  }

  // An update: a new stage from a new spec takes the old one's place and its chunks, with the
  // time they already waited.
  void replace(std::size_t index, ToxicSpec spec) {
    if (stages_.empty()) return;
    index %= stages_.size();
    spec.name = stages_[index]->spec.name;
    spec.type = stages_[index]->spec.type;
    std::unique_ptr<Stage> old = std::move(stages_[index]);
    stages_[index] = makeStage(std::move(spec));
    Stage* fresh = stages_[index].get();
    DrainedStage drained = old->toxic->drain();
    old->ctx->cancelAllTimers();
    old->removed = true;
    if (old->spec.type == "limit_data") limit_unknown_ = true;
    fresh->toxic->onAttach(*fresh->ctx);
    for (auto& chunk : drained.chunks) {
      old->out_bytes += chunk.size();
      fresh->in_bytes += chunk.size();
      fresh->toxic->onChunk(std::move(chunk), *fresh->ctx);
    }
    if (drained.ended) fresh->toxic->onEnd(*fresh->ctx);
    retired_.push_back(std::move(old));
  }

  void checkAccounting() const {
    for (std::size_t i = 0; i < stages_.size(); ++i) {
      const Stage& s = *stages_[i];
      if (!s.lossless()) continue;
      FUZZ_CHECK(s.out_bytes <= s.in_bytes, "stage %zu (%s) forwarded %zu bytes of %zu", i, s.spec.type.c_str(),
                 s.out_bytes, s.in_bytes);
      FUZZ_CHECK(s.toxic->bufferedBytes() == s.in_bytes - s.out_bytes,
                 "stage %zu (%s%s) reports %zu bytes buffered, holds %zu", i, s.spec.type.c_str(),
                 s.spared ? ", spared" : "", s.toxic->bufferedBytes(), s.in_bytes - s.out_bytes);
    }
  }

 private:
  std::unique_ptr<Stage> makeStage(ToxicSpec spec) {
    auto stage = std::make_unique<Stage>();
    stage->spec = std::move(spec);
    stage->toxic = createToxicStage(stage->spec, random_);
    stage->spared = dynamic_cast<PassThroughToxic*>(stage->toxic.get()) != nullptr;
    stage->ctx = std::make_unique<FakeToxicContext>(random_.below(UINT64_MAX));
    stage->ctx->advanceTo(now_);
    // timeout and reset_peer swallow data; limit_data cuts it. Its limit bounds the output only
    // when it saw the stream from the first byte and stays attached.
    if (!stage->spared && (stage->spec.type == "timeout" || stage->spec.type == "reset_peer")) ever_swallow_ = true;
    if (!stage->spared && stage->spec.type == "limit_data") {
      ever_limit_ = true;
      if (input_.empty()) limit_ = std::min<std::size_t>(limit_, static_cast<std::size_t>(stage->spec.attr("bytes")));
      else limit_unknown_ = true;
    }
    Stage* self = stage.get();
    self->ctx->setOnForward([this, self](const Chunk& chunk) {
      FUZZ_CHECK(!self->removed, "a removed %s stage forwarded %zu bytes", self->spec.type.c_str(), chunk.size());
      self->out_bytes += chunk.size();
      deliver(indexOf(self) + 1, chunk);
    });
    self->ctx->setOnEnd([this, self] {
      if (self->removed) return;  // a drained stage hands its end over in the drain
      deliverEnd(indexOf(self) + 1);
    });
    return stage;
  }

  std::size_t indexOf(const Stage* stage) const {
    for (std::size_t i = 0; i < stages_.size(); ++i) {
      if (stages_[i].get() == stage) return i;
    }
    FUZZ_CHECK(false, "a stage outside the chain forwarded");
    return 0;
  }

  void deliver(std::size_t index, Chunk chunk) {
    closed_ = closed_ || anyClosed();
    if (closed_) return;
    if (index >= stages_.size()) {
      FUZZ_CHECK(ends_ == 0, "%zu bytes arrived after the end of stream", chunk.size());
      if (chunk.size() > 0) output_.append(chunk.data(), chunk.size());
      return;
    }
    Stage& next = *stages_[index];
    next.in_bytes += chunk.size();
    chunk.setArrivedAt(next.ctx->now());
    next.toxic->onChunk(std::move(chunk), *next.ctx);
  }

  void deliverEnd(std::size_t index) {
    closed_ = closed_ || anyClosed();
    if (closed_) return;
    if (index >= stages_.size()) {
      ++ends_;
      return;
    }
    stages_[index]->toxic->onEnd(*stages_[index]->ctx);
  }

  bool anyClosed() const {
    for (const auto& s : stages_) {
      if (s->ctx->closeCount() > 0) return true;
    }
    for (const auto& s : retired_) {
      if (s->ctx->closeCount() > 0) return true;
    }
    return false;
  }

  Random random_;
  TimePoint now_ = FakeToxicContext::epoch();
  std::vector<std::unique_ptr<Stage>> stages_;
  std::vector<std::unique_ptr<Stage>> retired_;  // contexts outlive their stage's last callback
  std::string input_;
  std::string output_;
  int ends_ = 0;
  bool closed_ = false;
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
  Chain chain(in.next());
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
        chain.advanceTo(chain.now() + (v < 200 ? Millis(v) : Millis((v - 199) * 1000)));
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
      case 6:
      {
        const std::size_t index = in.next();
        chain.replace(index, randomSpec(in, serial++));
        break;
      }
      default:
        chain.advanceTo(chain.now());
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

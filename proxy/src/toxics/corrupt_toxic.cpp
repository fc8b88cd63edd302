#include "toxics/corrupt_toxic.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace faultline {

CorruptToxic::CorruptToxic(Params params) : params_(params) {
  if (params_.ppm > 0 && params_.ppm < kPerMillion) {
    log_keep_ = std::log1p(-static_cast<double>(params_.ppm) / static_cast<double>(kPerMillion));
  }
}

std::unique_ptr<Toxic> CorruptToxic::create(const ToxicSpec& spec) {
  return std::make_unique<CorruptToxic>(Params{spec.attr("ppm")});
}

uint64_t CorruptToxic::drawGap(Random& random) const {
  if (params_.ppm >= kPerMillion) return 0;
  // Inverse CDF of the geometric distribution: the number of failures before the first success.
  const double u = 1.0 - random.unit();  // (0, 1]
  const double gap = std::floor(std::log(u) / log_keep_);
  if (!(gap < static_cast<double>(std::numeric_limits<uint64_t>::max() / 2))) {
    return std::numeric_limits<uint64_t>::max() / 2;
  }
  return static_cast<uint64_t>(gap);
}

void CorruptToxic::onChunk(Chunk chunk, ToxicContext& ctx) {
  if (params_.ppm <= 0 || chunk.empty()) {
    ctx.forward(std::move(chunk));
    return;
  }
  if (!gap_drawn_) {
    gap_ = drawGap(ctx.random());
    gap_drawn_ = true;
  }
  if (gap_ >= chunk.size()) {
    gap_ -= chunk.size();
    ctx.forward(std::move(chunk));
    return;
  }
  // The bytes are shared with whoever else holds the read slab, so the damage goes into a copy.
  auto storage = std::make_shared_for_overwrite<char[]>(chunk.size());
  std::memcpy(storage.get(), chunk.data(), chunk.size());
  std::size_t pos = static_cast<std::size_t>(gap_);
  uint64_t flipped = 0;
  while (true) {
    ++flipped;
    storage[pos] = static_cast<char>(static_cast<unsigned char>(storage[pos]) ^ (1u << ctx.random().below(8)));
    const uint64_t next = drawGap(ctx.random());
    const uint64_t remaining = chunk.size() - pos - 1;
    if (next >= remaining) {
      gap_ = next - remaining;
      break;
    }
    pos += static_cast<std::size_t>(next) + 1;
  }
  if (ToxicCounters* counters = ctx.counters()) counters->bytes_corrupted += flipped;
  ctx.forward(Chunk(std::move(storage), 0, chunk.size(), chunk.arrivedAt()));
}

}  // namespace faultline

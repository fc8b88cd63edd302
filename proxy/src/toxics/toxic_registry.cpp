#include "toxics/toxic_registry.h"

#include "toxics/bandwidth_toxic.h"
#include "toxics/corrupt_toxic.h"
#include "toxics/cut_toxic.h"
#include "toxics/latency_toxic.h"
#include "toxics/limit_data_toxic.h"
#include "toxics/reset_peer_toxic.h"
#include "toxics/slicer_toxic.h"
#include "toxics/slow_close_toxic.h"
#include "toxics/tcp_loss_toxic.h"
#include "toxics/timeout_toxic.h"

namespace faultline {

namespace {
// A day bounds every duration: a longer fault is a typo, and the bound keeps arithmetic in range.
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kDayUs = kDayMs * 1000;
constexpr int64_t kMaxBytes = int64_t{1} << 50;
}  // namespace

// An explicit table rather than static self-registration: registrar objects in a static library
// are dropped by the linker when nothing references their translation unit.
const std::vector<ToxicType>& toxicTypes() {
  static const std::vector<ToxicType> types = {
      {"latency", "adds latency (plus or minus jitter) to every chunk",
       {{"latency", "ms", 0, kDayMs, 0}, {"jitter", "ms", 0, kDayMs, 0}, {"p99", "ms", 0, kDayMs, 0, true}},
       &LatencyToxic::create},
      {"bandwidth", "limits throughput to rate KB/s (0 = unlimited)",
       {{"rate", "KB/s", 0, kMaxBytes, 0}}, &BandwidthToxic::create},
      {"slow_close", "delays the close (FIN) by delay ms",
       {{"delay", "ms", 0, kDayMs, 0}}, &SlowCloseToxic::create},
      {"timeout", "stops all data; closes after timeout ms (0 = never)",
       {{"timeout", "ms", 0, kDayMs, 0}}, &TimeoutToxic::create},
      {"reset_peer", "resets the connection (RST) after timeout ms",
       {{"timeout", "ms", 0, kDayMs, 0}}, &ResetPeerToxic::create},
      {"slicer", "slices data into pieces of average_size +/- size_variation bytes, delay us apart",
       {{"average_size", "bytes", 0, kMaxBytes, 0},
        {"size_variation", "bytes", 0, kMaxBytes, 0},
        {"delay", "us", 0, kDayUs, 0}},
       &SlicerToxic::create},
      {"limit_data", "closes the connection after bytes bytes have passed",
       {{"bytes", "bytes", 0, kMaxBytes, 0}}, &LimitDataToxic::create},
      {"cut", "cuts the connection after after_ms ms or after after_bytes bytes in this direction",
       {{"after_ms", "ms", 0, kDayMs, 0}, {"after_bytes", "bytes", 0, kMaxBytes, 0}}, &CutToxic::create},
      {"tcp_loss", "stalls percent of chunks (and what follows) for rto_ms, doubling per consecutive loss",
       {{"percent", "%", 0, 100, 0}, {"rto_ms", "ms", 1, kDayMs, 200}, {"burst", "losses", 1, 1000, 1}},
       &TcpLossToxic::create},
      // Acts on the proxy's listener (Proxy holds the address unanswered while it is present),
      // not on a link: on the links it is a pass-through.
      {"connect_timeout", "new connection attempts get no answer (the client's connect timeout fires)",
       {},
       [](const ToxicSpec&) -> std::unique_ptr<Toxic> { return std::make_unique<PassThroughToxic>(); }},
      {"corrupt", "flips one bit in ppm of every million bytes; length unchanged",
       {{"ppm", "per million", 0, CorruptToxic::kPerMillion, 0}}, &CorruptToxic::create},
  };
  return types;
}

const ToxicType* findToxicType(std::string_view name) {
  for (const auto& type : toxicTypes()) {
    if (type.name == name) return &type;
  }
  return nullptr;
}

std::unique_ptr<Toxic> createToxicStage(const ToxicSpec& spec, Random& random) {
  const ToxicType* type = findToxicType(spec.type);
  if (type == nullptr || !spec.probability.roll(random)) return std::make_unique<PassThroughToxic>();
  return type->create(spec);
}

}  // namespace faultline

#include "toxics/toxic_registry.h"

#include "net/cidr.h"
#include "toxics/bandwidth_toxic.h"
#include "toxics/corrupt_toxic.h"
#include "toxics/cut_toxic.h"
#include "toxics/latency_distribution.h"
#include "toxics/latency_toxic.h"
#include "toxics/limit_data_toxic.h"
#include "toxics/noop_toxic.h"
#include "toxics/reset_peer_toxic.h"
#include "toxics/slicer_toxic.h"
#include "toxics/slow_close_toxic.h"
#include "toxics/tcp_loss_toxic.h"
#include "toxics/timeout_toxic.h"
#include "toxics/http/http_matcher.h"

namespace faultline {

namespace {
// A day bounds every duration: a longer fault is a typo, and the bound keeps arithmetic in range.
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kDayUs = kDayMs * 1000;
constexpr int64_t kMaxBytes = int64_t{1} << 50;

// http_* toxics run in the session's HTTP layer; on a link they are never a stage.
std::unique_ptr<Toxic> httpNoStage(const ToxicSpec&) { return std::make_unique<PassThroughToxic>(); }

AttributeInfo text(std::string name, std::string unit, Status (*check)(const std::string&) = nullptr) {
  AttributeInfo a{std::move(name), std::move(unit)};
  a.kind = AttributeKind::kString;
  a.check = check;
  return a;
}

AttributeInfo word(std::string name, std::vector<std::string> words) {
  AttributeInfo a{std::move(name), "word"};
  a.kind = AttributeKind::kWord;
  a.default_text = words.front();
  a.words = std::move(words);
  return a;
}

// An extension of a Toxiproxy toxic: absent from the toxic's JSON while at its default.
AttributeInfo hidden(AttributeInfo a) {
  a.hidden_at_default = true;
  return a;
}

Status checkClientCidr(const std::string& value) {
  if (value.empty()) return {};  // the default: every client (an update sends the current value back)
  if (auto cidr = Cidr::parse(value); !cidr) return cidr.error();
  return {};
}

// Every link toxic may be limited to some clients (issue 14: "client" = a CIDR on any toxic).
std::vector<AttributeInfo> withClient(std::vector<AttributeInfo> own) {
  own.push_back(hidden(text("client", "CIDR", &checkClientCidr)));
  return own;
}

// Every http_* toxic: its own attributes, then the per-request roll and the three matchers.
std::vector<AttributeInfo> withHttpCommon(std::vector<AttributeInfo> own) {
  own.push_back({"percentage", "%", 0, 100, 100});
  own.push_back(text("method", "comma list", &checkMethodList));
  own.push_back(text("path", "glob", &checkPathGlob));
  own.push_back(text("header", "Name[: value]", &checkHeaderMatcher));
  return own;
}
}  // namespace

// An explicit table rather than static self-registration: registrar objects in a static library
// are dropped by the linker when nothing references their translation unit.
const std::vector<ToxicType>& toxicTypes() {
  static const std::vector<ToxicType> types = {
      {"latency", "adds latency to every chunk: latency +/- jitter, or a normal, lognormal or pareto distribution",
       withClient({{"latency", "ms", 0, kDayMs, 0},
                   {"jitter", "ms", 0, kDayMs, 0},
                   hidden(word("distribution", {"uniform", "normal", "lognormal", "pareto"})),
                   hidden({"p99", "ms", 0, kDayMs, 0})}),
       &LatencyToxic::create, false, &checkLatencyDistribution},
      {"bandwidth", "limits throughput to rate KB/s (0 = unlimited), per connection or shared by the proxy",
       withClient({{"rate", "KB/s", 0, kMaxBytes, 0}, hidden(word("scope", {"connection", "proxy"}))}),
       &BandwidthToxic::create},
      {"slow_close", "delays the close (FIN) by delay ms",
       withClient({{"delay", "ms", 0, kDayMs, 0}}), &SlowCloseToxic::create},
      {"timeout", "stops all data; closes after timeout ms (0 = never)",
       withClient({{"timeout", "ms", 0, kDayMs, 0}}), &TimeoutToxic::create},
      {"reset_peer", "resets the connection (RST) after timeout ms",
       withClient({{"timeout", "ms", 0, kDayMs, 0}}), &ResetPeerToxic::create},
      {"slicer", "slices data into pieces of average_size +/- size_variation bytes, delay us apart",
       withClient({{"average_size", "bytes", 0, kMaxBytes, 0},
                   {"size_variation", "bytes", 0, kMaxBytes, 0},
                   {"delay", "us", 0, kDayUs, 0}}),
       &SlicerToxic::create},
      {"limit_data", "closes the connection after bytes bytes have passed",
       withClient({{"bytes", "bytes", 0, kMaxBytes, 0}}), &LimitDataToxic::create},
      {"noop", "passes data unchanged (a marker; Toxiproxy registers it too)", withClient({}), &NoopToxic::create},
      {"cut", "cuts the connection after after_ms ms or after_bytes bytes in this direction (mode reset, close or hang)",
       withClient({{"after_ms", "ms", 0, kDayMs, 0},
                   {"after_bytes", "bytes", 0, kMaxBytes, 0},
                   word("mode", {"reset", "close", "hang"})}),
       &CutToxic::create},
      {"tcp_loss", "stalls percent of chunks (and what follows) for rto_ms, doubling per consecutive loss",
       withClient({{"percent", "%", 0, 100, 0}, {"rto_ms", "ms", 1, kDayMs, 200}, {"burst", "losses", 1, 1000, 1}}),
       &TcpLossToxic::create},
      // Acts on the proxy's listener (Proxy holds the address unanswered while it is present),
      // not on a link: on the links it is a pass-through, and a client filter cannot apply
      // (there is no client before the accept).
      {"connect_timeout", "new connection attempts get no answer (the client's connect timeout fires)",
       {},
       [](const ToxicSpec&) -> std::unique_ptr<Toxic> { return std::make_unique<PassThroughToxic>(); }},
      {"corrupt", "flips one bit in ppm of every million bytes; length unchanged",
       withClient({{"ppm", "per million", 0, CorruptToxic::kPerMillion, 0}}), &CorruptToxic::create},
      {"http_abort", "answers matching requests itself with status (and body, Retry-After); upstream never sees them",
       withHttpCommon({{"status", "HTTP status", 100, 599, 503}, text("body", "text"),
                       {"retry_after", "s", 0, 86'400, 0}}),
       &httpNoStage, true},
      {"http_delay", "holds matching requests (phase request) or their responses (phase response) latency +/- jitter ms",
       withHttpCommon({{"latency", "ms", 0, kDayMs, 0}, {"jitter", "ms", 0, kDayMs, 0},
                       word("phase", {"request", "response"})}),
       &httpNoStage, true},
      {"http_reset", "cuts matching exchanges at the request, after the response headers, or after bytes of body",
       withHttpCommon({word("when", {"request", "headers", "body"}), {"bytes", "bytes", 0, kMaxBytes, 0},
                       word("mode", {"reset", "close", "hang"})}),
       &httpNoStage, true},
      {"http_status", "forwards matching requests and replaces the status (and body) of the answer",
       withHttpCommon({{"status", "HTTP status", 100, 599, 500}, text("body", "text")}), &httpNoStage, true},
      // The Litmus fork of Toxiproxy names these; experiments written for it run unchanged.
      {"status_code", "Litmus alias of http_status: status_code, and response_body when modify_response_body is 1",
       withHttpCommon({{"status_code", "HTTP status", 100, 599, 500}, {"modify_response_body", "0|1", 0, 1, 0},
                       text("response_body", "text")}),
       &httpNoStage, true},
      {"modify_response_body", "Litmus alias: replaces the body of matching answers with response_body",
       withHttpCommon({text("response_body", "text")}), &httpNoStage, true},
  };
  return types;
}

const ToxicType* findToxicType(std::string_view name) {
  for (const auto& type : toxicTypes()) {
    if (type.name == name) return &type;
  }
  return nullptr;
}

bool isHttpToxicType(std::string_view name) {
  const ToxicType* type = findToxicType(name);
  return type != nullptr && type->http;
}

BuiltStage buildToxicStage(const ToxicSpec& spec, Random& random) {
  const ToxicType* type = findToxicType(spec.type);
  if (type == nullptr || !spec.probability.roll(random)) return {std::make_unique<PassThroughToxic>(), false};
  return {type->create(spec), true};
}

std::unique_ptr<Toxic> createToxicStage(const ToxicSpec& spec, Random& random) {
  return buildToxicStage(spec, random).toxic;
}

}  // namespace faultline

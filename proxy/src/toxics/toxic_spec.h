#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/random.h"
#include "core/result.h"
#include "toxics/schedule.h"

namespace faultline {

enum class Stream { kUpstream, kDownstream };

const char* streamName(Stream stream);
// Case-insensitive, as Toxiproxy parses it.
std::optional<Stream> parseStream(std::string_view text);

// A validated, immutable toxic configuration (Envoy's config object). Links build their runtime
// Toxic from it; updating a toxic makes a new spec and never mutates one a link uses.
struct ToxicSpec {
  std::string name;
  std::string type;
  Stream stream = Stream::kDownstream;
  double toxicity = 1.0;  // as given, for JSON round trips
  Probability probability;
  // Every attribute the type declares, defaults filled in (Toxiproxy: unset means 0).
  std::map<std::string, int64_t> attributes;
  // Faultline extension: when the toxic is applied. Absent: always, until removed.
  std::optional<ToxicSchedule> schedule;

  int64_t attr(const std::string& key) const {
    auto it = attributes.find(key);
    return it == attributes.end() ? 0 : it->second;
  }
  bool operator==(const ToxicSpec& other) const {
    return name == other.name && type == other.type && stream == other.stream &&
           toxicity == other.toxicity && attributes == other.attributes && schedule == other.schedule;
  }
};

using ToxicSpecPtr = std::shared_ptr<const ToxicSpec>;

// Raw, unvalidated input from JSON or YAML. `where` prefixes every error message
// (e.g. "proxies[2].toxics[0]").
struct ToxicInput {
  std::optional<std::string> name;
  std::optional<std::string> type;
  std::optional<std::string> stream;
  std::optional<double> toxicity;
  std::map<std::string, int64_t> attributes;
  std::optional<ScheduleInput> schedule;
};

// Checks type, stream, toxicity and every attribute against the toxic registry and fills the
// defaults. Errors name the field: "attributes.latency: expected ...".
Result<ToxicSpec> buildToxicSpec(const ToxicInput& input, const std::string& where = "");

}  // namespace faultline

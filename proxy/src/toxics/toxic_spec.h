#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/random.h"
#include "core/result.h"
#include "net/cidr.h"
#include "toxics/schedule.h"
#include "toxics/shared_rate.h"

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
  // Every integer attribute the type declares, defaults filled in (Toxiproxy: unset means 0).
  std::map<std::string, int64_t> attributes;
  // Every string-valued attribute (the http_* toxics' matchers, bodies, phases), defaults filled
  // in. Kept apart so the classic toxics' integer map, and their JSON, stay exactly as before.
  std::map<std::string, std::string> text_attributes;
  // Faultline extension: when the toxic is applied. Absent: always, until removed.
  std::optional<ToxicSchedule> schedule;
  // attributes.client, parsed: only connections from this block get the toxic.
  std::optional<Cidr> client;
  // Runtime state every stage built from this spec shares (not part of its value): the one line
  // a bandwidth toxic with scope=proxy paces all of the proxy's connections on.
  std::shared_ptr<SharedRate> shared_rate;

  int64_t attr(const std::string& key) const {
    auto it = attributes.find(key);
    return it == attributes.end() ? 0 : it->second;
  }
  const std::string& text(const std::string& key) const {
    static const std::string kEmpty;
    auto it = text_attributes.find(key);
    return it == text_attributes.end() ? kEmpty : it->second;
  }
  bool operator==(const ToxicSpec& other) const {
    return name == other.name && type == other.type && stream == other.stream &&
           toxicity == other.toxicity && attributes == other.attributes &&
           text_attributes == other.text_attributes && schedule == other.schedule;
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
  // Attributes given as strings. A string for an integer attribute of an http_* toxic is read as
  // a number ("status": "503"); any other mismatch is an error naming the attribute.
  std::map<std::string, std::string> text_attributes;
  std::optional<ScheduleInput> schedule;
};

// Checks type, stream, toxicity and every attribute against the toxic registry and fills the
// defaults. Errors name the field: "attributes.latency: expected ...".
Result<ToxicSpec> buildToxicSpec(const ToxicInput& input, const std::string& where = "");

}  // namespace faultline

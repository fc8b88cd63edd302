#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

enum class AttributeKind {
  kInteger,  // JSON number; min..max
  kString,   // JSON string; `check` (when set) says whether a value is acceptable
  kWord,     // JSON string, one of `words`
};

struct AttributeInfo {
  AttributeInfo(std::string name_, std::string unit_, int64_t min_ = 0, int64_t max_ = 0, int64_t default_ = 0)
      : name(std::move(name_)), unit(std::move(unit_)), min(min_), max(max_), default_value(default_) {}

  std::string name;
  std::string unit;         // "ms", "us", "bytes", "KB/s": shown in errors and CLI help
  int64_t min = 0;
  int64_t max = 0;
  int64_t default_value = 0;
  AttributeKind kind = AttributeKind::kInteger;
  std::string default_text;        // kString / kWord
  std::vector<std::string> words;  // kWord
  // kString: an empty Status when the value is fine, else what is wrong and how to fix it.
  Status (*check)(const std::string& value) = nullptr;

  bool integer() const { return kind == AttributeKind::kInteger; }
  // An extension of a Toxiproxy toxic (latency's p99): left out of the JSON while it has its
  // default, so Toxiproxy's clients and tests see the toxic exactly as Toxiproxy shows it.
  bool hidden_at_default = false;
};

// One row per toxic type: its name, what it does, its attributes, and how to build a stage.
// The API, the rules loader and the CLI all read this table, so a new toxic appears everywhere.
struct ToxicType {
  std::string name;
  std::string summary;
  std::vector<AttributeInfo> attributes;
  std::unique_ptr<Toxic> (*create)(const ToxicSpec& spec);
  // Acts on HTTP exchanges (the per-session HTTP layer runs it), not on a link's bytes.
  bool http = false;
  // Rules between attributes (latency's p99 above its median), run once every attribute is
  // valid on its own: an empty Status, or "attributes.<name>: what is wrong and how to fix it".
  Status (*check)(const ToxicSpec& spec) = nullptr;
};

const std::vector<ToxicType>& toxicTypes();
const ToxicType* findToxicType(std::string_view name);
// True for the http_* types and their Litmus aliases: they need the HTTP layer, not a stage.
bool isHttpToxicType(std::string_view name);

// The runtime stage for one link: the toxic itself, or a pass-through when the toxicity roll
// says this link is spared (applied = false then, which the metrics count).
struct BuiltStage {
  std::unique_ptr<Toxic> toxic;
  bool applied = false;
};
BuiltStage buildToxicStage(const ToxicSpec& spec, Random& random);
// The same, without the roll's outcome.
std::unique_ptr<Toxic> createToxicStage(const ToxicSpec& spec, Random& random);

}  // namespace faultline

#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

struct AttributeInfo {
  std::string name;
  std::string unit;         // "ms", "us", "bytes", "KB/s": shown in errors and CLI help
  int64_t min = 0;
  int64_t max = 0;
  int64_t default_value = 0;
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
};

const std::vector<ToxicType>& toxicTypes();
const ToxicType* findToxicType(std::string_view name);

// The runtime stage for one link: the toxic itself, or a pass-through when the toxicity roll
// says this link is spared.
std::unique_ptr<Toxic> createToxicStage(const ToxicSpec& spec, Random& random);

}  // namespace faultline

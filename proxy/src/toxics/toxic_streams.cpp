#include "toxics/toxic_streams.h"

#include <algorithm>
#include <cctype>

namespace faultline {

bool wantsBothStreams(const ToxicInput& input) {
  if (!input.stream) return false;
  std::string lower = *input.stream;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "both";
}

Result<std::vector<ToxicSpec>> buildToxicSpecs(const ToxicInput& input, const std::string& where) {
  std::vector<ToxicSpec> specs;
  if (!wantsBothStreams(input)) {
    auto spec = buildToxicSpec(input, where);
    if (!spec) return spec.error();
    specs.push_back(std::move(*spec));
    return specs;
  }
  // Toxiproxy treats "" as unnamed (its Go client sends it), so the type is the base name then.
  const std::string base = input.name && !input.name->empty() ? *input.name : input.type.value_or("");
  for (Stream stream : {Stream::kUpstream, Stream::kDownstream}) {
    ToxicInput half = input;
    half.stream = streamName(stream);
    // Without a type, buildToxicSpec reports the missing type; the name is not the problem.
    if (!base.empty()) half.name = base + "_" + streamName(stream);
    // Each direction is built on its own, so per-spec runtime state (a shared bandwidth line)
    // is per direction, as "one rate in that direction" means.
    auto spec = buildToxicSpec(half, where);
    if (!spec) return spec.error();
    specs.push_back(std::move(*spec));
  }
  return specs;
}

}  // namespace faultline

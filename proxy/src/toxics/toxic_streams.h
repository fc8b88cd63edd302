#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// "stream": "both" (any case): one request makes the toxic on both directions, as two ordinary
// toxics named <name>_upstream and <name>_downstream (<name> defaults to the type), so every
// Toxiproxy client keeps seeing toxics with one stream each.
bool wantsBothStreams(const ToxicInput& input);

// The specs one API request or rules entry stands for: one, or the upstream and the downstream
// toxic for "both" (in that order, as Toxiproxy lists upstream toxics first). Errors are
// buildToxicSpec's, naming the field under `where`.
Result<std::vector<ToxicSpec>> buildToxicSpecs(const ToxicInput& input, const std::string& where = "");

}  // namespace faultline

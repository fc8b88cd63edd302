#include "toxics/toxic_spec.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "toxics/toxic_registry.h"

namespace faultline {

const char* streamName(Stream stream) {
  return stream == Stream::kUpstream ? "upstream" : "downstream";
}

std::optional<Stream> parseStream(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "upstream") return Stream::kUpstream;
  if (lower == "downstream") return Stream::kDownstream;
  return std::nullopt;
}

namespace {

std::string field(const std::string& where, const std::string& name) {
  return where.empty() ? name : where + "." + name;
}

bool validName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
}

std::string knownTypes() {
  std::string out;
  for (const auto& type : toxicTypes()) {
    if (!out.empty()) out += ", ";
    out += type.name;
  }
  return out;
}

}  // namespace

Result<ToxicSpec> buildToxicSpec(const ToxicInput& input, const std::string& where) {
  if (!input.type || input.type->empty()) {
    return Error::invalid(field(where, "type") + ": missing required field; one of " + knownTypes());
  }
  const ToxicType* type = findToxicType(*input.type);
  if (type == nullptr) {
    return Error::invalid(field(where, "type") + ": invalid toxic type '" + *input.type +
                          "'; expected one of " + knownTypes());
  }
  ToxicSpec spec;
  spec.type = type->name;
  if (input.stream) {
    auto stream = parseStream(*input.stream);
    if (!stream) {
      return Error::invalid(field(where, "stream") + ": stream was invalid, can be either upstream or downstream (got '" +
                            *input.stream + "')");
    }
    spec.stream = *stream;
  }
  // Toxiproxy names an unnamed toxic <type>_<stream>, and treats "" as unnamed: its Go client
  // sends "name": "" when the caller gives none.
  spec.name = input.name && !input.name->empty() ? *input.name : spec.type + "_" + streamName(spec.stream);
  if (!validName(spec.name)) {
    return Error::invalid(field(where, "name") + ": expected 1-128 characters of letters, digits, '_', '-' or '.', got '" +
                          spec.name + "'");
  }
  if (input.toxicity) {
    double t = *input.toxicity;
    if (!std::isfinite(t) || t < 0.0 || t > 1.0) {
      return Error::invalid(field(where, "toxicity") + ": expected a probability between 0 and 1, got " +
                            std::to_string(t));
    }
    spec.toxicity = t;
  }
  spec.probability = Probability::fromFraction(spec.toxicity);
  for (const auto& [key, value] : input.attributes) {
    auto it = std::find_if(type->attributes.begin(), type->attributes.end(),
                           [&name = key](const AttributeInfo& a) { return a.name == name; });
    if (it == type->attributes.end()) {
      std::string known;
      for (const auto& a : type->attributes) known += (known.empty() ? "" : ", ") + a.name;
      return Error::invalid(field(where, "attributes." + key) + ": unknown attribute for toxic type " + type->name +
                            "; expected one of " + known);
    }
    if (value < it->min || value > it->max) {
      return Error::invalid(field(where, "attributes." + key) + ": expected an integer from " +
                            std::to_string(it->min) + " to " + std::to_string(it->max) + " (" + it->unit + "), got " +
                            std::to_string(value));
    }
  }
  for (const auto& a : type->attributes) {
    auto it = input.attributes.find(a.name);
    spec.attributes[a.name] = it == input.attributes.end() ? a.default_value : it->second;
  }
  if (input.schedule) {
    auto schedule = buildToxicSchedule(*input.schedule, field(where, "schedule"));
    if (!schedule) return schedule.error();
    spec.schedule = *schedule;
  }
  return spec;
}

}  // namespace faultline

#include "toxics/toxic_spec.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "toxics/platform_support.h"
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

// "503", " 30 " -> the number; anything else (empty, "5x", "1e3", overflow) -> nullopt.
std::optional<int64_t> parseDecimal(const std::string& text) {
  std::size_t begin = text.find_first_not_of(" \t");
  std::size_t end = text.find_last_not_of(" \t");
  if (begin == std::string::npos) return std::nullopt;
  std::string digits = text.substr(begin, end - begin + 1);
  std::size_t i = digits[0] == '-' ? 1 : 0;
  if (i == digits.size() || digits.size() > 19) return std::nullopt;
  for (std::size_t j = i; j < digits.size(); ++j) {
    if (!std::isdigit(static_cast<unsigned char>(digits[j]))) return std::nullopt;
  }
  return std::stoll(digits);
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
  if (const std::string why = toxicTypeUnsupported(type->name); !why.empty()) {
    return Error::invalid(field(where, "type") + ": " + why);
  }
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
  auto describe = [&](const std::string& key) -> const AttributeInfo* {
    auto it = std::find_if(type->attributes.begin(), type->attributes.end(),
                           [&key](const AttributeInfo& a) { return a.name == key; });
    return it == type->attributes.end() ? nullptr : &*it;
  };
  auto unknown = [&](const std::string& key) {
    std::string known;
    for (const auto& a : type->attributes) known += (known.empty() ? "" : ", ") + a.name;
    if (known.empty()) {
      return Error::invalid(field(where, "attributes." + key) + ": toxic type " + type->name +
                            " takes no attributes; remove it");
    }
    return Error::invalid(field(where, "attributes." + key) + ": unknown attribute for toxic type " + type->name +
                          "; expected one of " + known);
  };
  auto outOfRange = [&](const AttributeInfo& a, const std::string& got) {
    return Error::invalid(field(where, "attributes." + a.name) + ": expected an integer from " +
                          std::to_string(a.min) + " to " + std::to_string(a.max) + " (" + a.unit + "), got " + got);
  };
  std::map<std::string, int64_t> integers;
  std::map<std::string, std::string> texts;
  for (const auto& [key, value] : input.attributes) {
    const AttributeInfo* a = describe(key);
    if (a == nullptr) return unknown(key);
    if (!a->integer()) {
      // A number where a string is expected: its decimal text (e.g. "body": 42).
      texts[key] = std::to_string(value);
      continue;
    }
    if (value < a->min || value > a->max) return outOfRange(*a, std::to_string(value));
    integers[key] = value;
  }
  for (const auto& [key, value] : input.text_attributes) {
    const AttributeInfo* a = describe(key);
    if (a == nullptr) return unknown(key);
    if (a->integer()) {
      if (!type->http) {
        return Error::invalid(field(where, "attributes." + key) + ": expected an integer (" + a->unit + "), got the string \"" +
                              value + "\"");
      }
      auto n = parseDecimal(value);
      if (!n) return outOfRange(*a, "\"" + value + "\"");
      if (*n < a->min || *n > a->max) return outOfRange(*a, value);
      integers[key] = *n;
      continue;
    }
    texts[key] = value;
  }
  for (const auto& [key, value] : texts) {
    const AttributeInfo* a = describe(key);
    if (a->kind == AttributeKind::kWord) {
      if (std::find(a->words.begin(), a->words.end(), value) == a->words.end()) {
        std::string words;
        for (const auto& w : a->words) words += (words.empty() ? "" : ", ") + w;
        return Error::invalid(field(where, "attributes." + key) + ": expected one of " + words + ", got \"" + value + "\"");
      }
    } else if (a->check != nullptr) {
      if (auto ok = a->check(value); !ok) {
        return Error::invalid(field(where, "attributes." + key) + ": " + ok.error().message);
      }
    }
  }
  for (const auto& a : type->attributes) {
    if (a.integer()) {
      auto it = integers.find(a.name);
      spec.attributes[a.name] = it == integers.end() ? a.default_value : it->second;
    } else {
      auto it = texts.find(a.name);
      spec.text_attributes[a.name] = it == texts.end() ? a.default_text : it->second;
    }
  }
  if (type->check != nullptr) {
    if (auto ok = type->check(spec); !ok) return Error::invalid(field(where, ok.error().message));
  }
  if (const std::string& client = spec.text("client"); !client.empty()) {
    if (auto cidr = Cidr::parse(client)) spec.client = *cidr;  // the attribute's check passed
  }
  if (spec.type == "bandwidth" && spec.text("scope") == "proxy") spec.shared_rate = std::make_shared<SharedRate>();
  if (input.schedule) {
    auto schedule = buildToxicSchedule(*input.schedule, field(where, "schedule"));
    if (!schedule) return schedule.error();
    spec.schedule = *schedule;
  }
  return spec;
}

}  // namespace faultline

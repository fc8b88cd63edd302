#include "rules/rules_parser.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "net/address.h"
#include "toxics/toxic_registry.h"
#include "toxics/toxic_spec.h"

namespace faultline {

std::string RulesError::toString() const {
  std::string out = file;
  if (where.line > 0) out += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
  out += ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

std::string joinRulesErrors(const std::vector<RulesError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += '\n';
    out += e.toString();
  }
  return out;
}

std::string rulesTooLargeMessage(const std::string& size, std::size_t max_bytes) {
  return "rules file too large (" + size + "); expected at most " + std::to_string(max_bytes) +
         " bytes (split the file, or raise the limit with faultline serve --rules-max-kib)";
}

std::string rulesContentHash(std::string_view content) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : content) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

namespace {

// Thrown inside this file only (by the pre-scan), caught in parseRulesText.
struct ScanError {
  YAML::Mark mark;
  std::string message;
  RulesLimit limit = RulesLimit::kNone;
};

// A first pass over the parser's events, before any tree exists: refuses aliases (an anchor
// bomb is a handful of bytes that expands to billions of nodes once aliases are followed), too
// deep nesting and too many nodes, and counts documents.
class LimitScanner final : public YAML::EventHandler {
 public:
  explicit LimitScanner(const RulesLimits& limits) : limits_(limits) {}

  int documents = 0;

  void OnDocumentStart(const YAML::Mark&) override { ++documents; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    throw ScanError{mark, "YAML aliases (*name) are not allowed in rules files; expected each value written out"};
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    open(mark);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    open(mark);
  }
  void OnMapEnd() override { --depth_; }

 private:
  void node(const YAML::Mark& mark) {
    if (++nodes_ > limits_.max_nodes) {
      throw ScanError{mark,
                      "too many YAML nodes; expected at most " + std::to_string(limits_.max_nodes) +
                          " (split the file, or raise the limit with faultline serve --rules-max-nodes)",
                      RulesLimit::kNodes};
    }
  }
  void open(const YAML::Mark& mark) {
    node(mark);
    if (++depth_ > limits_.max_depth) {
      throw ScanError{mark, "nesting too deep; expected at most " + std::to_string(limits_.max_depth) + " levels",
                      RulesLimit::kDepth};
    }
  }

  const RulesLimits& limits_;
  std::size_t nodes_ = 0;
  int depth_ = 0;
};

SourceLocation locationOf(const YAML::Mark& mark) {
  if (mark.line < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

std::size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// " did you mean 'latency'?" when one allowed word is a near miss.
std::string suggestion(const std::string& word, const std::vector<std::string>& allowed) {
  std::string best;
  std::size_t best_distance = 3;
  for (const auto& candidate : allowed) {
    std::size_t d = editDistance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best.empty() ? "" : "; did you mean '" + best + "'?";
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "null";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Scalar: {
      std::string v = node.Scalar();
      if (v.size() > 40) v = v.substr(0, 40) + "...";
      return node.Tag() == "!" ? "the string \"" + v + "\"" : "'" + v + "'";
    }
    default: return "nothing";
  }
}

bool validName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
}

// Two listen addresses collide when they name the same port on the same host, or when either
// is the wildcard: Linux refuses 127.0.0.1:X while 0.0.0.0:X is bound.
bool listensCollide(const HostPort& a, const HostPort& b) {
  if (a.port == 0 || b.port != a.port) return false;
  auto norm = [](const std::string& h) {
    if (h == "localhost") return std::string("127.0.0.1");
    if (h.empty() || h == "0.0.0.0" || h == "::") return std::string("*");
    return h;
  };
  std::string ha = norm(a.host), hb = norm(b.host);
  return ha == hb || ha == "*" || hb == "*";
}

struct KeyedValue {
  YAML::Node key;
  YAML::Node value;
};

class Validator {
 public:
  Validator(std::string file, const RulesLimits& limits) : file_(std::move(file)), limits_(limits) {}

  std::vector<RulesError> errors;

  void fail(const YAML::Node& at, const std::string& path, const std::string& message) {
    fail(locationOf(at.Mark()), path, message);
  }
  void fail(SourceLocation where, const std::string& path, const std::string& message) {
    ++error_count_;
    if (errors.size() < limits_.max_errors) errors.push_back({file_, where, path, message});
  }
  void finish() {
    if (error_count_ > errors.size()) {
      errors.push_back({file_, {}, "", std::to_string(error_count_ - errors.size()) + " more errors not shown"});
    }
  }

  void document(const YAML::Node& root, RulesConfig& out) {
    if (root.IsNull()) {
      fail(SourceLocation{1, 1}, "", "empty rules file; expected 'proxies:' with a list of proxies ('proxies: []' declares none)");
      return;
    }
    if (root.IsSequence()) {  // Toxiproxy's JSON config: the /populate array
      proxies(root, out);
      return;
    }
    if (!root.IsMap()) {
      fail(root, "", "expected a map with a 'proxies:' list, or a list of proxies (Toxiproxy JSON), got " +
                         describe(root));
      return;
    }
    auto keys = mapEntries(root, "", {"version", "proxies"});
    if (auto it = keys.find("version"); it != keys.end()) {
      std::optional<int64_t> v = integer(it->second.value, "version", "1");
      if (v && *v != 1) fail(it->second.value, "version", "unsupported version " + std::to_string(*v) + "; expected 1");
    }
    auto it = keys.find("proxies");
    if (it == keys.end()) {
      fail(root, "", "missing required key 'proxies'; expected a list of proxies ('proxies: []' declares none)");
      return;
    }
    if (!it->second.value.IsSequence()) {
      fail(it->second.value, "proxies", "expected a list of proxies, got " + describe(it->second.value));
      return;
    }
    proxies(it->second.value, out);
  }

 private:
  struct Declared {
    std::string name;
    SourceLocation at;
  };

  void proxies(const YAML::Node& list, RulesConfig& out) {
    std::map<std::string, SourceLocation> names;
    std::vector<std::pair<HostPort, SourceLocation>> listens;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const YAML::Node item = list[i];
      std::string path = "proxies[" + std::to_string(i) + "]";
      ProxyConfig config;
      ProxySource source{locationOf(item.Mark()), locationOf(item.Mark())};
      if (!proxy(item, path, config, source)) continue;
      bool duplicate = false;
      if (auto [it, inserted] = names.emplace(config.name, source.proxy); !inserted) {
        fail(item["name"], path + ".name", "duplicate proxy name '" + config.name + "' (first declared at line " +
                                               std::to_string(it->second.line) + "); expected unique names");
        duplicate = true;
      }
      auto listen = parseHostPort(config.listen);
      if (listen) {
        for (const auto& [other, at] : listens) {
          if (listensCollide(*listen, other)) {
            fail(source.listen, path + ".listen", "duplicate listen address '" + config.listen +
                                                      "' (also used by the proxy at line " + std::to_string(at.line) +
                                                      "); expected each proxy on its own address");
            duplicate = true;
            break;
          }
        }
        listens.emplace_back(*listen, source.proxy);
      }
      if (duplicate) continue;
      out.proxies.push_back(std::move(config));
      out.sources.push_back(source);
    }
  }

  bool proxy(const YAML::Node& node, const std::string& path, ProxyConfig& out, ProxySource& source) {
    if (!node.IsMap()) {
      fail(node, path, "expected a proxy (a map with name, listen, upstream), got " + describe(node));
      return false;
    }
    std::size_t before = error_count_;
    // A rules file states the whole proxy: no toxics key means no toxics.
    out.toxics_given = true;
    auto keys = mapEntries(node, path, {"name", "listen", "upstream", "enabled", "toxics"});
    auto name = requiredString(node, keys, path, "name", "a proxy name");
    if (name) {
      if (validName(*name)) {
        out.name = *name;
      } else {
        fail(keys["name"].value, path + ".name",
             "expected 1-128 characters of letters, digits, '_', '-' or '.', got '" + *name + "'");
      }
    }
    if (auto listen = requiredString(node, keys, path, "listen", "an address to listen on, host:port")) {
      const YAML::Node& at = keys["listen"].value;
      source.listen = locationOf(at.Mark());
      auto parsed = parseHostPort(*listen);
      if (!parsed) {
        fail(at, path + ".listen", parsed.error().message);
      } else if (!numericSockaddr(*parsed)) {
        fail(at, path + ".listen", "cannot listen on '" + *listen +
                                       "'; expected a numeric IP address or localhost, e.g. 127.0.0.1:22220");
      } else {
        out.listen = *listen;
      }
    }
    if (auto upstream = requiredString(node, keys, path, "upstream", "the upstream address, host:port")) {
      const YAML::Node& at = keys["upstream"].value;
      auto parsed = parseHostPort(*upstream);
      if (!parsed) {
        fail(at, path + ".upstream", parsed.error().message);
      } else if (parsed->port == 0 || parsed->host.empty()) {
        fail(at, path + ".upstream", "expected a host and a port from 1 to 65535, got '" + *upstream + "'");
      } else {
        out.upstream = *upstream;
      }
    }
    if (auto it = keys.find("enabled"); it != keys.end()) {
      if (auto enabled = boolean(it->second.value, path + ".enabled")) out.enabled = *enabled;
    }
    if (auto it = keys.find("toxics"); it != keys.end() && !it->second.value.IsNull()) {
      const YAML::Node& list = it->second.value;
      if (!list.IsSequence()) {
        fail(list, path + ".toxics", "expected a list of toxics, got " + describe(list));
      } else {
        std::map<std::string, SourceLocation> names;
        for (std::size_t j = 0; j < list.size(); ++j) {
          const YAML::Node item = list[j];
          std::string where = path + ".toxics[" + std::to_string(j) + "]";
          auto spec = toxic(item, where);
          if (!spec) continue;
          SourceLocation at = locationOf(item["name"] ? item["name"].Mark() : item.Mark());
          if (auto [first, inserted] = names.emplace(spec->name, at); !inserted) {
            fail(at, where + ".name", "duplicate toxic name '" + spec->name + "' (first at line " +
                                          std::to_string(first->second.line) +
                                          "); expected names unique across both streams of a proxy");
            continue;
          }
          out.toxics.push_back(std::move(*spec));
        }
      }
    }
    return error_count_ == before;
  }

  std::optional<ToxicSpec> toxic(const YAML::Node& node, const std::string& where) {
    if (!node.IsMap()) {
      fail(node, where, "expected a toxic (a map with type and attributes), got " + describe(node));
      return std::nullopt;
    }
    std::size_t before = error_count_;
    auto keys = mapEntries(node, where, {"name", "type", "stream", "toxicity", "attributes"});
    ToxicInput input;
    if (auto it = keys.find("name"); it != keys.end()) input.name = string(it->second.value, where + ".name", "a toxic name");
    if (auto it = keys.find("type"); it != keys.end()) input.type = string(it->second.value, where + ".type", "a toxic type");
    if (auto it = keys.find("stream"); it != keys.end()) {
      input.stream = string(it->second.value, where + ".stream", "upstream or downstream");
    }
    if (auto it = keys.find("toxicity"); it != keys.end()) {
      input.toxicity = number(it->second.value, where + ".toxicity", "a probability between 0 and 1");
    }
    const ToxicType* type = input.type ? findToxicType(*input.type) : nullptr;
    std::map<std::string, KeyedValue> attributes;
    if (auto it = keys.find("attributes"); it != keys.end() && !it->second.value.IsNull()) {
      const YAML::Node& map = it->second.value;
      if (!map.IsMap()) {
        fail(map, where + ".attributes", "expected a map of attribute: integer, got " + describe(map));
      } else {
        // Checked here rather than left to buildToxicSpec so a typo points at its own line and
        // gets a suggestion; the allowed set is still the toxic registry's.
        std::vector<std::string> allowed;
        if (type != nullptr) {
          for (const auto& a : type->attributes) allowed.push_back(a.name);
        }
        attributes = mapEntries(map, where + ".attributes", allowed, type != nullptr);
        for (const auto& [key, entry] : attributes) {
          const AttributeInfo* info = nullptr;
          if (type != nullptr) {
            for (const auto& a : type->attributes) {
              if (a.name == key) info = &a;
            }
          }
          std::string expected = info ? "an integer from " + std::to_string(info->min) + " to " +
                                            std::to_string(info->max) + " (" + info->unit + ")"
                                      : "an integer";
          if (auto v = integer(entry.value, where + ".attributes." + key, expected)) input.attributes[key] = *v;
        }
      }
    }
    if (error_count_ != before) return std::nullopt;
    auto spec = buildToxicSpec(input, where);
    if (!spec) {
      // buildToxicSpec's message is "<where>.<field>: <what>"; point at that field's node.
      const std::string& message = spec.error().message;
      std::string path = where;
      std::string text = message;
      auto colon = message.find(": ");
      if (colon != std::string::npos && message.compare(0, where.size(), where) == 0) {
        path = message.substr(0, colon);
        text = message.substr(colon + 2);
      }
      YAML::Node at = node;
      std::string field = path.size() > where.size() + 1 ? path.substr(where.size() + 1) : "";
      if (field.rfind("attributes.", 0) == 0) {
        auto attr = attributes.find(field.substr(std::string("attributes.").size()));
        if (attr != attributes.end()) at = attr->second.value;
      } else if (auto it = keys.find(field); it != keys.end()) {
        at = it->second.value;
      }
      fail(at, path, text);
      return std::nullopt;
    }
    return std::move(spec).value();
  }

  // The entries of a map, by key; reports non-string keys, duplicate keys and unknown keys.
  std::map<std::string, KeyedValue> mapEntries(const YAML::Node& map, const std::string& path,
                                                const std::vector<std::string>& allowed, bool check_allowed = true) {
    std::map<std::string, KeyedValue> out;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      if (!key.IsScalar()) {
        fail(key, path, "expected a plain key, got " + describe(key));
        continue;
      }
      const std::string& name = key.Scalar();
      std::string key_path = path.empty() ? name : path + "." + name;
      if (out.count(name) != 0) {
        fail(key, key_path, "duplicate key '" + name + "' (first at line " +
                                std::to_string(locationOf(out[name].key.Mark()).line) + "); expected each key once");
        continue;
      }
      if (check_allowed && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        fail(key, key_path, "unknown key '" + name + "'; expected one of " + joined(allowed) +
                                suggestion(name, allowed));
        continue;
      }
      out[name] = {key, value};
    }
    return out;
  }

  std::optional<std::string> requiredString(const YAML::Node& parent, std::map<std::string, KeyedValue>& keys,
                                            const std::string& path, const std::string& key,
                                            const std::string& expected) {
    auto it = keys.find(key);
    if (it == keys.end()) {
      fail(parent, path, "missing required field: " + key + "; expected " + expected);
      return std::nullopt;
    }
    return string(it->second.value, path + "." + key, expected);
  }

  std::optional<std::string> string(const YAML::Node& node, const std::string& path, const std::string& expected) {
    if (!node.IsScalar()) {
      fail(node, path, "expected " + expected + " (a string), got " + describe(node));
      return std::nullopt;
    }
    return node.Scalar();
  }

  // Numbers must be unquoted: "100" in quotes is a string, and a rules file that says so is
  // probably not saying what its author meant.
  bool plainScalar(const YAML::Node& node, const std::string& path, const std::string& expected) {
    if (!node.IsScalar() || node.Tag() == "!") {
      fail(node, path, "expected " + expected + ", got " + describe(node));
      return false;
    }
    return true;
  }

  std::optional<int64_t> integer(const YAML::Node& node, const std::string& path, const std::string& expected) {
    if (!plainScalar(node, path, expected)) return std::nullopt;
    const std::string& text = node.Scalar();
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    if (begin != end && *begin == '+') ++begin;
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec == std::errc::result_out_of_range) {
      fail(node, path, "expected " + expected + ", got " + text + " (out of range)");
      return std::nullopt;
    }
    if (ec != std::errc{} || ptr != end || begin == end) {
      fail(node, path, "expected " + expected + ", got " + describe(node));
      return std::nullopt;
    }
    return value;
  }

  std::optional<double> number(const YAML::Node& node, const std::string& path, const std::string& expected) {
    if (!plainScalar(node, path, expected)) return std::nullopt;
    const std::string& text = node.Scalar();
    char* end = nullptr;
    double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value)) {
      fail(node, path, "expected " + expected + ", got " + describe(node));
      return std::nullopt;
    }
    return value;
  }

  std::optional<bool> boolean(const YAML::Node& node, const std::string& path) {
    if (!plainScalar(node, path, "true or false")) return std::nullopt;
    const std::string& text = node.Scalar();
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    fail(node, path, "expected true or false, got " + describe(node));
    return std::nullopt;
  }

  std::string file_;
  const RulesLimits& limits_;
  std::size_t error_count_ = 0;
};

}  // namespace

RulesParseResult parseRulesText(std::string_view content, const std::string& file, const RulesLimits& limits) {
  RulesParseResult result;
  result.config.file = file;
  result.config.content_hash = rulesContentHash(content);
  auto wholeFile = [&](SourceLocation at, std::string message) {
    result.errors.push_back({file, at, "", std::move(message)});
    return result;
  };
  if (content.size() > limits.max_bytes) {
    result.limit_hit = RulesLimit::kFileBytes;
    return wholeFile({}, rulesTooLargeMessage(std::to_string(content.size()) + " bytes", limits.max_bytes));
  }
  YAML::Node root;
  try {
    std::string text(content);
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    LimitScanner scanner(limits);
    while (parser.HandleNextDocument(scanner)) {
    }
    if (scanner.documents > 1) {
      return wholeFile({}, "found " + std::to_string(scanner.documents) +
                               " YAML documents; expected one (remove the extra '---')");
    }
    root = YAML::Load(text);
  } catch (const ScanError& e) {
    result.limit_hit = e.limit;
    return wholeFile(locationOf(e.mark), e.message);
  } catch (const YAML::Exception& e) {
    return wholeFile(locationOf(e.mark), "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    return wholeFile({}, std::string("cannot parse rules: ") + e.what());
  }
  Validator validator(file, limits);
  try {
    validator.document(root, result.config);
  } catch (const YAML::Exception& e) {  // yaml-cpp throws on misuse; never let it escape
    validator.fail(locationOf(e.mark), "", "cannot read rules: " + e.msg);
  }
  validator.finish();
  result.errors = std::move(validator.errors);
  if (!result.ok()) {
    result.config.proxies.clear();
    result.config.sources.clear();
  }
  return result;
}

Result<RulesConfig> parseRules(std::string_view content, const std::string& file, const RulesLimits& limits) {
  auto parsed = parseRulesText(content, file, limits);
  if (!parsed.ok()) return Error::invalid(joinRulesErrors(parsed.errors));
  return std::move(parsed.config);
}

}  // namespace faultline

#include "rules/rules_parser.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

#include "net/address.h"
#include "proxy/proxy_spec.h"
#include "rules/rules_toxic_node.h"
#include "rules/yaml_limit_scanner.h"
#include "rules/yaml_reader.h"

namespace faultline {

namespace {

// The document and its proxies; each toxic is read by readToxicNode.
class RulesDocument {
 public:
  explicit RulesDocument(YamlReader& reader) : reader_(reader) {}

  void read(const YAML::Node& root, RulesConfig& out) {
    if (root.IsNull()) {
      reader_.fail(SourceLocation{1, 1}, "", "empty rules file; expected 'proxies:' with a list of proxies ('proxies: []' declares none)");
      return;
    }
    if (root.IsSequence()) {  // Toxiproxy's JSON config: the /populate array
      proxies(root, out);
      return;
    }
    if (!root.IsMap()) {
      reader_.fail(root, "", "expected a map with a 'proxies:' list, or a list of proxies (Toxiproxy JSON), got " +
                         describe(root));
      return;
    }
    auto keys = reader_.mapEntries(root, "", {"version", "proxies"});
    if (auto it = keys.find("version"); it != keys.end()) {
      std::optional<int64_t> v = reader_.integer(it->second.value, "version", "1");
      if (v && *v != 1) reader_.fail(it->second.value, "version", "unsupported version " + std::to_string(*v) + "; expected 1");
    }
    auto it = keys.find("proxies");
    if (it == keys.end()) {
      reader_.fail(root, "", "missing required key 'proxies'; expected a list of proxies ('proxies: []' declares none)");
      return;
    }
    if (!it->second.value.IsSequence()) {
      reader_.fail(it->second.value, "proxies", "expected a list of proxies, got " + describe(it->second.value));
      return;
    }
    proxies(it->second.value, out);
  }

 private:
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
        reader_.fail(item["name"], path + ".name", "duplicate proxy name '" + config.name + "' (first declared at line " +
                                               std::to_string(it->second.line) + "); expected unique names");
        duplicate = true;
      }
      auto listen = parseListenAddress(config.listen);
      if (listen) {
        for (const auto& [other, at] : listens) {
          if (collides(*listen, other)) {
            reader_.fail(source.listen, path + ".listen", "duplicate listen address '" + config.listen +
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
      reader_.fail(node, path, "expected a proxy (a map with name, listen, upstream), got " + describe(node));
      return false;
    }
    std::size_t before = reader_.errorCount();
    // A rules file states the whole proxy: no toxics key means no toxics.
    out.toxics_given = true;
    auto keys = reader_.mapEntries(node, path,
                                   {"name", "listen", "upstream", "enabled", "on_upstream_error", "toxics", "http_request_faults"});
    auto name = reader_.requiredString(node, keys, path, "name", "a proxy name");
    if (name) {
      if (auto valid = checkProxyName(*name); valid) {
        out.name = *name;
      } else {
        reader_.fail(keys["name"].value, path + ".name", valid.error().message);
      }
    }
    if (auto listen = reader_.requiredString(node, keys, path, "listen", "an address to listen on, host:port")) {
      const YAML::Node& at = keys["listen"].value;
      source.listen = locationOf(at.Mark());
      if (auto parsed = parseListenAddress(*listen); !parsed) {
        reader_.fail(at, path + ".listen", parsed.error().message);
      } else {
        out.listen = *listen;
      }
    }
    if (auto upstream = reader_.requiredString(node, keys, path, "upstream", "the upstream address, host:port")) {
      const YAML::Node& at = keys["upstream"].value;
      if (auto parsed = parseUpstreamAddress(*upstream); !parsed) {
        reader_.fail(at, path + ".upstream", parsed.error().message);
      } else {
        out.upstream = *upstream;
      }
    }
    if (auto it = keys.find("on_upstream_error"); it != keys.end()) {
      if (auto mode = reader_.string(it->second.value, path + ".on_upstream_error", "close or reset")) {
        if (auto parsed = parseUpstreamErrorMode(*mode); !parsed) {
          reader_.fail(it->second.value, path + ".on_upstream_error", "expected close or reset, got '" + *mode + "'");
        } else {
          out.on_upstream_error = *mode;
        }
      }
    }
    if (auto it = keys.find("enabled"); it != keys.end()) {
      if (auto enabled = reader_.boolean(it->second.value, path + ".enabled")) out.enabled = *enabled;
    }
    if (auto it = keys.find("http_request_faults"); it != keys.end()) {
      if (auto on = reader_.boolean(it->second.value, path + ".http_request_faults")) out.http_request_faults = *on;
    }
    if (auto it = keys.find("toxics"); it != keys.end() && !it->second.value.IsNull()) {
      const YAML::Node& list = it->second.value;
      if (!list.IsSequence()) {
        reader_.fail(list, path + ".toxics", "expected a list of toxics, got " + describe(list));
      } else {
        std::map<std::string, SourceLocation> names;
        for (std::size_t j = 0; j < list.size(); ++j) {
          const YAML::Node item = list[j];
          std::string where = path + ".toxics[" + std::to_string(j) + "]";
          auto specs = readToxicNode(reader_, item, where);
          if (!specs) continue;
          SourceLocation at = locationOf(item["name"] ? item["name"].Mark() : item.Mark());
          for (auto& spec : *specs) {
            if (auto [first, inserted] = names.emplace(spec.name, at); !inserted) {
              reader_.fail(at, where + ".name", "duplicate toxic name '" + spec.name + "' (first at line " +
                                            std::to_string(first->second.line) +
                                            "); expected names unique across both streams of a proxy");
              continue;
            }
            out.toxics.push_back(std::move(spec));
          }
        }
      }
    }
    if (reader_.errorCount() != before) return false;
    // The fields passed the same rules one by one (each error at its own line); the whole proxy
    // still goes through the one validator every other way in uses.
    if (auto spec = buildProxySpec(out); !spec) {
      reader_.fail(node, path, spec.error().message);
      return false;
    }
    return true;
  }

  YamlReader& reader_;
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
  YamlReader reader(file, limits);
  RulesDocument document(reader);
  try {
    document.read(root, result.config);
  } catch (const YAML::Exception& e) {  // yaml-cpp throws on misuse; never let it escape
    reader.fail(locationOf(e.mark), "", "cannot read rules: " + e.msg);
  }
  reader.finish();
  result.errors = std::move(reader.errors);
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

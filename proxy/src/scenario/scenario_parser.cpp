#include "scenario/scenario_parser.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "scenario/proxies_section.h"

namespace faultline::scenario {

namespace {

SourceLocation at(const YAML::Node& node) {
  const auto mark = node.Mark();
  if (mark.line < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

bool validName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

// Collects every problem of one file; each check reads one section.
class Checker {
 public:
  Checker(std::string file, ScenarioSpec& spec) : file_(std::move(file)), spec_(spec) {}

  std::vector<RulesError> errors;

  void fail(const YAML::Node& node, const std::string& path, std::string message) {
    errors.push_back({file_, at(node), path, std::move(message)});
  }

  // The keys of a mapping; unknown keys are errors naming the allowed ones.
  std::map<std::string, YAML::Node> mapping(const YAML::Node& node, const std::string& path,
                                            const std::vector<std::string>& allowed) {
    std::map<std::string, YAML::Node> keys;
    if (!node.IsMap()) {
      fail(node, path, "expected a mapping (key: value lines)");
      return keys;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(it->first, path.empty() ? key : path + "." + key, "unknown key '" + key + "'; expected one of " + list);
        continue;
      }
      keys[key] = it->second;
    }
    return keys;
  }

  std::optional<std::string> text(const YAML::Node& node, const std::string& path) {
    if (!node.IsScalar()) {
      fail(node, path, "expected a string");
      return std::nullopt;
    }
    return node.Scalar();
  }

  std::optional<LocatedText> located(const YAML::Node& node, const std::string& path) {
    auto value = text(node, path);
    if (!value) return std::nullopt;
    return LocatedText{*value, at(node), path};
  }

  std::optional<double> number(const YAML::Node& node, const std::string& path, double min, double max,
                               const std::string& expected) {
    double v = 0;
    if (!node.IsScalar() || !YAML::convert<double>::decode(node, v) || !std::isfinite(v) || v < min || v > max) {
      fail(node, path, "'" + (node.IsScalar() ? node.Scalar() : std::string("...")) + "' is not valid; expected " + expected);
      return std::nullopt;
    }
    return v;
  }

  std::optional<Millis> duration(const YAML::Node& node, const std::string& path, Millis min) {
    auto d = node.IsScalar() ? parseScenarioDuration(node.Scalar()) : std::nullopt;
    if (!d || *d < min || *d > std::chrono::hours(24)) {
      fail(node, path, "'" + (node.IsScalar() ? node.Scalar() : std::string("...")) + "' is not a duration; expected " +
                           "500ms, 1.5s, 2m or a number of seconds, at least " + std::to_string(min.count()) +
                           " ms and at most 24h");
      return std::nullopt;
    }
    return d;
  }

  void load(const YAML::Node& node) {
    auto keys = mapping(node, "load", {"rate", "duration", "timeout"});
    if (auto it = keys.find("rate"); it != keys.end()) {
      if (auto v = number(it->second, "load.rate", 0.01, 10000, "requests per second, 0.01 to 10000")) spec_.load.rate = *v;
    } else if (node.IsMap()) {
      fail(node, "load.rate", "missing; expected requests per second, e.g. rate: 20");
    }
    if (auto it = keys.find("duration"); it != keys.end()) {
      if (auto d = duration(it->second, "load.duration", Millis(1))) spec_.load.duration = *d;
    } else if (node.IsMap()) {
      fail(node, "load.duration", "missing; expected how long to send, e.g. duration: 30s");
    }
    if (auto it = keys.find("timeout"); it != keys.end()) {
      if (auto d = duration(it->second, "load.timeout", Millis(1))) spec_.load.timeout = *d;
    }
    const double requests = spec_.load.rate * std::chrono::duration<double>(spec_.load.duration).count();
    if (node.IsMap() && requests < 1) {
      fail(node, "load", "sends nothing: " + std::to_string(spec_.load.duration.count()) + " ms at " +
                             std::to_string(spec_.load.rate) + "/s is less than one request; expected a longer duration "
                             "or a higher rate");
    }
  }

  void start(const YAML::Node& node) {
    if (!node.IsSequence()) return fail(node, "start", "expected a list of commands");
    std::set<std::string> names;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string path = "start[" + std::to_string(i) + "]";
      StartSpec entry;
      const YAML::Node item = node[i];
      if (item.IsScalar()) {
        entry.run = {item.Scalar(), at(item), path};
      } else {
        auto keys = mapping(item, path, {"name", "run", "ready"});
        if (auto it = keys.find("name"); it != keys.end()) entry.name = text(it->second, path + ".name").value_or("");
        if (auto it = keys.find("run"); it != keys.end()) {
          if (auto r = located(it->second, path + ".run")) entry.run = *r;
        } else if (item.IsMap()) {
          fail(item, path + ".run", "missing; expected the command line to start");
        }
        if (auto it = keys.find("ready"); it != keys.end()) entry.ready = located(it->second, path + ".ready");
      }
      if (entry.run.text.empty()) {
        if (item.IsScalar()) fail(item, path, "empty command; expected a command line");
        continue;
      }
      if (entry.name.empty()) {
        std::string first = entry.run.text.substr(0, entry.run.text.find(' '));
        entry.name = first.substr(first.find_last_of('/') + 1);
        if (!validName(entry.name)) entry.name = "start" + std::to_string(i);
      }
      if (!validName(entry.name)) fail(item, path + ".name", "'" + entry.name + "' is not a name; expected 1-128 of [A-Za-z0-9_.-]");
      if (!names.insert(entry.name).second) {
        fail(item, path + ".name", "a second command named '" + entry.name + "'; expected unique names (add name: ...)");
      }
      spec_.start.push_back(std::move(entry));
    }
  }

  ExpectSpec expect(const YAML::Node& node, const std::string& path) {
    ExpectSpec e;
    auto keys = mapping(node, path, {"error_rate", "p99_ms", "recovered_within"});
    auto bound = [&](const std::string& key, double max, const std::string& expected) -> std::optional<double> {
      auto it = keys.find(key);
      if (it == keys.end()) return std::nullopt;
      if (it->second.IsMap()) {
        auto inner = mapping(it->second, path + "." + key, {"max"});
        auto m = inner.find("max");
        if (m == inner.end()) {
          fail(it->second, path + "." + key + ".max", "missing; expected {max: N}");
          return std::nullopt;
        }
        return number(m->second, path + "." + key + ".max", 0, max, expected);
      }
      return number(it->second, path + "." + key, 0, max, expected);
    };
    e.error_rate_max = bound("error_rate", 1, "a share of requests from 0 to 1, e.g. {max: 0.01}");
    e.p99_ms_max = bound("p99_ms", 86'400'000, "milliseconds, e.g. {max: 800}");
    if (auto it = keys.find("recovered_within"); it != keys.end()) {
      e.recovered_within = duration(it->second, path + ".recovered_within", Millis(0));
      e.recovered_where = at(it->second);
    }
    return e;
  }

  void observe(const YAML::Node& node) {
    if (!node.IsSequence()) return fail(node, "observe", "expected a list of {name, url, metric} entries");
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string path = "observe[" + std::to_string(i) + "]";
      ObserveSpec o;
      o.where = at(node[i]);
      auto keys = mapping(node[i], path, {"name", "url", "process", "metric", "labels", "kind", "every", "caption", "variants", "partner_load"});
      if (!node[i].IsMap()) continue;
      auto req = [&](const std::string& key, const std::string& expected) -> std::string {
        auto it = keys.find(key);
        if (it == keys.end()) {
          fail(node[i], path + "." + key, "missing; expected " + expected);
          return "";
        }
        return text(it->second, path + "." + key).value_or("");
      };
      o.name = req("name", "a chart title, e.g. name: requests/s at the partner");
      o.metric = req("metric", "a metric name, e.g. demo_partner_requests_total (or rss_mib with process:)");
      if (auto it = keys.find("url"); it != keys.end()) o.url = located(it->second, path + ".url");
      if (auto it = keys.find("process"); it != keys.end()) o.process = text(it->second, path + ".process").value_or("");
      if (!o.url && o.process.empty()) fail(node[i], path, "neither url nor process; expected url: http://.../metrics or process: NAME");
      if (o.url && !o.process.empty()) fail(node[i], path, "both url and process; expected one of them");
      if (!o.process.empty()) {
        const bool known = std::any_of(spec_.start.begin(), spec_.start.end(), [&](const StartSpec& s) { return s.name == o.process; });
        if (!known) fail(keys["process"], path + ".process", "no start entry named '" + o.process + "'; expected the name of a started command");
        if (o.metric != "rss_mib") fail(keys["metric"], path + ".metric", "'" + o.metric + "' cannot be read from a process; expected rss_mib");
      }
      if (auto it = keys.find("labels"); it != keys.end()) {
        if (!it->second.IsMap()) {
          fail(it->second, path + ".labels", "expected a mapping of label: value");
        } else {
          for (auto l = it->second.begin(); l != it->second.end(); ++l) o.labels[l->first.Scalar()] = l->second.Scalar();
        }
      }
      if (auto it = keys.find("kind"); it != keys.end()) {
        const auto kind = text(it->second, path + ".kind").value_or("");
        if (kind == "rate") o.kind = ObserveSpec::Kind::kRate;
        else if (kind != "gauge") fail(it->second, path + ".kind", "'" + kind + "' is not a kind; expected gauge or rate (per second, of a counter)");
      }
      if (auto it = keys.find("every"); it != keys.end()) {
        if (auto d = duration(it->second, path + ".every", Millis(50))) o.every = *d;
      }
      if (auto it = keys.find("caption"); it != keys.end()) o.caption = text(it->second, path + ".caption").value_or("");
      if (auto it = keys.find("variants"); it != keys.end()) {
        if (!it->second.IsSequence()) fail(it->second, path + ".variants", "expected a list of variant names");
        else for (const auto& v : it->second) o.variants.push_back(v.Scalar());
      }
      if (auto it = keys.find("partner_load"); it != keys.end()) {
        const auto flag = text(it->second, path + ".partner_load").value_or("");
        if (flag == "true") o.partner_load = true;
        else if (flag != "false") fail(it->second, path + ".partner_load", "'" + flag + "' is not true or false");
        if (o.partner_load && o.kind != ObserveSpec::Kind::kRate) {
          fail(it->second, path + ".partner_load", "partner_load needs kind: rate (a counter of the partner's calls)");
        }
      }
      spec_.observe.push_back(std::move(o));
    }
  }

  void variants(const YAML::Node* node_or_null, const std::optional<LocatedText>& target, const ExpectSpec& expect,
                const YAML::Node& root) {
    if (node_or_null == nullptr) {
      VariantSpec v;
      v.name = spec_.name;
      if (target) v.target = *target;
      else fail(root, "target", "missing; expected where the load goes, e.g. target: http://127.0.0.1:8080/checkout");
      v.expect = expect;
      spec_.variants.push_back(std::move(v));
      return;
    }
    const YAML::Node& node = *node_or_null;
    if (!node.IsSequence() || node.size() == 0) return fail(node, "variants", "expected a non-empty list of {name, target, expect, vars}");
    std::set<std::string> names;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string path = "variants[" + std::to_string(i) + "]";
      auto keys = mapping(node[i], path, {"name", "description", "target", "expect", "vars"});
      if (!node[i].IsMap()) continue;
      VariantSpec v;
      if (auto it = keys.find("name"); it != keys.end()) v.name = text(it->second, path + ".name").value_or("");
      if (!validName(v.name)) fail(node[i], path + ".name", "'" + v.name + "' is not a name; expected 1-128 of [A-Za-z0-9_.-]");
      if (!names.insert(v.name).second) fail(node[i], path + ".name", "a second variant named '" + v.name + "'");
      if (auto it = keys.find("description"); it != keys.end()) v.description = text(it->second, path + ".description").value_or("");
      if (auto it = keys.find("target"); it != keys.end()) {
        if (auto t = located(it->second, path + ".target")) v.target = *t;
      } else if (target) {
        v.target = *target;
      } else {
        fail(node[i], path + ".target", "missing (and no top-level target); expected where the load goes");
      }
      v.expect = keys.count("expect") ? this->expect(keys["expect"], path + ".expect") : expect;
      if (auto it = keys.find("vars"); it != keys.end()) {
        if (!it->second.IsMap()) fail(it->second, path + ".vars", "expected a mapping of name: value");
        else for (auto kv = it->second.begin(); kv != it->second.end(); ++kv) v.vars[kv->first.Scalar()] = kv->second.Scalar();
      }
      spec_.variants.push_back(std::move(v));
    }
  }

  void document(const YAML::Node& root) {
    auto keys = mapping(root, "", {"scenario", "description", "target", "load", "start", "proxies", "expect", "observe", "variants"});
    if (!root.IsMap()) return;
    if (auto it = keys.find("scenario"); it != keys.end()) {
      spec_.name = text(it->second, "scenario").value_or("");
      if (!validName(spec_.name)) fail(it->second, "scenario", "'" + spec_.name + "' is not a name; expected 1-128 of [A-Za-z0-9_.-]");
    }
    if (auto it = keys.find("description"); it != keys.end()) spec_.description = text(it->second, "description").value_or("");
    if (auto it = keys.find("load"); it != keys.end()) load(it->second);
    else fail(root, "load", "missing; expected load: {rate: 20, duration: 30s, timeout: 2s}");
    if (auto it = keys.find("start"); it != keys.end()) start(it->second);
    if (auto it = keys.find("observe"); it != keys.end()) observe(it->second);
    std::optional<LocatedText> target;
    if (auto it = keys.find("target"); it != keys.end()) target = located(it->second, "target");
    ExpectSpec top;
    if (auto it = keys.find("expect"); it != keys.end()) top = expect(it->second, "expect");
    auto v = keys.find("variants");
    variants(v == keys.end() ? nullptr : &v->second, target, top, root);
    for (const auto& o : spec_.observe) {
      for (const auto& v : o.variants) {
        const bool known = std::any_of(spec_.variants.begin(), spec_.variants.end(), [&](const VariantSpec& s) { return s.name == v; });
        if (!known) errors.push_back({file_, o.where, "observe.variants", "no variant named '" + v + "'"});
      }
    }
  }

 private:
  std::string file_;
  ScenarioSpec& spec_;
};

}  // namespace

std::size_t ScenarioSpec::expectationCount() const {
  std::size_t n = 0;
  for (const auto& v : variants) n += (v.expect.error_rate_max ? 1 : 0) + (v.expect.p99_ms_max ? 1 : 0) + (v.expect.recovered_within ? 1 : 0);
  return n;
}

ScenarioParseResult parseScenarioText(std::string_view content, const std::string& file, const PlaceholderValues& fixed) {
  ScenarioParseResult result;
  auto& spec = result.spec;
  spec.file = file;
  const auto slash = file.find_last_of('/');
  spec.dir = slash == std::string::npos ? "." : file.substr(0, slash);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(content));
  } catch (const YAML::Exception& e) {
    result.errors.push_back({file, {e.mark.line + 1, e.mark.column + 1}, "", "YAML syntax error: " + e.msg +
                             " (a value starting with '{' must be quoted: \"{bin}/demo-server ...\")"});
    return result;
  }
  Checker checker(file, spec);
  try {
    checker.document(root);
    auto proxies = proxiesSection(content, file, root);
    if (!proxies.ok()) {
      checker.errors.push_back({file, {}, "", proxies.error().message});
    } else {
      spec.proxies_text = std::move(*proxies);
    }
  } catch (const YAML::Exception& e) {
    checker.errors.push_back({file, {e.mark.line + 1, e.mark.column + 1}, "", "cannot read scenario: " + e.msg});
  }
  result.errors = std::move(checker.errors);
  if (!result.ok()) return result;
  checkPlaceholders(result, fixed);
  return result;
}

}  // namespace faultline::scenario

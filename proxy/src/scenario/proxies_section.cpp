#include "scenario/proxies_section.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <set>
#include <sstream>

#include "http/http_url.h"
#include "rules/rules_parser.h"
#include "scenario/fault_windows.h"

namespace faultline::scenario {

namespace {

constexpr std::size_t kMaxScenarioBytes = 1u << 20;

std::vector<std::string> splitLines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto eol = text.find('\n', start);
    if (eol == std::string_view::npos) {
      lines.emplace_back(text.substr(start));
      break;
    }
    lines.emplace_back(text.substr(start, eol - start));
    start = eol + 1;
  }
  return lines;
}

// The line without its YAML comment (a '#' at the start or after a blank, outside quotes): a
// placeholder named in a comment ("# {proxy.partner.url} says which") is prose, not a value.
std::string withoutComment(const std::string& line) {
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"') ++i;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return line.substr(0, i);
    }
  }
  return line;
}

// Substitutes line by line, so an unknown placeholder is reported at its own line:col.
Result<std::string> substituteText(const std::string& text, const PlaceholderValues& values, const std::string& file,
                                   std::vector<RulesError>* errors) {
  std::string out;
  const auto lines = splitLines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string code = withoutComment(lines[i]);
    auto line = substitutePlaceholders(code, values);
    if (!line.ok()) {
      const auto names = placeholderNames(code);
      int column = 1;
      for (const auto& n : names) {
        if (!values.count(n)) {
          column = static_cast<int>(code.find("{" + n + "}")) + 1;
          break;
        }
      }
      if (errors) errors->push_back({file, {static_cast<int>(i) + 1, column}, "proxies", line.error().message});
      return line.error();
    }
    out += *line;
    if (i + 1 < lines.size()) out += '\n';
  }
  return out;
}

void checkText(const LocatedText& t, const PlaceholderValues& values, const std::string& file,
               std::vector<RulesError>& errors) {
  auto s = substitutePlaceholders(t.text, values);
  if (!s.ok()) errors.push_back({file, t.where, t.path, s.error().message});
}

}  // namespace

Result<std::string> proxiesSection(std::string_view content, const std::string& file, const YAML::Node& root) {
  auto lines = splitLines(content);
  if (!root.IsMap()) return std::string();
  if (root.Style() == YAML::EmitterStyle::Flow) {
    return Error::invalid(file + ": the top level is a {flow} mapping; expected one top-level key per line (block style)");
  }
  struct Section {
    int line;
    bool keep;
  };
  std::vector<Section> sections;
  for (auto it = root.begin(); it != root.end(); ++it) {
    sections.push_back({it->first.Mark().line, it->first.Scalar() == "proxies"});
  }
  std::sort(sections.begin(), sections.end(), [](const Section& a, const Section& b) { return a.line < b.line; });
  for (std::size_t s = 0; s < sections.size(); ++s) {
    if (s > 0 && sections[s].line == sections[s - 1].line) {
      return Error::invalid(file + ":" + std::to_string(sections[s].line + 1) + ": two top-level keys on one line; expected one per line");
    }
    if (sections[s].keep) continue;
    const auto end = s + 1 < sections.size() ? static_cast<std::size_t>(sections[s + 1].line) : lines.size();
    for (auto l = static_cast<std::size_t>(std::max(sections[s].line, 0)); l < end && l < lines.size(); ++l) lines[l].clear();
  }
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) out += lines[i] + (i + 1 < lines.size() ? "\n" : "");
  return out;
}

PlaceholderValues standInValues(const ScenarioSpec& spec, const PlaceholderValues& fixed,
                                const std::vector<std::string>& proxy_names) {
  PlaceholderValues values = fixed;
  int port = 20000;
  for (const auto& name : spec.port_names) values["port." + name] = std::to_string(port++);
  for (const auto& name : proxy_names) {
    values["proxy." + name + ".port"] = std::to_string(port);
    values["proxy." + name + ".url"] = "http://127.0.0.1:" + std::to_string(port++);
  }
  return values;
}

void checkPlaceholders(ScenarioParseResult& result, const PlaceholderValues& fixed) {
  auto& spec = result.spec;
  std::vector<const LocatedText*> texts;
  for (const auto& s : spec.start) {
    texts.push_back(&s.run);
    if (s.ready) texts.push_back(&*s.ready);
  }
  for (const auto& o : spec.observe) {
    if (o.url) texts.push_back(&*o.url);
  }
  for (const auto& v : spec.variants) texts.push_back(&v.target);
  std::set<std::string> ports;
  auto collect = [&](const std::string& text) {
    for (const auto& n : placeholderNames(text)) {
      if (n.rfind("port.", 0) == 0 && n.size() > 5) ports.insert(n.substr(5));
    }
  };
  for (const auto* t : texts) collect(t->text);
  for (const auto& line : splitLines(spec.proxies_text)) collect(withoutComment(line));
  spec.port_names.assign(ports.begin(), ports.end());

  // The proxies section first, with stand-in ports: its names are needed for the rest.
  PlaceholderValues base = standInValues(spec, fixed, {});
  for (const auto& [k, v] : spec.variants.front().vars) base["var." + k] = v;
  // No proxies: section at all is fine (load and expectations against a service as it is).
  if (spec.proxies_text.find_first_not_of(" \t\r\n") != std::string::npos) {
    auto text = substituteText(spec.proxies_text, base, spec.file, &result.errors);
    if (!text.ok()) return;
    auto parsed = parseRulesText(*text, spec.file);
    for (auto& e : parsed.errors) result.errors.push_back(std::move(e));
    if (!parsed.ok()) return;
    spec.proxies = std::move(parsed.config);
  }
  std::vector<std::string> proxy_names;
  for (const auto& p : spec.proxies.proxies) proxy_names.push_back(p.name);
  // recovered_within is measured from the end of the last fault window: one must end in time.
  const double duration_s = std::chrono::duration<double>(spec.load.duration).count();
  const auto windows = faultWindows(spec.proxies, duration_s);
  const bool all_end = !windows.empty() && std::all_of(windows.begin(), windows.end(), [&](const FaultWindow& w) { return w.end_s < duration_s; });
  for (const auto& v : spec.variants) {
    if (!v.expect.recovered_within || all_end) continue;
    result.errors.push_back({spec.file, v.expect.recovered_where, "expect.recovered_within",
                             windows.empty() ? "there is no fault to recover from; expected toxics (with a schedule) in proxies:"
                                             : "a fault is still on when the load ends; expected every toxic to have a schedule "
                                               "whose last window ends before load.duration (e.g. start: 5s, duration: 10s)"});
    break;
  }

  for (const auto& v : spec.variants) {
    PlaceholderValues values = standInValues(spec, fixed, proxy_names);
    for (const auto& [k, val] : v.vars) values["var." + k] = val;
    const std::size_t before = result.errors.size();
    for (const auto* t : texts) {
      if (t != &v.target && std::any_of(spec.variants.begin(), spec.variants.end(), [&](const VariantSpec& o) { return t == &o.target; })) continue;
      checkText(*t, values, spec.file, result.errors);
    }
    if (result.errors.size() == before) {
      auto url = parseHttpUrl(*substitutePlaceholders(v.target.text, values));
      if (!url.ok()) result.errors.push_back({spec.file, v.target.where, v.target.path, url.error().message});
    }
    if (result.errors.size() != before) break;  // the same mistake would repeat per variant
  }
}

Result<RulesConfig> resolveProxies(const ScenarioSpec& spec, const PlaceholderValues& values) {
  if (spec.proxies_text.find_first_not_of(" \t\r\n") == std::string::npos) return RulesConfig{};
  std::vector<RulesError> errors;
  auto text = substituteText(spec.proxies_text, values, spec.file, &errors);
  if (!text.ok()) return Error::invalid(joinRulesErrors(errors));
  return parseRules(*text, spec.file);
}

std::optional<Millis> parseScenarioDuration(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return std::nullopt;
  double value = 0;
  try {
    std::size_t used = 0;
    value = std::stod(std::string(text.substr(0, i)), &used);
    if (used != i) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const std::string_view unit = text.substr(i);
  double ms = 0;
  if (unit.empty() || unit == "s") ms = value * 1000;
  else if (unit == "ms") ms = value;
  else if (unit == "m") ms = value * 60'000;
  else if (unit == "h") ms = value * 3'600'000;
  else return std::nullopt;
  if (!std::isfinite(ms) || ms > 1e12) return std::nullopt;
  return Millis(static_cast<int64_t>(std::llround(ms)));
}

ScenarioParseResult loadScenarioFile(const std::string& path, const PlaceholderValues& fixed) {
  auto failed = [&](std::string message) {
    ScenarioParseResult r;
    r.errors.push_back({path, {}, "", std::move(message)});
    return r;
  };
  // O_NONBLOCK: a FIFO at the path must not hang us; anything but a regular file is refused.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return failed(std::string("cannot read scenario file: ") + std::strerror(errno) + "; expected a readable YAML file");
  struct stat st{};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return failed("not a regular file; expected a YAML scenario file");
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxScenarioBytes) {
    ::close(fd);
    return failed("scenario file too large (" + std::to_string(st.st_size) + " bytes); expected at most 1 MiB");
  }
  std::string content(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < content.size()) {
    const ssize_t n = ::read(fd, content.data() + got, content.size() - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  content.resize(got);
  return parseScenarioText(content, path, fixed);
}

bool isScenarioFile(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::size_t>(st.st_size) > kMaxScenarioBytes) return false;
  try {
    const YAML::Node root = YAML::LoadFile(path);
    return root.IsMap() && root["scenario"];
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace faultline::scenario

#include "cli/fleet.h"

#include <fstream>
#include <ostream>

#include "http/http_url.h"

namespace faultline {

namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// Splits "a, b,c" into its non-empty items.
void appendCommaList(const std::string& text, std::vector<std::string>& out) {
  std::size_t start = 0;
  for (;;) {
    const auto comma = text.find(',', start);
    std::string item = trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string::npos) return;
    start = comma + 1;
  }
}

}  // namespace

Result<std::vector<std::string>> expandHosts(const std::string& spec) {
  std::vector<std::string> hosts;
  if (!spec.empty() && spec.front() == '@') {
    const std::string path = spec.substr(1);
    std::ifstream file(path);
    if (!file) {
      return Error::invalid("cannot read the host list '" + path + "' (--host @FILE: one API URL per line)");
    }
    std::string line;
    for (int number = 1; std::getline(file, line); ++number) {
      line = trim(line.substr(0, line.find('#')));
      if (line.empty()) continue;
      const std::size_t before = hosts.size();
      appendCommaList(line, hosts);
      for (std::size_t i = before; i < hosts.size(); ++i) {
        if (auto url = parseHttpUrl(hosts[i]); !url) {
          return Error::invalid("@" + path + " line " + std::to_string(number) + ": " + url.error().message);
        }
      }
    }
    if (hosts.empty()) return Error::invalid("the host list '" + path + "' names no URL (one per line)");
    return hosts;
  }
  appendCommaList(spec, hosts);
  if (hosts.empty()) return Error::invalid("no API URL given (expected URL, URL1,URL2 or @FILE)");
  return hosts;
}

int runOnFleet(const std::vector<std::string>& hosts, const std::vector<std::string>& args,
               const ClientEnvironment& environment) {
  std::ostream& out = *environment.out;
  std::ostream& err = *environment.err;
  for (const auto& host : hosts) {
    if (auto url = parseHttpUrl(host); !url) {
      err << "faultline: --host: " << url.error().message << '\n';
      return 2;
    }
  }
  std::vector<std::string> failed;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (i > 0) out << '\n';
    out << "==> " << hosts[i] << " <==\n";
    out.flush();
    // The one-host client, told its host last: --host takes the last value given.
    std::vector<std::string> one = args;
    one.push_back("--host");
    one.push_back(hosts[i]);
    const int code = runClient(one, environment);
    if (code != 0) failed.push_back(hosts[i] + " (exit " + std::to_string(code) + ")");
  }
  if (failed.empty()) return 0;
  err << "faultline: " << failed.size() << " of " << hosts.size() << " instances failed:";
  for (const auto& f : failed) err << ' ' << f;
  err << '\n';
  return 1;
}

}  // namespace faultline

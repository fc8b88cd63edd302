#include "cli/top_command.h"

#include "cli/json_text.h"
#include "cli/event_line.h"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "core/text_escape.h"
#include <thread>

namespace faultline {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Bytes sent per proxy (both directions together), from Toxiproxy's counter on /metrics.
struct Sample {
  Clock::time_point at;
  std::map<std::string, uint64_t> sent;
  std::map<std::pair<std::string, std::string>, uint64_t> held;  // (proxy, toxic): both directions
};

Result<Sample> sampleBytes(const ApiClient& api) {
  auto reply = api.get("/metrics");
  if (!reply) return reply.error();
  Sample sample;
  sample.at = Clock::now();
  static const std::regex line("toxiproxy_proxy_sent_bytes_total\\{[^}]*proxy=\"([^\"]*)\"[^}]*\\} ([0-9]+)");
  static const std::regex held("faultline_toxic_held_bytes\\{proxy=\"([^\"]*)\",toxic=\"([^\"]*)\"[^}]*\\} ([0-9]+)");
  std::istringstream in(reply->text);
  std::string text;
  while (std::getline(in, text)) {
    std::smatch m;
    if (std::regex_search(text, m, line)) sample.sent[m[1]] += std::stoull(m[2]);
    if (std::regex_search(text, m, held)) sample.held[{m[1], m[2]}] += std::stoull(m[3]);
  }
  return sample;
}

std::string rate(double bytes_per_second) {
  char buf[32];
  if (bytes_per_second >= 1 << 20) {
    std::snprintf(buf, sizeof buf, "%.1f MiB/s", bytes_per_second / (1 << 20));
  } else if (bytes_per_second >= 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KiB/s", bytes_per_second / 1024);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f B/s", bytes_per_second);
  }
  return buf;
}

// One frame from the API: returns false (with the message printed) when the server is unreachable.
bool drawFrame(const ApiClient& api, const ClientOutput& output, const Sample& before, const Sample& after) {
  auto proxies = api.get("/proxies");
  if (!proxies) {
    output.err << "faultline: " << escapeControls(proxies.error().message) << '\n';
    return false;
  }
  Palette p = output.palette();
  const double seconds = std::max(0.001, std::chrono::duration<double>(after.at - before.at).count());
  output.out << p.bold << "faultline top" << p.reset << "  " << api.base().toString() << "  (q quits)\n\n";
  Table table({"PROXY", "LISTEN", "UPSTREAM", "ENABLED", "CONNS", "BYTES/S", "TOXICS"});
  Table conns({"PROXY", "ID", "CLIENT", "STATE", "BYTES_UP", "BYTES_DOWN", "TOXICS"});
  for (const auto& [name, proxy] : proxies->body.items()) {
    auto list = api.get("/proxies/" + encodePathSegment(name) + "/connections");
    const json connections = list && list->body.is_array() ? list->body : json::array();
    std::string toxics;
    for (const auto& toxic : proxy.value("toxics", json::array())) {
      if (!toxics.empty()) toxics += ',';
      toxics += jsonText(toxic, "name") + "(" + jsonText(toxic, "type") + ")";
      // What the toxic holds right now (faultline_toxic_held_bytes), when it holds anything.
      if (auto it = after.held.find({name, jsonText(toxic, "name")}); it != after.held.end() && it->second > 0) {
        toxics += " held " + std::to_string(it->second) + " B";
      }
    }
    const uint64_t was = before.sent.count(name) ? before.sent.at(name) : 0;
    const uint64_t now = after.sent.count(name) ? after.sent.at(name) : was;
    const bool enabled = proxy.value("enabled", false);
    table.addRow({{name, enabled ? p.green : p.red},
                  {jsonText(proxy, "listen"), p.blue},
                  {jsonText(proxy, "upstream"), p.yellow},
                  {enabled ? "enabled" : "disabled", ""},
                  {std::to_string(connections.size()), ""},
                  {rate(static_cast<double>(now >= was ? now - was : 0) / seconds), ""},
                  {toxics.empty() ? "-" : toxics, toxics.empty() ? "" : p.red}});
    for (const auto& c : connections) {
      const json bytes = c.value("bytes", json::object());
      std::string rolled;
      for (const auto& d : c.value("toxics", json::array())) {
        if (!rolled.empty()) rolled += ',';
        rolled += jsonText(d, "name") + (d.value("applied", false) ? "" : "(skipped)");
      }
      conns.addRow({{name, ""}, {jsonText(c, "id"), ""}, {jsonText(c, "client"), p.blue}, {jsonText(c, "state"), ""},
                    {jsonText(bytes, "upstream"), ""}, {jsonText(bytes, "downstream"), ""}, {rolled.empty() ? "-" : rolled, ""}});
    }
  }
  table.print(output.out, true, p);
  output.out << '\n' << p.bold << "CONNECTIONS" << p.reset << '\n';
  if (conns.size() == 0) {
    output.out << "(none)\n";
  } else {
    conns.print(output.out, true, p);
  }
  output.out << '\n' << p.bold << "RECENT EVENTS" << p.reset << '\n';
  auto events = api.get("/events?recent=1");
  const json recent = events && events->body.is_array() ? events->body : json::array();
  const std::size_t first = recent.size() > 10 ? recent.size() - 10 : 0;
  if (recent.empty()) output.out << "(none)\n";
  for (std::size_t i = first; i < recent.size(); ++i) {
    output.out << eventLine(recent[i]) << '\n';
  }
  output.out.flush();
  return true;
}

// Raw, no-echo stdin while top runs, so a single `q` quits; restored on every exit path.
class RawTerminal {
 public:
  RawTerminal() {
    if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios raw = saved_;
    raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    active_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

// Waits up to `timeout` for a key; true when it was `q` (or stdin closed).
bool quitPressed(std::chrono::milliseconds timeout) {
  pollfd fd{STDIN_FILENO, POLLIN, 0};
  if (::poll(&fd, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char key = 0;
  ssize_t n = ::read(STDIN_FILENO, &key, 1);
  return n <= 0 || key == 'q' || key == 'Q';
}

}  // namespace

int runTop(const ApiClient& api, const ClientOutput& output, bool once) {
  auto first = sampleBytes(api);
  if (!first) {
    output.err << "faultline: " << escapeControls(first.error().message) << '\n';
    return 1;
  }
  if (once) {
    // A rate needs two samples: half a second apart is enough for a script's single frame.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto second = sampleBytes(api);
    if (!second) {
      output.err << "faultline: " << escapeControls(second.error().message) << '\n';
      return 1;
    }
    return drawFrame(api, output, *first, *second) ? 0 : 1;
  }
  RawTerminal terminal;
  Sample before = *first;
  while (!quitPressed(std::chrono::milliseconds(1000))) {
    auto now = sampleBytes(api);
    if (!now) {
      output.err << "faultline: " << escapeControls(now.error().message) << '\n';
      return 1;
    }
    output.out << "\x1b[H\x1b[2J";  // home and clear: redraw in place
    if (!drawFrame(api, output, before, *now)) return 1;
    before = *now;
  }
  return 0;
}

}  // namespace faultline

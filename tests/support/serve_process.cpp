#include "support/serve_process.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "http/http_client.h"

namespace faultline::testing {

using namespace std::chrono_literals;

std::string faultlineBinary() { return std::string(FAULTLINE_BIN_DIR) + "/faultline"; }

FinishedRun runFaultline(const std::vector<std::string>& args, milliseconds deadline, std::vector<std::string> env) {
  std::string command = "exec '" + faultlineBinary() + "'";
  for (const auto& arg : args) command += " '" + arg + "'";
  command += " 2>&1";
  ChildProcess child({"/bin/sh", "-c", command}, std::move(env));
  FinishedRun run;
  run.output = child.readAll(deadline);
  run.code = child.wait(1s);
  if (run.code == -1) {
    child.signal(SIGKILL);
    (void)child.wait(5s);
  }
  return run;
}

ServeProcess::ServeProcess(std::vector<std::string> extra, const std::string& shell_prefix,
                           std::vector<std::string> env) {
  std::vector<std::string> argv = {faultlineBinary(), "serve", "--port", "0"};
  if (std::find(extra.begin(), extra.end(), "--log-level") == extra.end()) {
    argv.insert(argv.end(), {"--log-level", "warn"});
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  if (!shell_prefix.empty()) {
    std::string command = shell_prefix + " exec";
    for (const auto& arg : argv) command += " '" + arg + "'";
    argv = {"/bin/sh", "-c", command};
  }
  child_ = std::make_unique<ChildProcess>(argv, std::move(env));
  const std::string line = child_->lineContaining("control API listening on", 15s);
  if (!line.empty()) api_port_ = static_cast<uint16_t>(apiPortFromLine(line));
}

Result<HttpResponse> ServeProcess::api(const std::string& method, const std::string& path, const std::string& body) {
  HttpClientRequest request;
  request.method = method;
  request.port = api_port_;
  request.path = path;
  request.body = body;
  request.timeout = 10s;
  return httpRequestSync(request);
}

uint16_t ServeProcess::createProxy(const std::string& name, uint16_t upstream_port) {
  nlohmann::json body = {{"name", name}, {"listen", "127.0.0.1:0"},
                         {"upstream", "127.0.0.1:" + std::to_string(upstream_port)}};
  auto response = api("POST", "/proxies", body.dump());
  if (!response.ok() || response->status != 201) return 0;
  auto parsed = nlohmann::json::parse(response->body, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("listen")) return 0;
  const std::string listen = parsed["listen"].get<std::string>();
  return static_cast<uint16_t>(std::atoi(listen.substr(listen.rfind(':') + 1).c_str()));
}

bool ServeProcess::addToxic(const std::string& proxy, const nlohmann::json& toxic) {
  auto response = api("POST", "/proxies/" + proxy + "/toxics", toxic.dump());
  return response.ok() && response->status == 200;
}

nlohmann::json ServeProcess::proxies() {
  auto response = api("GET", "/proxies");
  if (!response.ok() || response->status != 200) return nullptr;
  return nlohmann::json::parse(response->body, nullptr, false);
}

int ServeProcess::openFds() const {
  const std::string dir = "/proc/" + std::to_string(child_->pid()) + "/fd";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return -1;
  int count = 0;
  while (dirent* entry = readdir(d)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(d);
  return count;
}

long ServeProcess::cpuTicks() const {
  std::ifstream in("/proc/" + std::to_string(child_->pid()) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name may hold spaces: fields are counted after its closing parenthesis.
  auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  long utime = -1, stime = -1;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::atol(field.c_str());
    if (i == 15) {
      stime = std::atol(field.c_str());
      break;
    }
  }
  return utime < 0 || stime < 0 ? -1 : utime + stime;
}

std::string rawExchange(uint16_t port, const std::string& raw, milliseconds deadline) {
  Socket socket = Socket::connectTo(port);
  if (!socket.valid()) return "";
  socket.sendAll(raw);
  socket.shutdownWrite();
  return socket.readUntilClosed(deadline);
}

std::vector<int> statusCodes(const std::string& stream) {
  std::vector<int> codes;
  for (std::size_t pos = stream.find("HTTP/1.1 "); pos != std::string::npos; pos = stream.find("HTTP/1.1 ", pos + 1)) {
    codes.push_back(std::atoi(stream.c_str() + pos + 9));
  }
  return codes;
}

nlohmann::json apiJson(uint16_t api_port, const std::string& method, const std::string& path,
                       const std::string& body) {
  HttpClientRequest request;
  request.method = method;
  request.port = api_port;
  request.path = path;
  request.body = body;
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  auto response = httpRequestSync(request);
  if (!response.ok() || response->body.empty()) return nlohmann::json();
  return nlohmann::json::parse(response->body, nullptr, false);
}

std::string apiText(uint16_t api_port, const std::string& path) {
  HttpClientRequest request;
  request.port = api_port;
  request.path = path;
  auto response = httpRequestSync(request);
  return response.ok() ? response->body : "";
}

}  // namespace faultline::testing

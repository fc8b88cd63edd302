// HTTP-aware faults through the real binary: Python's http.client on one keep-alive connection
// while http_* toxics are added and removed through the API, curl for single requests, a
// non-HTTP stream through a proxy with HTTP toxics, and the /metrics counters.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include <cstring>

#include "support/child_process.h"
#include "support/serve_process.h"
#include "support/sockets.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kBin = std::string(FAULTLINE_BIN_DIR) + "/faultline";
const std::string kScripts = std::string(FAULTLINE_HTTP_SCRIPTS);

class HttpFaultsE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    upstream_ = std::make_unique<ChildProcess>(std::vector<std::string>{"/usr/bin/env", "python3", "-u", kScripts + "/upstream.py"});
    std::string text = upstream_->lineContaining("listening", 10s);
    if (auto at = text.find("listening"); at != std::string::npos) text = text.substr(at + 9);
    std::istringstream line(text);
    line >> http_port_ >> echo_port_;
    ASSERT_GT(http_port_, 0) << "python3 upstream did not start: " << upstream_->output();
    server_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/bin/sh", "-c", "exec '" + kBin + "' serve --port 0 2>&1"});
    const std::string api_line = server_->lineContaining("control API listening on", 10s);
    api_port_ = api_line.empty() ? 0 : apiPortFromLine(api_line);
    ASSERT_GT(api_port_, 0) << server_->output();
    proxy_port_ = createProxy("partner", http_port_);
    ASSERT_GT(proxy_port_, 0);
  }

  json call(const std::string& method, const std::string& path, const std::string& body = "") const {
    return apiJson(static_cast<uint16_t>(api_port_), method, path, body);
  }
  std::string text(const std::string& path) const { return apiText(static_cast<uint16_t>(api_port_), path); }
  int createProxy(const std::string& name, int upstream) const {
    json created = call("POST", "/proxies",
                        json{{"name", name}, {"listen", "127.0.0.1:0"}, {"upstream", "127.0.0.1:" + std::to_string(upstream)}}.dump());
    if (!created.is_object() || !created.contains("listen")) return 0;
    const std::string listen = created["listen"];
    return std::stoi(listen.substr(listen.rfind(':') + 1));
  }
  // Runs a command to its end and returns what it printed (stderr too, for failure messages).
  static std::string run(const std::vector<std::string>& argv) {
    std::string command = "exec";
    for (const auto& arg : argv) command += " '" + arg + "'";
    ChildProcess child({"/bin/sh", "-c", command + " 2>&1"});
    child.readAll(30s);
    return child.output();
  }

  std::unique_ptr<ChildProcess> upstream_;
  std::unique_ptr<ChildProcess> server_;
  int http_port_ = 0;
  int echo_port_ = 0;
  int api_port_ = 0;
  int proxy_port_ = 0;
};

// One HTTP/1.1 response (head and Content-Length body) read off a keep-alive socket.
std::string readResponse(Socket& socket) {
  std::string head;
  while (head.size() < 16384 && head.find("\r\n\r\n") == std::string::npos) {
    std::string byte = socket.readExactly(1, 10s);
    if (byte.empty()) return head;
    head += byte;
  }
  std::size_t length = 0;
  for (const char* name : {"Content-Length: ", "content-length: "}) {
    if (auto at = head.find(name); at != std::string::npos) length = std::stoul(head.substr(at + std::strlen(name)));
  }
  return head + socket.readExactly(length, 10s);
}

std::string abortRequest(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: partner\r\nX-Faultline-Abort: 503\r\n\r\n";
}

std::map<std::string, std::string> checks(const std::string& output) {
  std::map<std::string, std::string> out;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    auto space = line.find(' ');
    if (space != std::string::npos) out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

TEST_F(HttpFaultsE2e, KeepAliveConnectionGetsToxicsAddedAndRemovedWhileOpen) {
  const std::string output = run({"/usr/bin/env", "python3", kScripts + "/keepalive_client.py", std::to_string(api_port_), "partner",
                                  std::to_string(proxy_port_)});
  auto got = checks(output);
  EXPECT_EQ(got["plain"], "200 path=/a") << output;
  EXPECT_EQ(got["added_attrs"],
            R"({"body": "", "header": "", "method": "", "path": "/data*", "percentage": 100, "retry_after": 2, "status": 503})");
  EXPECT_EQ(got["abort"], "503 partner-down 2") << output;
  EXPECT_EQ(got["after_abort"], "200 path=/b");
  EXPECT_EQ(got["same_socket"], "True");
  EXPECT_EQ(got["delay"], "200 True");
  EXPECT_EQ(got["status"], "418 teapot 0");  // HEAD: a new status, still no body
  EXPECT_EQ(got["removed"], "200 path=/data/2");
  EXPECT_EQ(got["upstream_connections"], "1");  // every request above rode one connection
  EXPECT_EQ(got["same_socket_end"], "True");
  EXPECT_EQ(got["cut"], "IncompleteRead");

  const std::string metrics = text("/metrics");
  EXPECT_NE(metrics.find(R"(faultline_http_faults_total{proxy="partner",toxic="partner-down"} 1)"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(faultline_http_requests_total{proxy="partner"} )"), std::string::npos);
}

TEST_F(HttpFaultsE2e, CurlSeesTheSyntheticAnswerAndTheUpstreamNeverDoes) {
  json added = call("POST", "/proxies/partner/toxics",
                    R"({"name":"limited","type":"http_abort","attributes":{"status":"429","retry_after":1,"method":"GET,POST"}})");
  ASSERT_EQ(added["attributes"]["status"], 429) << added.dump();  // a string in, an integer out
  const std::string url = "http://127.0.0.1:" + std::to_string(proxy_port_) + "/orders";
  const std::string answer = run({"/usr/bin/env", "curl", "-si", url});
  EXPECT_EQ(answer.rfind("HTTP/1.1 429 Too Many Requests\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("X-Faultline-Fault: limited\r\n"), std::string::npos);
  EXPECT_NE(answer.find("Retry-After: 1\r\n"), std::string::npos);
  // The upstream answers /requests with how many requests it had before: the aborted one never came.
  call("DELETE", "/proxies/partner/toxics/limited");
  const std::string count = run({"/usr/bin/env", "curl", "-s", "http://127.0.0.1:" + std::to_string(proxy_port_) + "/requests"});
  EXPECT_EQ(count, "0");
}

TEST_F(HttpFaultsE2e, NonHttpStreamThroughAProxyWithHttpToxicsIsByteIdentical) {
  const int port = createProxy("db", echo_port_);
  ASSERT_GT(port, 0);
  call("POST", "/proxies/db/toxics", R"({"name":"all","type":"http_abort","attributes":{}})");
  Socket client = Socket::connectTo(static_cast<uint16_t>(port));
  ASSERT_TRUE(client.valid());
  std::string payload("\x16\x03\x01\x00\x2a", 5);
  for (int i = 0; i < 2000; ++i) payload.push_back(static_cast<char>(i * 7 + 3));
  ASSERT_TRUE(client.sendAll(payload));
  EXPECT_EQ(client.readExactly(payload.size(), 10s), payload);
  const std::string metrics = text("/metrics");
  EXPECT_NE(metrics.find(R"(faultline_http_non_http_streams_total{proxy="db"} 1)"), std::string::npos) << metrics;
}

TEST_F(HttpFaultsE2e, ProxyWithoutHttpToxicsPassesClientFaultHeadersUntouched) {
  const std::string body =
      run({"/usr/bin/env", "curl", "-s", "-H", "X-Faultline-Abort: 503", "http://127.0.0.1:" + std::to_string(proxy_port_) + "/x"});
  EXPECT_EQ(body, "client fault header reached the upstream");  // the option is off by default
}

TEST_F(HttpFaultsE2e, HttpRequestFaultsOptionLetsAClientFailOneRequest) {
  json created = call("POST", "/proxies",
                      json{{"name", "tests"}, {"listen", "127.0.0.1:0"}, {"upstream", "127.0.0.1:" + std::to_string(http_port_)},
                           {"http_request_faults", true}}.dump());
  ASSERT_EQ(created.value("http_request_faults", false), true) << created.dump();
  const std::string listen = created["listen"];
  const std::string base = "http://127.0.0.1:" + listen.substr(listen.rfind(':') + 1);
  const std::string failed = run({"/usr/bin/env", "curl", "-si", "-H", "X-Faultline-Abort: 503", base + "/one"});
  EXPECT_EQ(failed.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << failed;
  EXPECT_NE(failed.find("X-Faultline-Fault: X-Faultline-Abort\r\n"), std::string::npos);
  // The delay header is taken off before the request goes upstream.
  EXPECT_EQ(run({"/usr/bin/env", "curl", "-s", "-H", "X-Faultline-Delay: 200", base + "/two"}), "path=/two");
  EXPECT_EQ(run({"/usr/bin/env", "curl", "-s", base + "/three"}), "path=/three");
}

// Switched on and off on a running proxy: the open keep-alive connection follows from its next
// request, new connections too. Off means Toxiproxy's behaviour: the header's bytes go upstream.
TEST_F(HttpFaultsE2e, HttpRequestFaultsSwitchedByPatchReachesOpenAndNewConnections) {
  Socket client = Socket::connectTo(static_cast<uint16_t>(proxy_port_));
  ASSERT_TRUE(client.valid());
  ASSERT_TRUE(client.sendAll(abortRequest("/before")));
  std::string answer = readResponse(client);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  EXPECT_NE(answer.find("client fault header reached the upstream"), std::string::npos) << answer;

  json patched = call("PATCH", "/proxies/partner", R"({"http_request_faults":true})");
  ASSERT_EQ(patched.value("http_request_faults", false), true) << patched.dump();
  ASSERT_TRUE(client.sendAll(abortRequest("/on")));
  answer = readResponse(client);
  EXPECT_EQ(answer.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("X-Faultline-Fault: X-Faultline-Abort\r\n"), std::string::npos) << answer;
  const std::string base = "http://127.0.0.1:" + std::to_string(proxy_port_);
  const std::string fresh = run({"/usr/bin/env", "curl", "-si", "-H", "X-Faultline-Abort: 503", base + "/fresh"});
  EXPECT_EQ(fresh.rfind("HTTP/1.1 503", 0), 0u) << fresh;

  // POST (Toxiproxy's update verb) switches it off again.
  json off = call("POST", "/proxies/partner", R"({"http_request_faults":false})");
  ASSERT_TRUE(off.is_object() && !off.contains("http_request_faults")) << off.dump();
  ASSERT_TRUE(client.sendAll(abortRequest("/off")));
  answer = readResponse(client);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  EXPECT_NE(answer.find("client fault header reached the upstream"), std::string::npos) << answer;
  EXPECT_EQ(run({"/usr/bin/env", "curl", "-s", "-H", "X-Faultline-Abort: 503", base + "/x"}),
            "client fault header reached the upstream");
  json wrong = call("PATCH", "/proxies/partner", R"({"http_request_faults":"yes"})");
  EXPECT_EQ(wrong.value("status", 0), 400) << wrong.dump();
}

TEST_F(HttpFaultsE2e, HttpRequestFaultsFollowsARulesFileReload) {
  namespace fs = std::filesystem;
  const fs::path file = fs::temp_directory_path() / ("faultline-http-rules-" + std::to_string(getpid()) + ".yaml");
  const uint16_t listen = unusedPort();
  auto write = [&](bool on) {
    std::ofstream out(file.string() + ".tmp", std::ios::trunc);
    out << "version: 1\nproxies:\n  - name: api\n    listen: 127.0.0.1:" << listen << "\n    upstream: 127.0.0.1:"
        << http_port_ << "\n    http_request_faults: " << (on ? "true" : "false") << "\n    toxics: []\n";
    out.close();
    fs::rename(file.string() + ".tmp", file);
  };
  write(false);
  ChildProcess server({kBin, "serve", "--port", "0", "--config", file.string()});
  const std::string api_line = server.lineContaining("control API listening on", 10s);
  ASSERT_FALSE(api_line.empty()) << server.output();
  const auto api = static_cast<uint16_t>(apiPortFromLine(api_line));
  const std::string url = "http://127.0.0.1:" + std::to_string(listen) + "/r";
  EXPECT_EQ(run({"/usr/bin/env", "curl", "-s", "-H", "X-Faultline-Abort: 503", url}), "client fault header reached the upstream");
  Socket client = Socket::connectTo(listen);
  ASSERT_TRUE(client.valid());

  write(true);
  json reloaded = apiJson(api, "POST", "/reload");
  EXPECT_EQ(apiJson(api, "GET", "/proxies/api").value("http_request_faults", false), true) << reloaded.dump();
  ASSERT_TRUE(client.sendAll(abortRequest("/open")));
  std::string answer = readResponse(client);
  EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;
  EXPECT_NE(answer.find("X-Faultline-Fault: X-Faultline-Abort\r\n"), std::string::npos) << answer;
  const std::string fresh = run({"/usr/bin/env", "curl", "-si", "-H", "X-Faultline-Abort: 503", url});
  EXPECT_EQ(fresh.rfind("HTTP/1.1 503", 0), 0u) << fresh;

  write(false);
  apiJson(api, "POST", "/reload");
  EXPECT_FALSE(apiJson(api, "GET", "/proxies/api").contains("http_request_faults"));
  ASSERT_TRUE(client.sendAll(abortRequest("/open-again")));
  answer = readResponse(client);
  EXPECT_NE(answer.find("client fault header reached the upstream"), std::string::npos) << answer;
  EXPECT_EQ(run({"/usr/bin/env", "curl", "-s", "-H", "X-Faultline-Abort: 503", url}), "client fault header reached the upstream");
  std::error_code ignored;
  fs::remove(file, ignored);
}

}  // namespace
}  // namespace faultline::testing

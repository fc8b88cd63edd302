// `faultline scenario run` through the real binary: exit codes 0/1/2 exactly, a JUnit file that
// parses with one case per expectation, line:col for a wrong file, placeholders resolved, and
// nothing it started left running, after a normal end and after SIGINT mid-run. Each run is a
// couple of seconds of load against demo-partner behind an in-process proxy.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/child_process.h"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using faultline::testing::ChildProcess;

const std::string kBin = FAULTLINE_BIN_DIR;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Gone, or a zombie nobody has reaped yet (it holds no resources and runs no code).
bool processGone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && (text[paren + 2] == 'Z' || text[paren + 2] == 'X');
}

bool goneWithin(pid_t pid, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!processGone(pid)) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// Enough XML to trust a JUnit file: every tag closes in order, attributes are quoted, one root.
bool wellFormedXml(const std::string& xml, std::string* why) {
  std::vector<std::string> open;
  std::size_t i = xml.find('<');
  int roots = 0;
  while (i != std::string::npos) {
    const std::size_t end = xml.find('>', i);
    if (end == std::string::npos) return *why = "unterminated tag", false;
    const std::string tag = xml.substr(i + 1, end - i - 1);
    if (tag.empty()) return *why = "empty tag", false;
    if (tag[0] == '?') {
    } else if (tag[0] == '/') {
      if (open.empty() || open.back() != tag.substr(1)) return *why = "mismatched </" + tag.substr(1) + ">", false;
      open.pop_back();
    } else {
      static const std::regex element(R"(^[A-Za-z_][\w.-]*(\s+[A-Za-z_][\w.-]*="[^"<]*")*\s*/?$)");
      if (!std::regex_match(tag, element)) return *why = "bad tag <" + tag + ">", false;
      if (open.empty()) ++roots;
      if (tag.back() != '/') open.push_back(tag.substr(0, tag.find_first_of(" \t\n")));
    }
    i = xml.find('<', end);
  }
  if (!open.empty()) return *why = "unclosed <" + open.back() + ">", false;
  if (roots != 1) return *why = "expected one root element", false;
  return true;
}

class ScenarioRun : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/faultline-scenario-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // A partner behind the in-process proxy `partner`, with the given toxics and expectations.
  std::string scenario(const std::string& toxics, const std::string& expect, const std::string& duration = "2s",
                       const std::string& extra_start = "") {
    return "scenario: e2e\n"
           "target: \"{proxy.partner.url}/data\"\n"
           "load: {rate: 20, duration: " + duration + ", timeout: 2s}\n"
           "start:\n"
           "  - name: partner\n"
           "    run: \"{bin}/demo-partner --port {port.partner} --min-delay 1ms --max-delay 5ms\"\n" + extra_start +
           "proxies:\n"
           "  - name: partner\n"
           "    listen: 127.0.0.1:0\n"
           "    upstream: 127.0.0.1:{port.partner}\n"
           "    toxics: " + toxics + "\n"
           "expect:\n" + expect;
  }

  // Runs `faultline ARGS` with stderr folded into stdout; returns the exit code.
  int run(const std::vector<std::string>& args, std::string* output, std::chrono::milliseconds deadline = 60s) {
    std::string command = "exec '" + kBin + "/faultline'";
    for (const auto& a : args) command += " '" + a + "'";
    ChildProcess child({"/bin/sh", "-c", command + " 2>&1"});
    *output = child.readAll(deadline);
    return child.wait(5s);
  }

  std::vector<pid_t> startedPids(const std::string& output) {
    std::vector<pid_t> pids;
    static const std::regex started(R"(started \S+ \(pid (\d+)\))");
    for (auto it = std::sregex_iterator(output.begin(), output.end(), started); it != std::sregex_iterator(); ++it) {
      pids.push_back(std::stoi((*it)[1]));
    }
    return pids;
  }

  std::string dir_;
};

TEST_F(ScenarioRun, ExitsZeroWhenEveryExpectationHoldsAndTheJunitFileHasOneCasePerExpectation) {
  const auto file = write("ok.yaml", scenario("[]", "  error_rate: {max: 0.2}\n  p99_ms: {max: 1500}\n"));
  std::string out;
  ASSERT_EQ(run({"scenario", "run", file, "--junit", dir_ + "/junit.xml", "--report", dir_ + "/r.html"}, &out), 0) << out;
  EXPECT_NE(out.find("PASS e2e: error_rate <= 0.2"), std::string::npos) << out;
  const std::string xml = readFile(dir_ + "/junit.xml");
  std::string why;
  ASSERT_TRUE(wellFormedXml(xml, &why)) << why << "\n" << xml;
  const std::regex testcase("<testcase ");
  EXPECT_EQ(std::distance(std::sregex_iterator(xml.begin(), xml.end(), testcase), std::sregex_iterator()), 2) << xml;
  EXPECT_NE(xml.find("tests=\"2\" failures=\"0\""), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<failure"), std::string::npos);
  const std::string html = readFile(dir_ + "/r.html");
  EXPECT_NE(html.find("data-chart=\"outcomes\""), std::string::npos);
}

TEST_F(ScenarioRun, ExitsOneWhenAnExpectationFailsAndSaysMeasuredVsBound) {
  const auto file = write("slow.yaml", scenario("[{name: slow, type: latency, attributes: {latency: 300}}]",
                                                "  error_rate: {max: 0.2}\n  p99_ms: {max: 100}\n"));
  std::string out;
  ASSERT_EQ(run({"scenario", "run", file, "--junit", dir_ + "/junit.xml"}, &out), 1) << out;
  EXPECT_NE(out.find("FAIL e2e: p99_ms <= 100"), std::string::npos) << out;
  const std::string xml = readFile(dir_ + "/junit.xml");
  std::string why;
  ASSERT_TRUE(wellFormedXml(xml, &why)) << why << "\n" << xml;
  EXPECT_NE(xml.find("tests=\"2\" failures=\"1\""), std::string::npos) << xml;
  // 300 ms of latency: the measured p99 is at least that (how much more depends on the machine).
  std::smatch measured;
  ASSERT_TRUE(std::regex_search(xml, measured, std::regex(R"(<failure message="e2e: expected p99_ms &lt;= 100, measured (\d+) ms)"))) << xml;
  EXPECT_GE(std::stoi(measured[1]), 300) << xml;
}

TEST_F(ScenarioRun, ExitsTwoOnAWrongFileWithLineAndColumn) {
  const auto file = write("bad.yaml", "scenario: e2e\ntarget: http://127.0.0.1:1/\nload: {rate: 20, duration: soon}\n");
  std::string out;
  ASSERT_EQ(run({"scenario", "run", file, "--junit", dir_ + "/junit.xml"}, &out), 2) << out;
  EXPECT_NE(out.find(file + ":3:28: load.duration: 'soon' is not a duration"), std::string::npos) << out;
  // The JUnit file says why nothing was measured.
  const std::string xml = readFile(dir_ + "/junit.xml");
  std::string why;
  ASSERT_TRUE(wellFormedXml(xml, &why)) << why << "\n" << xml;
  EXPECT_NE(xml.find("<error message=\"" + file + ":3:28: load.duration"), std::string::npos) << xml;
  // faultline validate tells it is a scenario file and says the same.
  ASSERT_EQ(run({"validate", file}, &out), 1) << out;
  EXPECT_NE(out.find(file + ":3:28: load.duration"), std::string::npos) << out;
}

TEST_F(ScenarioRun, ExitsTwoWhenAStartedCommandDiesBeforeItIsReady) {
  auto text = scenario("[]", "  error_rate: {max: 0.2}\n");
  text.replace(text.find("{bin}/demo-partner"), 18, "{bin}/demo-partner --no-such-flag");
  const auto file = write("dies.yaml", text);
  std::string out;
  ASSERT_EQ(run({"scenario", "run", file}, &out), 2) << out;
  EXPECT_NE(out.find("'partner' exited"), std::string::npos) << out;
  EXPECT_NE(out.find("before it was ready"), std::string::npos) << out;
}

TEST_F(ScenarioRun, UnwritableLogDirFailsAtOnceNamingThePath) {
  write("plain-file", "x");
  const std::string log_dir = dir_ + "/plain-file/logs";  // under a regular file: even root cannot
  const auto file = write("ok.yaml", scenario("[]", "  error_rate: {max: 0.2}\n"));
  std::string out;
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(run({"scenario", "run", file, "--log-dir", log_dir}, &out), 2) << out;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  EXPECT_NE(out.find("--log-dir " + log_dir), std::string::npos) << out;
  EXPECT_EQ(out.find("started "), std::string::npos) << "nothing may start: " << out;
}

TEST_F(ScenarioRun, PlaceholdersResolveAndEverythingStartedIsGoneAfterTheRun) {
  // A compound command: a background sleep in the same process group must go too.
  const std::string extra =
      "  - name: probe\n"
      "    run: \"sleep 300 & echo $! > {log_dir}/sleep.pid; echo {port.partner} {proxy.partner.port} {bin} {seed} > "
      "{log_dir}/args; exec sleep 300\"\n";
  const auto file = write("ph.yaml", scenario("[]", "  error_rate: {max: 0.2}\n", "2s", extra));
  const std::string logs = dir_ + "/logs";
  std::string out;
  ASSERT_EQ(run({"scenario", "run", file, "--log-dir", logs, "--seed", "77"}, &out), 0) << out;
  std::istringstream args(readFile(logs + "/args"));
  int partner_port = 0, proxy_port = 0;
  std::string bin, seed;
  args >> partner_port >> proxy_port >> bin >> seed;
  EXPECT_GT(partner_port, 0);
  EXPECT_GT(proxy_port, 0);
  EXPECT_NE(partner_port, proxy_port);
  EXPECT_EQ(fs::canonical(bin), fs::canonical(kBin));
  EXPECT_EQ(seed, "77");
  EXPECT_NE(out.find("/data"), std::string::npos);
  EXPECT_NE(out.find("127.0.0.1:" + std::to_string(proxy_port)), std::string::npos) << "the target went through the proxy: " << out;
  auto pids = startedPids(out);
  ASSERT_EQ(pids.size(), 2u) << out;
  pids.push_back(std::stoi(readFile(logs + "/sleep.pid")));
  for (pid_t pid : pids) EXPECT_TRUE(goneWithin(pid, 2s)) << "pid " << pid << " outlived the run";
  EXPECT_TRUE(fs::exists(logs + "/e2e-partner.log"));
  EXPECT_TRUE(fs::exists(logs + "/faultline.log"));
}

TEST_F(ScenarioRun, SigintMidRunStopsEverythingItStarted) {
  const std::string extra =
      "  - name: probe\n"
      "    run: \"sleep 300 & echo $! > {log_dir}/sleep.pid; exec sleep 300\"\n";
  const auto file = write("long.yaml", scenario("[]", "  error_rate: {max: 0.2}\n", "60s", extra));
  const std::string logs = dir_ + "/logs";
  ChildProcess child({kBin + "/faultline", "scenario", "run", file, "--log-dir", logs});
  ASSERT_FALSE(child.lineContaining("load:", 30s).empty()) << child.output();
  const auto pids_started = startedPids(child.output());
  ASSERT_EQ(pids_started.size(), 2u) << child.output();
  auto pids = pids_started;
  pids.push_back(std::stoi(readFile(logs + "/sleep.pid")));
  std::this_thread::sleep_for(300ms);
  child.signal(SIGINT);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(child.wait(15s), 130);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  for (pid_t pid : pids) EXPECT_TRUE(goneWithin(pid, 2s)) << "pid " << pid << " outlived the interrupted run";
}

}  // namespace

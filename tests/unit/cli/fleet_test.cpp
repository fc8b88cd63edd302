#include "cli/fleet.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/client_main.h"
#include "support/live_control_server.h"
#include "support/sockets.h"

namespace faultline {
namespace {

struct Outcome {
  int code = 0;
  std::string out;
  std::string err;
};

Outcome runWith(std::vector<std::string> args) {
  std::ostringstream out;
  std::ostringstream err;
  ClientEnvironment environment;
  environment.out = &out;
  environment.err = &err;
  environment.getenv = [](const std::string&) { return std::string(); };
  args.insert(args.begin(), "faultline");
  Outcome run;
  run.code = runClient(args, environment);
  run.out = out.str();
  run.err = err.str();
  return run;
}

// The proxies an instance has, read through its API.
nlohmann::json proxiesOf(const testing::LiveControlServer& server) {
  Outcome r = runWith({"--host", server.url(), "list", "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

TEST(FleetHosts, ACommaListNamesEveryInstance) {
  auto hosts = expandHosts("http://a:8474, http://b:8474,,http://c:8474");
  ASSERT_TRUE(hosts) << hosts.error().message;
  EXPECT_EQ(*hosts, (std::vector<std::string>{"http://a:8474", "http://b:8474", "http://c:8474"}));
}

TEST(FleetHosts, AFileListsOneUrlPerLineWithCommentsAndBlankLines) {
  const std::string path = ::testing::TempDir() + "/fleet_hosts.txt";
  std::ofstream(path) << "# the sidecars\nhttp://a:8474\n\n  http://b:8474  # zone b\nhttp://c:1,http://d:2\n";
  auto hosts = expandHosts("@" + path);
  ASSERT_TRUE(hosts) << hosts.error().message;
  EXPECT_EQ(*hosts, (std::vector<std::string>{"http://a:8474", "http://b:8474", "http://c:1", "http://d:2"}));
  std::remove(path.c_str());
}

TEST(FleetHosts, ABadFileLineIsNamedByLineNumber) {
  const std::string path = ::testing::TempDir() + "/fleet_bad.txt";
  std::ofstream(path) << "http://a:8474\nhttps://b:8474\n";
  auto hosts = expandHosts("@" + path);
  ASSERT_FALSE(hosts);
  EXPECT_NE(hosts.error().message.find("line 2"), std::string::npos) << hosts.error().message;
  std::remove(path.c_str());
  EXPECT_FALSE(expandHosts("@/nonexistent/hosts.txt"));
  EXPECT_FALSE(expandHosts(" , "));
}

TEST(Fleet, ACommandRunsOnEveryInstanceWithOneSectionEach) {
  testing::LiveControlServer a;
  testing::LiveControlServer b;
  Outcome r = runWith({"--host", a.url() + "," + b.url(), "create", "db", "-l", "127.0.0.1:0", "-u", "127.0.0.1:9"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("==> " + a.url() + " <==\nCreated new proxy db"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("==> " + b.url() + " <==\nCreated new proxy db"), std::string::npos) << r.out;
  EXPECT_TRUE(proxiesOf(a).contains("db"));
  EXPECT_TRUE(proxiesOf(b).contains("db"));

  Outcome toxic = runWith({"toxic", "add", "db", "-t", "latency", "-a", "latency=50", "--host", a.url() + "," + b.url()});
  EXPECT_EQ(toxic.code, 0) << toxic.err;
  EXPECT_EQ(proxiesOf(a)["db"]["toxics"].size(), 1u);
  EXPECT_EQ(proxiesOf(b)["db"]["toxics"].size(), 1u);
}

TEST(Fleet, AnInstanceThatIsDownIsReportedAndTheOthersStillRun) {
  testing::LiveControlServer up;
  const std::string down = "http://127.0.0.1:" + std::to_string(testing::unusedPort());
  Outcome r = runWith({"--host", down + "," + up.url(), "create", "db", "-l", "127.0.0.1:0", "-u", "127.0.0.1:9"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(proxiesOf(up).contains("db")) << "the instance after the failed one still ran";
  EXPECT_NE(r.err.find("cannot reach faultline at " + down + ": connection refused"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("faultline: 1 of 2 instances failed: " + down + " (exit 1)"), std::string::npos) << r.err;
}

TEST(Fleet, ABadUrlAnywhereInTheListRunsNothing) {
  testing::LiveControlServer a;
  Outcome r = runWith({"--host", a.url() + ",https://x:1", "create", "db", "-l", "127.0.0.1:0", "-u", "127.0.0.1:9"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--host"), std::string::npos) << r.err;
  EXPECT_FALSE(proxiesOf(a).contains("db"));
}

TEST(Fleet, OneUrlBehavesAsBefore) {
  testing::LiveControlServer a;
  Outcome r = runWith({"--host", a.url(), "list"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("==>"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace faultline

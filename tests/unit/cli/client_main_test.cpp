#include "cli/client_main.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/sockets.h"
#include "support/live_control_server.h"

namespace faultline {
namespace {

struct Outcome {
  int code = 0;
  std::string out;
  std::string err;
};

// Runs the client in-process, with the environment given (nothing leaks in from the real one).
Outcome runWith(std::vector<std::string> args, std::map<std::string, std::string> env = {}, bool terminal = false) {
  std::ostringstream out;
  std::ostringstream err;
  ClientEnvironment environment;
  environment.out = &out;
  environment.err = &err;
  environment.terminal = terminal;
  environment.getenv = [env](const std::string& name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  args.insert(args.begin(), "faultline");
  Outcome run;
  run.code = runClient(args, environment);
  run.out = out.str();
  run.err = err.str();
  return run;
}

// --- parsing and help, no server needed ---

TEST(ClientHelp, TopLevelHelpListsEveryCommandIncludingServeAndValidate) {
  Outcome run = runWith({"--help"});
  EXPECT_EQ(run.code, 0);
  for (const char* command : {"serve", "validate", "list", "inspect", "create", "toggle", "delete", "toxic", "reset",
                              "reload", "rules", "--host", "--json"}) {
    EXPECT_NE(run.out.find(command), std::string::npos) << command << " missing from:\n" << run.out;
  }
}

TEST(ClientHelp, ALoneDashHPrintsHelp) {
  Outcome run = runWith({"-h"});
  EXPECT_EQ(run.code, 0);
  EXPECT_NE(run.out.find("toxic"), std::string::npos);
}

TEST(ClientHelp, NoCommandPrintsHelpAndFails) {
  Outcome run = runWith({});
  EXPECT_NE(run.code, 0);
  EXPECT_NE(run.out.find("create"), std::string::npos);
}

TEST(ClientHelp, ToxicAddHelpListsEveryToxicTypeWithItsAttributes) {
  Outcome run = runWith({"toxic", "add", "--help"});
  EXPECT_EQ(run.code, 0);
  for (const char* word : {"latency", "jitter", "bandwidth", "rate", "slicer", "average_size", "limit_data",
                           "reset_peer", "timeout", "slow_close", "--tox", "--upstream"}) {
    EXPECT_NE(run.out.find(word), std::string::npos) << word << " missing from:\n" << run.out;
  }
}

TEST(ClientHelp, EveryCommandHasHelp) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"list"}, {"inspect"}, {"create"}, {"toggle"}, {"delete"}, {"toxic"}, {"toxic", "update"},
           {"toxic", "remove"}, {"reset"}, {"reload"}, {"rules"}}) {
    args.push_back("--help");
    Outcome run = runWith(args);
    EXPECT_EQ(run.code, 0) << args[0];
    EXPECT_NE(run.out.find("Usage"), std::string::npos) << args[0] << ":\n" << run.out;
  }
}

TEST(ClientParsing, AMissingRequiredFlagFailsWithOneLine) {
  Outcome run = runWith({"create", "db", "-l", "127.0.0.1:0"});
  EXPECT_NE(run.code, 0);
  EXPECT_NE(run.err.find("--upstream is required"), std::string::npos) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
}

TEST(ClientParsing, ABadAttributeFailsBeforeAnyRequest) {
  Outcome run = runWith({"--host", "http://127.0.0.1:1", "toxic", "add", "db", "-t", "latency", "-a", "latency"});
  EXPECT_EQ(run.code, 2);
  EXPECT_EQ(run.err, "faultline: toxic add: attribute 'latency': expected key=value, e.g. -a latency=100\n");
}

TEST(ClientParsing, UpstreamAndDownstreamTogetherAreRejected) {
  Outcome run = runWith({"toxic", "add", "db", "-t", "latency", "-u", "-d"});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.err.find("choose one of --upstream or --downstream"), std::string::npos);
}

TEST(ClientParsing, ServeIsLeftToTheProgram) {
  Outcome run = runWith({"serve", "--port", "0"});
  EXPECT_EQ(run.code, 2);
}

TEST(ClientErrors, AServerThatIsDownGivesOneLineNamingTheUrl) {
  uint16_t port = testing::unusedPort();
  std::string url = "http://127.0.0.1:" + std::to_string(port);
  Outcome run = runWith({"--host", url, "list"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "faultline: cannot reach faultline at " + url + ": connection refused\n");
}

TEST(ClientErrors, ABadHostUrlIsReported) {
  Outcome run = runWith({"--host", "https://127.0.0.1:1", "list"});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.err.find("--host"), std::string::npos) << run.err;
}

// --- against a live ControlServer ---

class ClientLive : public ::testing::Test {
 protected:
  Outcome run(std::vector<std::string> args, bool terminal = false) {
    return runWith(std::move(args), {{"FAULTLINE_URL", server_.url()}}, terminal);
  }
  testing::LiveControlServer server_;
};

TEST_F(ClientLive, CreatePrintsTheWordsScriptsGrepFor) {
  Outcome r = run({"create", "db", "-l", "127.0.0.1:0", "-u", "127.0.0.1:9"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("Created new proxy db listening on 127.0.0.1:", 0), 0u) << r.out;
}

TEST_F(ClientLive, ListOffATerminalIsTabSeparatedWithoutHeader) {
  run({"create", "db", "-l", "127.0.0.1:0", "-u", "127.0.0.1:9"});
  run({"toxic", "add", "db", "-t", "latency", "-a", "latency=10"});
  Outcome r = run({"list"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("db\t127.0.0.1:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\t127.0.0.1:9\tenabled\t1\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("NAME"), std::string::npos);
}

TEST_F(ClientLive, ListOnATerminalHasAHeaderAndSaysNoneForNoToxics) {
  run({"create", "db", "-l", "127.0.0.1:0", "-u", "127.0.0.1:9"});
  Outcome r = run({"ls"}, /*terminal=*/true);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_LT(r.out.find("NAME"), r.out.find('\n')) << r.out;
  EXPECT_NE(r.out.find("None"), std::string::npos) << r.out;
  // Colour is on only when a terminal and NO_COLOR unset: this environment has no NO_COLOR.
  EXPECT_NE(r.out.find("\033["), std::string::npos);
}

TEST_F(ClientLive, NoColorTurnsColourOffOnATerminal) {
  run({"create", "db", "-l", "127.0.0.1:0", "-u", "127.0.0.1:9"});
  Outcome r = runWith({"list"}, {{"FAULTLINE_URL", server_.url()}, {"NO_COLOR", "1"}}, true);
  EXPECT_EQ(r.out.find("\033["), std::string::npos) << r.out;
}

TEST_F(ClientLive, ListWithJsonPrintsTheServersObject) {
  run({"create", "db", "-l", "127.0.0.1:0", "-u", "127.0.0.1:9"});
  Outcome r = run({"list", "--json"});
  EXPECT_EQ(r.code, 0);
  auto parsed = nlohmann::json::parse(r.out);
  EXPECT_EQ(parsed["db"]["upstream"], "127.0.0.1:9");
}

TEST_F(ClientLive, ToxiproxyUrlIsUsedWhenFaultlineUrlIsUnset) {
  Outcome r = runWith({"list"}, {{"TOXIPROXY_URL", server_.url()}});
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST_F(ClientLive, HostFlagBeatsTheEnvironment) {
  Outcome r = runWith({"-h", server_.url(), "list"}, {{"FAULTLINE_URL", "http://127.0.0.1:1"}});
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST_F(ClientLive, ToggleDisablesThenEnables) {
  run({"create", "db", "-l", "127.0.0.1:0", "-u", "127.0.0.1:9"});
  EXPECT_EQ(run({"toggle", "db"}).out, "Proxy db is now disabled\n");
  EXPECT_EQ(run({"tog", "db"}).out, "Proxy db is now enabled\n");
}

TEST_F(ClientLive, DeletePrintsDeletedProxy) {
  run({"create", "db", "-l", "127.0.0.1:0", "-u", "127.0.0.1:9"});
  Outcome r = run({"d", "db"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "Deleted proxy db\n");
}

TEST_F(ClientLive, ToxicAddUpdateRemoveRoundTrip) {
  run({"create", "db", "-l", "127.0.0.1:0", "-u", "127.0.0.1:9"});
  Outcome added = run({"toxic", "add", "db", "-t", "latency", "-a", "latency=100", "-a", "jitter=5", "-u"});
  EXPECT_EQ(added.code, 0) << added.err;
  EXPECT_EQ(added.out, "Added upstream latency toxic 'latency_upstream' on proxy 'db'\n");

  Outcome updated = run({"t", "u", "db", "-n", "latency_upstream", "-a", "latency=200"});
  EXPECT_EQ(updated.code, 0) << updated.err;
  EXPECT_EQ(updated.out, "Updated toxic 'latency_upstream' on proxy 'db'\n");

  Outcome inspected = run({"inspect", "db"});
  EXPECT_NE(inspected.out.find("latency_upstream\ttype=latency\tstream=upstream\ttoxicity=1\tattributes=jitter=5 latency=200"),
            std::string::npos)
      << inspected.out;

  Outcome removed = run({"toxic", "remove", "db", "-n", "latency_upstream"});
  EXPECT_EQ(removed.code, 0) << removed.err;
  EXPECT_EQ(removed.out, "Removed toxic 'latency_upstream' on proxy 'db'\n");
}

TEST_F(ClientLive, ToxicAddWithNameAndToxicity) {
  run({"create", "db", "-l", "127.0.0.1:0", "-u", "127.0.0.1:9"});
  Outcome r = run({"toxic", "a", "db", "-t", "bandwidth", "-n", "slow", "--tox", "0.5", "-a", "rate=10", "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  auto toxic = nlohmann::json::parse(r.out);
  EXPECT_EQ(toxic["name"], "slow");
  EXPECT_EQ(toxic["toxicity"], 0.5);
  EXPECT_EQ(toxic["stream"], "downstream");
}

TEST_F(ClientLive, ToxicUpdateWithoutToxKeepsToxicity) {
  run({"create", "db", "-l", "127.0.0.1:0", "-u", "127.0.0.1:9"});
  run({"toxic", "add", "db", "-t", "latency", "--tox", "0.25"});
  Outcome r = run({"toxic", "update", "db", "-n", "latency_downstream", "-a", "latency=1", "--json"});
  EXPECT_EQ(nlohmann::json::parse(r.out)["toxicity"], 0.25) << r.out << r.err;
}

TEST_F(ClientLive, AServerErrorIsPrintedAsItsText) {
  Outcome r = run({"inspect", "missing"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "faultline: proxy not found\n");
}

TEST_F(ClientLive, AnUnknownToxicTypeShowsTheServersReason) {
  run({"create", "db", "-l", "127.0.0.1:0", "-u", "127.0.0.1:9"});
  Outcome r = run({"toxic", "add", "db", "-t", "lattency"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("invalid toxic type"), std::string::npos) << r.err;
}

TEST_F(ClientLive, ResetRemovesToxics) {
  run({"create", "db", "-l", "127.0.0.1:0", "-u", "127.0.0.1:9"});
  run({"toxic", "add", "db", "-t", "latency"});
  Outcome r = run({"reset"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(run({"list"}).out.find("\tenabled\t0\n"), std::string::npos);
}

TEST_F(ClientLive, RulesWithoutARulesFileExplainsHowToLoadOne) {
  Outcome r = run({"rules"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "faultline: no rules file loaded; start with --config FILE\n");
}

}  // namespace
}  // namespace faultline

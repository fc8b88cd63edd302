// Issue 19 item 4 (the part left): what users put in names and toxic attributes may hold any
// bytes; the CLI and the log lines show them escaped, never raw. Through the real binary.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/serve_process.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// A clear-screen and a line break that would forge a second row (or log line) if printed raw.
const std::string kHostile = "before\x1b[2J\nforged=1";

bool hasRawControl(const std::string& text, char control) { return text.find(control) != std::string::npos; }

// No ESC at all, no line starting with the injected text, and the text kept in escaped form.
void expectEscaped(const std::string& output, const std::string& what) {
  EXPECT_FALSE(hasRawControl(output, '\x1b')) << what << " printed a raw ESC:\n" << output;
  EXPECT_EQ(output.find("before\x1b"), std::string::npos) << what;
  EXPECT_EQ(output.find("\nforged=1"), std::string::npos) << what << " started a line with the injected text:\n"
                                                          << output;
  EXPECT_NE(output.find("before\\x1b[2J\\nforged=1"), std::string::npos) << what << " lost the text:\n" << output;
}

TEST(Escaping, CliListAndInspectShowAToxicsControlBytesEscaped) {
  ServeProcess server;
  ASSERT_TRUE(server.ready()) << server.child().output();
  ASSERT_NE(server.createProxy("shown", 9), 0);
  auto added = server.api("POST", "/proxies/shown/toxics",
                          json{{"name", "abort"},
                               {"type", "http_abort"},
                               {"stream", "downstream"},
                               {"attributes", {{"status", 503}, {"body", kHostile}}}}
                              .dump());
  ASSERT_TRUE(added.ok());
  ASSERT_EQ(added->status, 200) << added->body;

  const std::string host = "http://127.0.0.1:" + std::to_string(server.apiPort());
  const auto inspect = runFaultline({"--host", host, "inspect", "shown"}, 10s);
  ASSERT_EQ(inspect.code, 0) << inspect.output;
  expectEscaped(inspect.output, "faultline inspect");

  const auto list = runFaultline({"--host", host, "list"}, 10s);
  ASSERT_EQ(list.code, 0) << list.output;
  EXPECT_FALSE(hasRawControl(list.output, '\x1b')) << list.output;
  EXPECT_NE(list.output.find("shown"), std::string::npos) << list.output;
}

TEST(Escaping, LogLinesShowUserTextEscaped) {
  ServeProcess server({"--log-level", "debug"}, "exec 2>&1;");  // the log (stderr) read with stdout
  ASSERT_TRUE(server.ready()) << server.child().output();
  // The control API logs every request's decoded path: ESC [ 2 J and a newline in it.
  auto response = server.api("GET", "/proxies/before%1b%5b2J%0aforged=1");
  ASSERT_TRUE(response.ok());
  EXPECT_GE(response->status, 400);
  const std::string line = server.child().lineContaining("forged=1", 5s);
  ASSERT_FALSE(line.empty()) << server.child().output();
  expectEscaped(server.child().output(), "the server log");
}

}  // namespace
}  // namespace faultline::testing

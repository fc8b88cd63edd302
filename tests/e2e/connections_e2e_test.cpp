// GET /proxies/{p}/connections and DELETE /proxies/{p}/connections/{id} on the real binary,
// and the CLI's `connections` / `kill` (issue 15).
#include <gtest/gtest.h>

#include <cerrno>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "faultline/testing/events.hpp"
#include "support/serve_process.h"
#include "support/sockets.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

json connectionsOf(ServeProcess& server, const std::string& proxy) {
  auto response = server.api("GET", "/proxies/" + proxy + "/connections");
  if (!response.ok() || response->status != 200) return json();
  return json::parse(response->body, nullptr, false);
}

// Bounded wait until the proxy lists `count` connections (a kill is asynchronous for the client).
json waitForCount(ServeProcess& server, const std::string& proxy, std::size_t count) {
  json list;
  for (int i = 0; i < 100; ++i) {
    list = connectionsOf(server, proxy);
    if (list.is_array() && list.size() == count) return list;
    std::this_thread::sleep_for(50ms);
  }
  return list;
}

class ConnectionsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ready()) << server_.child().output();
    port_ = server_.createProxy("echo", echo_.port());
    ASSERT_NE(port_, 0);
  }
  TcpServer echo_ = TcpServer::echo();
  ServeProcess server_;
  uint16_t port_ = 0;
};

TEST_F(ConnectionsApi, ListsEachLiveConnectionWithBytesStateAndToxicRolls) {
  ASSERT_TRUE(server_.addToxic("echo", {{"name", "lat"}, {"type", "latency"}, {"attributes", {{"latency", 1}}}}));
  Socket a = Socket::connectTo(port_);
  Socket b = Socket::connectTo(port_);
  ASSERT_TRUE(a.sendAll("hello"));
  ASSERT_EQ(a.readExactly(5, 5s), "hello");
  ASSERT_TRUE(b.sendAll("hi"));
  ASSERT_EQ(b.readExactly(2, 5s), "hi");

  json list = waitForCount(server_, "echo", 2);
  ASSERT_TRUE(list.is_array()) << list;
  ASSERT_EQ(list.size(), 2u) << list;
  EXPECT_LT(list[0]["id"].get<uint64_t>(), list[1]["id"].get<uint64_t>());
  for (const auto& c : list) {
    EXPECT_EQ(c["state"], "open") << c;
    EXPECT_EQ(c["upstream"], "127.0.0.1:" + std::to_string(echo_.port()));
    EXPECT_EQ(c["client"].get<std::string>().rfind("127.0.0.1:", 0), 0u) << c;
    EXPECT_FALSE(c["opened_at"].get<std::string>().empty());
    ASSERT_EQ(c["toxics"].size(), 1u) << c;
    EXPECT_EQ(c["toxics"][0]["name"], "lat");
    EXPECT_EQ(c["toxics"][0]["applied"], true);
  }
  std::set<uint64_t> up;
  for (const auto& c : list) up.insert(c["bytes"]["upstream"].get<uint64_t>());
  EXPECT_EQ(up, (std::set<uint64_t>{2, 5})) << list;
}

TEST_F(ConnectionsApi, DeleteClosesOrResetsOnlyThatConnection) {
  Socket keep = Socket::connectTo(port_);
  Socket closed = Socket::connectTo(port_);
  Socket reset = Socket::connectTo(port_);
  for (Socket* s : {&keep, &closed, &reset}) {
    ASSERT_TRUE(s->sendAll("x"));
    ASSERT_EQ(s->readExactly(1, 5s), "x");
  }
  json list = waitForCount(server_, "echo", 3);
  ASSERT_EQ(list.size(), 3u) << list;
  const std::string closed_id = list[1]["id"].dump();
  const std::string reset_id = list[2]["id"].dump();
  auto events = EventStream::subscribe(api::Endpoint{"127.0.0.1", server_.apiPort(), ""}, "echo");

  auto response = server_.api("DELETE", "/proxies/echo/connections/" + closed_id + "?mode=close");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 204) << response->body;
  int error = -1;
  closed.readUntilClosed(5s, &error);
  EXPECT_EQ(error, 0) << "a graceful kill ends with FIN";

  response = server_.api("DELETE", "/proxies/echo/connections/" + reset_id + "?mode=reset");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 204) << response->body;
  error = -1;
  reset.readUntilClosed(5s, &error);
  EXPECT_EQ(error, ECONNRESET);

  // Each kill is reported for its own connection, and no other connection closed.
  for (const std::string& id : {closed_id, reset_id}) {
    json closed_event = events.waitFor("connection_closed", [&](const json& e) { return e["conn"].dump() == id; }, 5s);
    EXPECT_EQ(closed_event["reason"], "killed") << closed_event.dump();
  }
  for (const auto& e : events.pending()) EXPECT_NE(e["type"], "connection_closed") << e.dump();
  ASSERT_TRUE(keep.sendAll("still here"));
  EXPECT_EQ(keep.readExactly(10, 5s), "still here");
}

TEST_F(ConnectionsApi, UnknownConnectionIs404AndBadModeIs400) {
  auto response = server_.api("DELETE", "/proxies/echo/connections/12345");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 404);
  EXPECT_NE(response->body.find("\"error\""), std::string::npos) << response->body;
  response = server_.api("DELETE", "/proxies/echo/connections/abc");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 404);
  response = server_.api("DELETE", "/proxies/echo/connections/1?mode=maybe");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 400);
  EXPECT_NE(response->body.find("mode=reset"), std::string::npos) << response->body;
  response = server_.api("GET", "/proxies/nope/connections");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 404);
}

TEST_F(ConnectionsApi, CliListsAndKills) {
  Socket client = Socket::connectTo(port_);
  ASSERT_TRUE(client.sendAll("abc"));
  ASSERT_EQ(client.readExactly(3, 5s), "abc");
  json list = waitForCount(server_, "echo", 1);
  ASSERT_EQ(list.size(), 1u);
  const std::string id = list[0]["id"].dump();
  const std::string host = "http://127.0.0.1:" + std::to_string(server_.apiPort());

  auto run = runFaultline({"--host", host, "connections", "echo"}, 20s);
  EXPECT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(run.output.rfind(id + "\t127.0.0.1:", 0), 0u) << run.output;
  EXPECT_NE(run.output.find("\topen\t3\t3\t"), std::string::npos) << run.output;

  run = runFaultline({"--host", host, "kill", "echo", id, "--reset"}, 20s);
  EXPECT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("Reset connection " + id), std::string::npos) << run.output;
  int error = -1;
  client.readUntilClosed(5s, &error);
  EXPECT_EQ(error, ECONNRESET);

  run = runFaultline({"--host", host, "kill", "echo", id}, 20s);
  EXPECT_EQ(run.code, 1) << run.output;
  EXPECT_NE(run.output.find("not found"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace faultline::testing

namespace faultline::testing {
namespace {

TEST_F(ConnectionsApi, TopOncePrintsOneFrameWithProxiesConnectionsAndEvents) {
  ASSERT_TRUE(server_.addToxic("echo", {{"name", "slow"}, {"type", "latency"}, {"attributes", {{"latency", 1}}}}));
  Socket client = Socket::connectTo(port_);
  ASSERT_TRUE(client.sendAll("top"));
  ASSERT_EQ(client.readExactly(3, 5s), "top");
  ASSERT_EQ(waitForCount(server_, "echo", 1).size(), 1u);
  const std::string host = "http://127.0.0.1:" + std::to_string(server_.apiPort());
  auto run = runFaultline({"--host", host, "--no-color", "top", "--once"}, 20s);
  EXPECT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("faultline top"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("slow(latency)"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("CONNECTIONS"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(" open "), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("connection_opened  echo conn="), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("toxic_added  echo"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace faultline::testing

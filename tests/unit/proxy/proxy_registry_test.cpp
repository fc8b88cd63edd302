// ProxyRegistry semantics that clients rely on (Toxiproxy's populate, reset, partial updates).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <cstdio>

#include "support/proxy_fixture.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;

class ProxyRegistryTest : public ProxyFixture {};

TEST_F(ProxyRegistryTest, PopulateKeepsAnUnchangedPortZeroProxyRunning) {
  auto echo = TcpServer::echo();
  ProxyConfig config{"kept", "127.0.0.1:0", "127.0.0.1:" + std::to_string(echo.port()), true, {}, false};
  auto first = loop_->call([&] { return registry_->populate({config}); });
  ASSERT_FALSE(first.error.has_value());
  Socket live = Socket::connectTo(parseHostPort(first.proxies[0].listen)->port);
  ASSERT_TRUE(live.sendAll("a"));
  ASSERT_EQ(live.readExactly(1, 5s), "a");

  auto second = loop_->call([&] { return registry_->populate({config}); });
  ASSERT_FALSE(second.error.has_value());
  EXPECT_EQ(second.proxies[0].listen, first.proxies[0].listen);
  EXPECT_EQ(second.proxies[0].stats, first.proxies[0].stats);  // the same proxy object
  ASSERT_TRUE(live.sendAll("b"));
  EXPECT_EQ(live.readExactly(1, 5s), "b");  // its connection survived
}

TEST_F(ProxyRegistryTest, PopulateValidatesEveryEntryBeforeCreatingAny) {
  ProxyConfig good{"good", "127.0.0.1:0", "127.0.0.1:1", true, {}, false};
  ProxyConfig bad{"bad", "127.0.0.1:0", "", true, {}, false};
  auto result = loop_->call([&] { return registry_->populate({good, bad}); });
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->message, "missing required field: upstream at proxy 2");
  EXPECT_TRUE(loop_->call([&] { return registry_->list(); }).empty());
}

TEST_F(ProxyRegistryTest, ResetEnablesEveryProxyAndRemovesEveryToxicButKeepsConnections) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("r", echo.port());
  addToxic("r", toxic("latency", Stream::kDownstream, {{"latency", 10}}));
  uint16_t off_port = createProxy("off", echo.port());
  ProxyPatch disable;
  disable.enabled = false;
  ASSERT_TRUE(loop_->call([&] { return registry_->update("off", disable); }).ok());
  Socket live = Socket::connectTo(port);
  ASSERT_TRUE(live.sendAll("1"));
  ASSERT_EQ(live.readExactly(1, 5s), "1");
  loop_->call([&] { registry_->reset(); return 0; });
  auto info = loop_->call([&] { return registry_->get("r"); });
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->toxics.empty());
  EXPECT_TRUE(info->enabled);
  auto off = loop_->call([&] { return registry_->get("off"); });
  ASSERT_TRUE(off.ok());
  EXPECT_TRUE(off->enabled);
  Socket rebound = Socket::connectTo(off_port);
  EXPECT_TRUE(rebound.valid()) << "the disabled proxy was not listening again after reset";
  ASSERT_TRUE(live.sendAll("2"));
  EXPECT_EQ(live.readExactly(1, 5s), "2");
}

TEST_F(ProxyRegistryTest, ToxicUpdateMergesAttributesAndKeepsTypeAndStream) {
  createProxy("u", unusedPort());
  addToxic("u", toxic("latency", Stream::kUpstream, {{"latency", 100}, {"jitter", 7}}));
  ToxicPatch patch;
  patch.attributes["latency"] = 250;
  patch.toxicity = -1;  // Toxiproxy: unchanged
  auto updated = loop_->call([&] { return registry_->updateToxic("u", "latency_upstream", patch); });
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ((*updated)->attr("latency"), 250);
  EXPECT_EQ((*updated)->attr("jitter"), 7);
  EXPECT_EQ((*updated)->type, "latency");
  EXPECT_EQ((*updated)->stream, Stream::kUpstream);
  EXPECT_EQ((*updated)->toxicity, 1.0);
}

TEST_F(ProxyRegistryTest, ToxicNamesAreUniqueAcrossBothStreams) {
  createProxy("n", unusedPort());
  addToxic("n", toxic("latency", Stream::kUpstream, {}, "same"));
  auto again = loop_->call([&] { return registry_->addToxic("n", toxic("latency", Stream::kDownstream, {}, "same")); });
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().message, "toxic already exists");
}

TEST_F(ProxyRegistryTest, UpdatingListenToAnEquivalentAddressKeepsLiveConnections) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("eq", echo.port());
  Socket live = Socket::connectTo(port);
  ASSERT_TRUE(live.sendAll("x"));
  ASSERT_EQ(live.readExactly(1, 5s), "x");
  ProxyPatch patch;
  patch.listen = "localhost:" + std::to_string(port);
  ASSERT_TRUE(loop_->call([&] { return registry_->update("eq", patch); }).ok());
  ASSERT_TRUE(live.sendAll("y"));
  EXPECT_EQ(live.readExactly(1, 5s), "y");
}

TEST_F(ProxyRegistryTest, StopIsIdempotent) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("s", echo.port());
  Socket live = Socket::connectTo(port);
  ASSERT_TRUE(live.sendAll("x"));
  ASSERT_EQ(live.readExactly(1, 5s), "x");
  ProxyPatch disable;
  disable.enabled = false;
  // Stopping twice, then stopping everything twice, is harmless (ASan sees any double close).
  ASSERT_TRUE(loop_->call([&] { return registry_->update("s", disable); }).ok());
  ASSERT_TRUE(loop_->call([&] { return registry_->update("s", disable); }).ok());
  loop_->call([&] { registry_->stopAccepting(); registry_->stopAccepting(); return 0; });
  int error = -1;
  live.readUntilClosed(5s, &error);
  EXPECT_NE(error, ETIMEDOUT) << "the session outlived its stopped proxy";
  EXPECT_FALSE(Socket::connectTo(port).valid());
  ProxyPatch enable;
  enable.enabled = true;
  ASSERT_TRUE(loop_->call([&] { return registry_->update("s", enable); }).ok());
  Socket again = Socket::connectTo(port);
  ASSERT_TRUE(again.sendAll("y"));
  EXPECT_EQ(again.readExactly(1, 5s), "y");
  loop_->call([&] { registry_->closeAll(); registry_->closeAll(); return 0; });
}

TEST_F(ProxyRegistryTest, AProxyThatFailedOnAPortConflictStartsOnceThePortIsFree) {
  auto echo = TcpServer::echo();
  HeldPort held;
  const std::string listen = "127.0.0.1:" + std::to_string(held.port());
  const std::string upstream = "127.0.0.1:" + std::to_string(echo.port());

  // Created disabled, enabled while the port is taken: the bind error, the proxy stays.
  ProxyConfig config{"late", listen, upstream, false, {}, false};
  ASSERT_TRUE(loop_->call([&] { return registry_->create(config); }).ok());
  ProxyPatch enable;
  enable.enabled = true;
  auto failed = loop_->call([&] { return registry_->update("late", enable); });
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("address already in use"), std::string::npos) << failed.error().message;
  // A create on the taken port fails the same way.
  ProxyConfig other{"other", listen, upstream, true, {}, false};
  ASSERT_FALSE(loop_->call([&] { return registry_->create(other); }).ok());

  held.release();
  auto started = loop_->call([&] { return registry_->update("late", enable); });
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_TRUE(started->enabled);
  Socket client = Socket::connectTo(held.port());
  ASSERT_TRUE(client.sendAll("up"));
  EXPECT_EQ(client.readExactly(2, 5s), "up");
}

TEST_F(ProxyRegistryTest, UnknownProxyAndToxicAreNotFound) {
  EXPECT_EQ(loop_->call([&] { return registry_->get("nope"); }).error().message, "proxy not found");
  createProxy("p", unusedPort());
  EXPECT_EQ(loop_->call([&] { return registry_->removeToxic("p", "nope"); }).error().message, "toxic not found");
}

TEST_F(ProxyRegistryTest, BadAddressesAreRejectedWithAClearMessage) {
  ProxyConfig config{"addr", "127.0.0.1", "127.0.0.1:1", true, {}, false};
  auto result = loop_->call([&] { return registry_->create(config); });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("missing port"), std::string::npos) << result.error().message;
  config.listen = "[::1:80";
  result = loop_->call([&] { return registry_->create(config); });
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("bad IPv6 form"), std::string::npos) << result.error().message;
}

// Binding below ip_unprivileged_port_start without the capability is a clear bind error. The
// check runs as "nobody": as root (CI containers) it forks and drops privileges first.
TEST(ProxyAddresses, PrivilegedPortIsAClearErrorForAnUnprivilegedUser) {
  int start = 1024;
  if (FILE* f = std::fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "r")) {
    if (std::fscanf(f, "%d", &start) != 1) start = 1024;
    std::fclose(f);
  }
  if (start <= 1) GTEST_SKIP() << "this kernel lets anyone bind every port";
  const int privileged = start - 1;
  auto attempt = [privileged]() -> std::string {
    uv_loop_t loop;
    uv_loop_init(&loop);
    std::string message;
    {
      ProxyRegistry registry(&loop, RegistryOptions{});
      ProxyConfig config{"low", "127.0.0.1:" + std::to_string(privileged), "127.0.0.1:9", true, {}, false};
      auto result = registry.create(config);
      message = result.ok() ? "created" : result.error().message;
      registry.closeAll();
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    return message;
  };
  std::string message;
  if (::geteuid() != 0) {
    message = attempt();
  } else {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      std::string result = (::setgid(65534) == 0 && ::setuid(65534) == 0) ? attempt() : "setuid failed";
      (void)!::write(fds[1], result.data(), result.size());
      ::_exit(0);
    }
    ::close(fds[1]);
    char buf[512];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) message.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
  EXPECT_NE(message.find("127.0.0.1:" + std::to_string(privileged)), std::string::npos) << message;
  EXPECT_NE(message.find("permission denied"), std::string::npos) << message;
}

}  // namespace
}  // namespace faultline::testing

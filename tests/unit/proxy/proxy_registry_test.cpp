// ProxyRegistry semantics that clients rely on (Toxiproxy's populate, reset, partial updates).
#include <gtest/gtest.h>

#include "e2e/proxy_fixture.h"

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
  Socket live = Socket::connectTo(port);
  ASSERT_TRUE(live.sendAll("1"));
  ASSERT_EQ(live.readExactly(1, 5s), "1");
  loop_->call([&] { registry_->reset(); return 0; });
  auto info = loop_->call([&] { return registry_->get("r"); });
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->toxics.empty());
  EXPECT_TRUE(info->enabled);
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

}  // namespace
}  // namespace faultline::testing
